"""Network: the whole graph or a filtered part of it, or the neighbourhood of one entity."""
import streamlit as st

from dashboard import data, network_view, ui
from graph import analytics, valid_time


@st.cache_data(ttl=data.TTL, show_spinner=False, max_entries=64)
def _select(_G, signature: str, mode: str, start: str | None, depth: int, cap: int, classes: tuple,
            countries: tuple, platforms: tuple, years: tuple | None, doctrines: tuple, statuses: tuple,
            outcome: str, day, v: str) -> tuple[list[str], bool, int]:
    """(nodes in view, whether the cap cut it, how many matched before the cap)."""
    G = _G if day is None else _G.subgraph(valid_time.as_of(_G, day, data.spans()))
    G = analytics.filter_graph(G, classes=classes, countries=countries, platforms=platforms,
                               years=years, doctrines=doctrines, statuses=statuses, outcome=outcome)
    if mode == "around":
        if start not in G:
            return [], False, 0
        nodes, cut = analytics.neighbourhood(G, start, depth, cap)
        return sorted(nodes), cut, len(nodes)
    if G.number_of_nodes() > cap:
        return sorted(analytics.top_by_degree(G, cap)), True, G.number_of_nodes()
    return sorted(G.nodes), False, G.number_of_nodes()


def body() -> None:
    st.title("Network")
    if ui.empty_notice():
        return
    G = data.graph()
    facets = data.facets()
    present = sorted({a.get("cls", "Entity") for _, a in G.nodes(data=True)})
    start_param = st.query_params.get("id")

    mode = st.radio("Show", ["whole", "around"], horizontal=True, key="net_mode",
                    index=1 if start_param else 0,
                    format_func=lambda m: {"whole": "The whole graph (filtered)",
                                           "around": "The neighbourhood of an entity"}[m])
    start, depth = None, 1
    if mode == "around":
        c1, c2 = st.columns([3, 1])
        with c1:
            start = ui.pick_entity("net_start", "Start from", default=start_param if start_param in G else None)
        with c2:
            depth = st.slider("Depth", 1, 4, 1, key="net_depth", help="How many relationships away to expand.")

    with st.expander("Filters", expanded=True):
        f1, f2, f3 = st.columns(3)
        left_out = f1.multiselect("Leave out classes", present, default=[c for c in present if c == "Source"],
                                  key="net_hide", format_func=network_view.class_label,
                                  help="Sources are left out by default: every hover card lists them.")
        classes = [c for c in present if c not in left_out]
        countries = f2.multiselect("Countries", sorted({c for r in facets for c in r["countries"]}), key="net_countries")
        platforms = f3.multiselect("Platforms", sorted({p for r in facets for p in r["platforms"]}), key="net_platforms")
        f4, f5, f6 = st.columns(3)
        doctrines = f4.multiselect("Doctrines", sorted({d for r in facets for d in r["doctrines"]}), key="net_doctrines")
        statuses = f5.multiselect("Conflict status", sorted({r["status"] for r in facets if r["status"]}),
                                  key="net_statuses")
        outcome = f6.text_input("Outcome contains", key="net_outcome", placeholder="e.g. withdrawn, fine, upheld")
        all_years = sorted({r["year"] for r in facets if r["year"]})
        years = None
        f7, f8 = st.columns([2, 1])
        if len(all_years) > 1:
            lo, hi = f7.slider("Conflicts that started between", all_years[0], all_years[-1],
                               (all_years[0], all_years[-1]), key="net_years")
            years = None if (lo, hi) == (all_years[0], all_years[-1]) else (lo, hi)
        cap = f8.number_input("Most nodes to draw", 50, 20000, 1500, step=250, key="net_cap",
                              help="Large views keep the best-connected nodes; the layout is computed on the "
                                   "server and physics is off, so thousands of nodes stay usable.")
        st.caption("Country, platform, year, doctrine, status and outcome select conflicts; the view then shows "
                   "those conflicts with their events, cases and everything these touch directly.")
    day = ui.as_of_slider("net_asof", data.spans())

    if mode == "around" and not start:
        st.info("Type a name above to pick the entity to start from.")
        return
    sig = repr((mode, start, depth, cap, classes, countries, platforms, years, doctrines, statuses, outcome, day))
    nodes, cut, matched = _select(G, sig, mode, start, depth, int(cap), tuple(classes), tuple(countries),
                                  tuple(platforms), years, tuple(doctrines), tuple(statuses), outcome.strip(),
                                  day, data.version())
    view = G.subgraph(nodes)
    st.caption(f"Showing {view.number_of_nodes():,} entities and {view.number_of_edges():,} relationships "
               f"(the graph has {G.number_of_nodes():,} and {G.number_of_edges():,})"
               + (f", as of {day.isoformat()}." if day else "."))
    if day:
        spans = data.spans()
        states = [valid_time.state(spans[n], day) for n in nodes if G.nodes[n].get("cls") == "Conflict"]
        if states:
            st.caption(f"On {day.isoformat()}: {states.count('holds')} of these conflicts were going on, "
                       f"{states.count('ended')} had ended.")
    if cut:
        st.warning(f"{matched:,} entities match; only {len(nodes):,} are drawn"
                   + (" (closest first)." if mode == "around" else " (best connected first).")
                   + " Narrow the filters or raise the limit.", icon="✂️")
    ui.show_network(view, key="net", signature=sig, highlight=(start,) if start else ())


ui.guard(body)
