"""Network: the whole graph or a filtered part of it, or the neighbourhood of one entity.

Every choice on the page is in its URL (``?mode=around&id=...&depth=2&country=TR&as_of=2017-03``)
and restored from it, so a view can be shared as a link.

Time has one control here, the slider inside the drawing: the page selects and draws the view
whatever its entities' dates, and the slider hides in the browser what does not hold on its
month (as ``as_of`` reads everywhere: held on the month's last day, or ``as_of_mode=begun``),
so a step costs no rerun. It writes ``as_of`` to the URL on release and on pause.

The first view (the whole graph, no filter, the default cap) comes from graph.derived's
``network``, computed at ingest: the page then opens without loading the whole graph, which
only happens once a filter, a date or a neighbourhood asks for it."""
import streamlit as st

from dashboard import data, network_view, ui
from graph import analytics
from graph.derived import NETWORK_CAP

#: Filtered graphs up to this many nodes are copied for drawing (see dashboard.data.subgraph).
SCOPE_COPY_MAX = 30_000


@st.cache_data(ttl=data.TTL, show_spinner=False, max_entries=64)
def _select(_G, signature: str, mode: str, start: str | None, depth: int, cap: int, classes: tuple,
            countries: tuple, platforms: tuple, years: tuple | None, doctrines: tuple, statuses: tuple,
            outcome: str, v: str) -> tuple[list[str], bool, int, list[str]]:
    """(nodes in view, whether the cap cut it, how many matched before the cap, the nodes the
    filters keep: what a click on the canvas may expand into)."""
    G = analytics.filter_graph(_G, classes=classes, countries=countries, platforms=platforms,
                               years=years, doctrines=doctrines, statuses=statuses, outcome=outcome)
    scope = sorted(G.nodes)
    if mode == "around":
        if start not in G:
            return [], False, 0, scope
        nodes, cut = analytics.neighbourhood(G, start, depth, cap)
        matched = len(analytics.neighbourhood(G, start, depth, G.number_of_nodes() + 1)[0]) if cut else len(nodes)
        return sorted(nodes), cut, matched, scope
    if G.number_of_nodes() > cap:
        return sorted(analytics.top_by_degree(G, cap)), True, G.number_of_nodes(), scope
    return sorted(G.nodes), False, G.number_of_nodes(), scope


def _years(text: str) -> tuple[int, int]:
    lo, hi = text.split("-", 1)
    return int(lo), int(hi)


def body() -> None:
    st.title("Network")
    if ui.empty_notice():
        return
    facets = data.facets()
    first = data.derived("network", cap=NETWORK_CAP, include_sources=False)
    present = first["present"]
    start_param = st.query_params.get("id")
    if start_param and start_param not in data.graph():
        st.warning(f"No entity has the id {ui.md(start_param, 80)}: showing the whole graph instead of "
                   "its neighbourhood. Pick an entity below to start from.", icon="⚠️")

    ui.from_url("net_mode", "mode", "around" if start_param else "whole",
                parse=lambda s: s if s in ("whole", "around") else "whole")
    mode = st.radio("Show", ["whole", "around"], horizontal=True, key="net_mode",
                    format_func=lambda m: {"whole": "The whole graph (filtered)",
                                           "around": "The neighbourhood of an entity"}[m])
    ui.to_url("mode", mode, "around" if start_param else "whole")
    start, depth = None, 1
    if mode == "around":
        c1, c2 = st.columns([3, 1])
        with c1:
            start = ui.pick_entity("net_start", "Start from",
                                   default=start_param if start_param and start_param in data.graph() else None)
        with c2:
            ui.from_url("net_depth", "depth", 1, parse=lambda s: min(4, max(1, int(s))))
            depth = st.slider("Depth", 1, 4, key="net_depth", help="How many relationships away to expand.")
        ui.to_url("id", start)
        ui.to_url("depth", depth, 1)
        ui.to_url("mode", mode, "around" if start else "whole")
    else:
        ui.to_url("id", None)
        ui.to_url("depth", None)

    countries_all = sorted({c for r in facets for c in r["countries"]})
    platforms_all = sorted({p for r in facets for p in r["platforms"]})
    doctrines_all = sorted({d for r in facets for d in r["doctrines"]})
    statuses_all = sorted({r["status"] for r in facets if r["status"]})
    all_years = sorted({r["year"] for r in facets if r["year"]})
    for key, param, options in (("net_countries", "country", countries_all), ("net_platforms", "platform", platforms_all),
                                ("net_doctrines", "doctrine", doctrines_all), ("net_statuses", "status", statuses_all),
                                ("net_hide", "hide", present)):
        ui.from_url(key, param, [], many=True)
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    ui.from_url("net_outcome", "outcome", "")
    ui.from_url("net_cap", "cap", NETWORK_CAP, parse=lambda s: min(20000, max(50, int(s))))
    ui.from_url("net_documents", "documents", False, parse=lambda s: s == "1")
    if len(all_years) > 1:
        ui.from_url("net_years", "years", (all_years[0], all_years[-1]), parse=_years)

    # In the sidebar: on a narrow screen Streamlit folds it away, so the drawing comes first.
    with st.sidebar:
        st.subheader("Network filters")
        documents = st.toggle("Show sources and transparency figures", key="net_documents",
                              help="Source documents and RequestStatistic figures are left out by default: every "
                                   "hover card lists a node's sources, and the figures hang off a few publishers.")
        left_out = st.multiselect("Leave out classes", [c for c in present if documents or c not in data.DOCUMENT_CLASSES],
                                  key="net_hide", format_func=network_view.class_label)
        classes = [c for c in present if c not in left_out and (documents or c not in data.DOCUMENT_CLASSES)]
        countries = st.multiselect("Countries", countries_all, key="net_countries")
        platforms = st.multiselect("Platforms", platforms_all, key="net_platforms")
        doctrines = st.multiselect("Doctrines", doctrines_all, key="net_doctrines")
        statuses = st.multiselect("Conflict status", statuses_all, key="net_statuses")
        outcome = st.text_input("Outcome contains", key="net_outcome", placeholder="e.g. withdrawn, fine, upheld")
        years = None
        if len(all_years) > 1:
            lo, hi = st.slider("Conflicts that started between", all_years[0], all_years[-1], key="net_years")
            years = None if (lo, hi) == (all_years[0], all_years[-1]) else (lo, hi)
        cap = st.number_input("Most nodes to draw", 50, 20000, step=250, key="net_cap",
                              help="Large views keep the best-connected nodes; the layout is computed on the "
                                   "server and physics is off, so thousands of nodes stay usable.")
        st.caption("Country, platform, year, doctrine, status and outcome select conflicts; the view then shows "
                   "those conflicts with their events, cases and everything these touch directly.")
    for param, value, default in (("country", countries, []), ("platform", platforms, []), ("doctrine", doctrines, []),
                                  ("status", statuses, []), ("hide", left_out, []), ("outcome", outcome.strip(), ""),
                                  ("cap", int(cap), NETWORK_CAP), ("documents", "1" if documents else None, None),
                                  ("years", f"{years[0]}-{years[1]}" if years else None, None)):
        ui.to_url(param, value, default)
    ui.share_link()

    if mode == "around" and not start:
        st.info("Type a name above to pick the entity to start from.")
        return
    sig = repr((mode, start, depth, cap, classes, countries, platforms, years, doctrines, statuses, outcome))
    if (mode == "whole" and int(cap) == NETWORK_CAP and not documents and not left_out
            and not (countries or platforms or doctrines or statuses or outcome.strip() or years)):
        # The first view, from disk: no need for the whole graph.
        nodes, cut, matched, part = first["nodes"], first["cut"], first["matched"], first
        view, around = first["part"].subgraph(first["nodes"]), first["part"]
        size = first["size"]
    else:
        G = data.graph()
        nodes, cut, matched, scope = _select(G, sig, mode, start, depth, int(cap), tuple(classes), tuple(countries),
                                             tuple(platforms), years, tuple(doctrines), tuple(statuses),
                                             outcome.strip(), data.version())
        # Plain copies cut through the arrays (milliseconds) where networkx would walk hubs (seconds);
        # a very large scope stays a view, only its drawn nodes' neighbours are read.
        view = data.subgraph(nodes)
        around = data.subgraph(scope) if len(scope) <= SCOPE_COPY_MAX else G.subgraph(scope)
        part, size = None, (G.number_of_nodes(), G.number_of_edges())
    left = 0 if documents else first["documents"]
    st.caption(f"Showing {view.number_of_nodes():,} entities and {view.number_of_edges():,} relationships "
               f"(the graph has {size[0]:,} and {size[1]:,}"
               + (f"; {left:,} sources and transparency figures are left out" if left else "") + ")"
               + ", whatever their dates.")
    as_of = ui.url_value("as_of", None, parse=lambda s: s if len(s) == 7 else None)
    if as_of:
        what = ("had begun by the end of that month (ended ones kept)" if ui.url_value("as_of_mode", "") == "begun"
                else "held at the end of that month")
        when = f"The time slider in the drawing is at {as_of}: it shows those of them that {what}, hiding the rest; "
    else:
        when = "Switch on the time slider in the drawing (\"As of\") to see what held at the end of a month; "
    st.caption(when + "drag or play it, and its position goes into this page's link on release.")
    if cut:
        st.warning(f"{matched:,} entities match; only {len(nodes):,} are drawn"
                   + (" (closest first)." if mode == "around" else " (best connected first).")
                   + " Click a node to expand it, narrow the filters or raise the limit.", icon="✂️")
    canvas = ui.canvas_state("net", sig, around, present)
    ui.show_network(view, key="net", signature=sig, highlight=(start,) if start else (), around=around, part=part,
                    canvas=canvas, timed=True)


ui.guard(body)
