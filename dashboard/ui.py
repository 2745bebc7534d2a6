"""Small pieces every page uses: safe text, tables with links, the entity picker, the network frame.

All text in the graph comes from outsiders. Streamlit markdown does not render raw HTML, but
it does render markdown (links, images, colours, LaTeX), so outsider text reaches markdown only
through ``md()``, which backslash-escapes every markdown character; tables (``st.dataframe``)
show plain text; links only ever carry http(s) URLs (``network_view.safe_url``).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

import networkx as nx
import pandas as pd
import streamlit as st

from dashboard import data, network_view
from graph import analytics, valid_time
from graph.csv_cells import csv_text
from graph.errors import GovplatError
from graph.model import Node, Path, Rel
from graph.settings import settings

__all__ = ["md", "cell", "frame", "facts_table", "empty_notice", "entity_url", "sources_frame", "pick_entity",
           "show_network", "download_table", "guard"]

_MD = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&@])")


def md(text: Any, limit: int | None = None) -> str:
    """Outsider text made inert for st.markdown (and every label that renders markdown)."""
    s = " ".join(str(text).split())
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return _MD.sub(r"\\\1", s)


def cell(v: Any) -> Any:
    """A value as a table shows it: lists joined, dates ISO, nodes and paths readable."""
    if isinstance(v, Node):
        return f"{v.props.get('name', v.id)} [{v.cls}]"
    if isinstance(v, Rel):
        return f"{v.src} -{v.type}-> {v.dst}"
    if isinstance(v, Path):
        return path_text(v)
    if isinstance(v, (list, tuple, set)):
        return "; ".join(str(cell(x)) for x in v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return "; ".join(f"{k}: {cell(x)}" for k, x in v.items())
    return v


def path_text(p: Path) -> str:
    names = {n.id: str(n.props.get("name", n.id)) for n in p.nodes}
    out = [names.get(p.nodes[0].id, p.nodes[0].id)] if p.nodes else []
    for i, r in enumerate(p.rels):
        nxt = p.nodes[i + 1].id if i + 1 < len(p.nodes) else r.dst
        arrow = f" —{r.type}→ " if r.src != nxt else f" ←{r.type}— "
        out.append(arrow + names.get(nxt, nxt))
    return "".join(out)


def frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame([{k: cell(v) for k, v in r.items()} for r in rows])
    if columns is not None:
        df = df.reindex(columns=columns) if len(df) else pd.DataFrame(columns=columns)
    return df


def entity_url(entity_id: str, page: str = "entity") -> str:
    """Relative link to an entity's page (``entity``, or ``conflict`` for a conflict's story);
    works under any base path."""
    from urllib.parse import quote

    return f"{page}?id={quote(str(entity_id), safe='')}"


def empty_notice() -> bool:
    """Say how to load data when the store is empty; True when it is."""
    if data.is_empty():
        st.info("The store is empty. Load the bundled conflicts with `govplat ingest` (or `govplat demo`), "
                "then press **Reload data** in the sidebar. Bring more sources with "
                "`govplat ingest SOURCE PATH...` (`govplat ingest --list` shows them).", icon="ℹ️")
        return True
    return False


def sources_frame(ids: list[str]) -> pd.DataFrame:
    """Sources by id, with title, publisher, date and a link (http(s) only)."""
    idx = data.sources_index()
    rows = []
    for sid in ids:
        s = idx.get(sid, {})
        rows.append({"source": s.get("title") or s.get("name") or sid, "publisher": s.get("publisher"),
                     "date": cell(s.get("publishedDate")), "kind": s.get("kind"),
                     "docket": s.get("docketNumber"), "link": network_view.safe_url(s.get("url")), "id": sid})
    return pd.DataFrame(rows, columns=["source", "link", "publisher", "date", "kind", "docket", "id"])


LINK = st.column_config.LinkColumn("link", display_text="open ↗", width="small")
OPEN = st.column_config.LinkColumn("page", display_text="open ↗", width="small")


def show_sources(ids: list[str], key: str) -> None:
    if not ids:
        st.caption("No sources recorded.")
        return
    st.dataframe(sources_frame(ids), hide_index=True, key=key, width="stretch",
                 column_config={"link": LINK, "source": st.column_config.TextColumn("source", width="medium")})


def facts_table(rows: list[tuple[str, Any]]) -> None:
    """Label/value pairs as a wrapping table. Every value is escaped here, and st.html sanitises
    what it shows again, so outsider text stays text."""
    import html as _html

    body = "".join(f"<tr><th>{_html.escape(str(k))}</th><td>{_html.escape(str(cell(v)))}</td></tr>" for k, v in rows)
    st.html("<style>.gp-facts{border-collapse:collapse;width:100%;font-size:0.9rem}"
            ".gp-facts th{text-align:left;vertical-align:top;color:#555;font-weight:500;padding:4px 12px 4px 0;"
            "white-space:nowrap;border-bottom:1px solid #eee}.gp-facts td{padding:4px 0;border-bottom:1px solid #eee;"
            f"overflow-wrap:anywhere}}</style><table class='gp-facts'>{body}</table>")


def rank_hits(G: nx.Graph, text: str, ids: list[str]) -> list[str]:
    """Search hits best first: an exact name, alias, handle or id; then one that starts with the
    text; then one that contains it; shorter names first within each group (typing "Twitter"
    offers Twitter, not an account whose alias mentions it)."""
    q = text.strip().lower().lstrip("@")

    def rank(i: str) -> tuple:
        names = _names(G, i)
        group = 0 if q in names else 1 if any(n.startswith(q) for n in names) else 2
        return group, len(str(G.nodes[i].get("name", i)) if i in G else i), i

    return sorted(ids, key=rank)


def _names(G: nx.Graph, i: str) -> list[str]:
    a = G.nodes[i] if i in G else {}
    names = [str(a.get("name", "")), i, str(a.get("handle") or "").lstrip("@"), *map(str, a.get("aliases") or [])]
    return [n.lower() for n in names if n]


def _exact(G: nx.Graph, text: str, i: str) -> bool:
    return text.strip().lower().lstrip("@") in _names(G, i)


def pick_entity(key: str, label: str = "Find an entity", default: str | None = None,
                help: str | None = None) -> str | None:
    """A search box (named query ``search``) and a choice among its hits; returns an id."""
    G = data.graph()
    text = st.text_input(label, key=f"{key}_q", placeholder="name, alias, handle or id", help=help,
                         value=(G.nodes[default].get("name", default) if default and default in G else ""))
    if not text.strip():
        return None
    try:
        rows = data.named("search", text=text.strip(), limit=50).rows
    except GovplatError as exc:
        st.error(md(exc))
        return None
    if not rows:
        st.caption("Nothing found; try part of a name, an alias or a handle.")
        return None
    ids = rank_hits(G, text, [r["id"] for r in rows])
    # Chosen without asking only when it is the default or the one exact match; otherwise the
    # reader picks (a first hit that merely contains the text is never taken silently).
    exact = [i for i in ids if _exact(G, text, i)]
    index = ids.index(default) if default in ids else ids.index(exact[0]) if len(exact) == 1 else None

    def fmt(i: str) -> str:
        a = G.nodes[i] if i in G else {}
        return f"{a.get('name', i)} · {network_view.class_label(a.get('cls', 'Entity'))} · {i}"

    return st.selectbox(f"{len(ids)} match{'es' if len(ids) != 1 else ''}", ids, index=index,
                        format_func=fmt, key=f"{key}_pick", placeholder="Choose one of the matches")


@st.cache_data(ttl=data.TTL, show_spinner="Drawing the network…", max_entries=64)
def _render(_view: nx.Graph, signature: str, height: int, highlight: tuple, v: str, _around: nx.Graph | None = None,
            heading: str = "govplat network", _part: dict | None = None, keep: bool = False, timed: bool = False) -> str:
    def draw() -> str:
        part = _part or {}
        return network_view.render(_view, height=height, sources=part["sources"] if part else data.sources_index(),
                                   highlight=set(highlight), around=_around, heading=heading,
                                   reserve=part.get("reserve"), neighbours=part.get("neighbours"),
                                   spans=data.spans() if timed else None, bounds=data.date_bounds() if timed else None)

    if keep:
        return data.saved("view_html", draw, signature=signature, height=height, highlight=highlight, heading=heading,
                          timed=timed)
    return draw()


#: What a canvas keeps in the page's URL (Network page): nodes expanded (in order), hidden and
#: pinned, the node focused on, classes switched off in the legend, colour and size by, and the
#: time slider's month and mode (``as_of``, ``as_of_mode``: the same words as as_of_slider's).
CANVAS_PARAMS = ("expand", "hidden", "pin", "focus", "off", "colour", "size", "as_of", "as_of_mode")


def canvas_state(key: str, signature: str, nodes, classes) -> dict:
    """The canvas state in the URL, read through :func:`url_value`: only ids of ``nodes`` (the
    graph the view was cut from), classes in ``classes``, a known colour and size. Read once per
    drawn view (``signature``) in a session: the canvas writes each change to the URL, which
    reruns the page, and the drawing must stay as it is (the same page, not reloaded)."""
    held = st.session_state.setdefault(f"{key}_canvas", {})
    if held.get("signature") != signature:
        limit, cut = settings().url_max_ids, []

        def ids(param: str) -> list[str]:
            found = [i for i in url_value(param, [], many=True) if i in nodes]
            if len(found) > limit:
                cut.append(f"{param} ({len(found):,})")
            return found[:limit]
        focus = url_value("focus", None)
        held.update(signature=signature, state={
            "expand": ids("expand"), "hidden": ids("hidden"), "pin": ids("pin"),
            "focus": focus if focus in nodes else None,
            "off": [c for c in url_value("off", [], many=True) if c in classes],
            "colour": url_value("colour", None, parse=lambda v: v if v in network_view.STYLE_KEYS else None),
            "size": url_value("size", None, parse=lambda v: v if v in network_view.SIZE_KEYS else None),
            "as_of": url_value("as_of", None, parse=lambda v: v if re.fullmatch(r"\d{4}-\d{2}", v) else None),
            "as_of_mode": url_value("as_of_mode", None, parse=lambda v: v if v in AS_OF_MODES else None)})
        if cut:
            st.warning(f"This link names more nodes than a view reads back: {', '.join(cut)}; the first {limit:,} "
                       "of each are used (GOVPLAT_URL_MAX_IDS).")
    return held["state"]


def show_network(view: nx.Graph, key: str, signature: str, height: int = 650,
                 highlight: tuple = (), downloads: bool = True, around: nx.Graph | None = None,
                 heading: str = "govplat network", part: dict | None = None, canvas: dict | None = None,
                 timed: bool = False) -> None:
    """Draw a view (cached per signature and data version) and offer it as HTML, GraphML and CSV.

    ``around`` is the graph the view was cut from: its undrawn neighbours travel with the page,
    so a click on a node can expand it (see ``network_view.render``). ``part``: graph.derived's
    ``network`` (``around`` is then its ``part``): the drawing is also kept on disk for this
    data version, so the default view opens without the whole graph. ``canvas``: the state to
    restore on the canvas and keep in the URL (:func:`canvas_state`; Network page only).
    ``timed``: the drawing carries every entity's and relationship's valid time and a time
    slider that hides, in the browser, what does not hold on its month."""
    if view.number_of_nodes() == 0:
        st.info("Nothing to draw: no entity matches.")
        return
    html = _render(view, signature, height, tuple(sorted(highlight)), data.version(), around, heading,
                   part, part is not None, timed)
    if canvas is not None:
        html = network_view.with_canvas_state(html, canvas)
    st.iframe(html, height=height + 12 + network_view.legend_height(view))
    if downloads:
        # Callables: each file is produced only when its button is pressed.
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.download_button("View as HTML", lambda: network_view.standalone(html), file_name="govplat-view.html",
                           mime="text/html", key=f"{key}_dl_html", on_click="ignore")
        c2.download_button("GraphML", lambda: analytics.to_graphml(view), file_name="govplat-view.graphml",
                           mime="application/xml", key=f"{key}_dl_graphml", on_click="ignore")
        c3.download_button("Nodes CSV", lambda: analytics.to_csv(view)[0], file_name="govplat-view-nodes.csv",
                           mime="text/csv", key=f"{key}_dl_nodes", on_click="ignore")
        c4.download_button("Relations CSV", lambda: analytics.to_csv(view)[1],
                           file_name="govplat-view-relations.csv", mime="text/csv", key=f"{key}_dl_edges",
                           on_click="ignore")
        c5.download_button("GEXF (with time)", lambda: valid_time.to_gexf(view, data.spans()),
                           file_name="govplat-view.gexf", mime="application/xml", key=f"{key}_dl_gexf",
                           on_click="ignore", help="For Gephi: each node and relationship carries the dates "
                                                   "it holds, so Gephi's timeline can play the view.")


def download_table(df: pd.DataFrame, key: str, name: str, label: str = "Download CSV") -> None:
    """A CSV download of ``df``, spreadsheet-safe (:func:`graph.csv_cells.csv_text`)."""
    st.download_button(label, lambda: csv_text(df.columns, df.itertuples(index=False, name=None)),
                       file_name=f"{name}.csv", mime="text/csv", key=f"{key}_dl", on_click="ignore")


def guard(fn) -> None:
    """Run a page body; govplat errors (store busy, bad ontology, query failures) become messages."""
    from graph.errors import StoreBusyError

    try:
        fn()
    except StoreBusyError as exc:
        st.warning(f"{md(exc)} An ingest is probably running; reload this page when it has finished.", icon="⏳")
    except GovplatError as exc:
        st.error(md(exc))


#: Seconds between two steps while the time slider plays.
PLAY_SECONDS = 1.5


#: The time sliders' two readings of "as of D" (the first is the default, as the named queries' as_of).
AS_OF_MODES = {"held": "held on that date", "begun": "begun by that date (ended ones kept)"}


class AsOf(NamedTuple):
    """A time slider's position; ``mode`` is a key of AS_OF_MODES."""

    day: dt.date
    mode: str

    def words(self) -> str:
        return (f"held on {self.day.isoformat()}" if self.mode == "held"
                else f"begun by {self.day.isoformat()}")


def as_of_slider(key: str, bounds, label: str = "As of") -> AsOf | None:
    """A month slider whose position is in the URL (``?as_of=YYYY-MM``); None when switched off.

    What it shows is what *held on* the last day of the chosen month (valid time: validFrom on
    or before it, validTo absent or on or after it), as a named query's ``as_of`` reads it;
    ``?as_of_mode=begun`` (a choice beside the slider) shows instead everything that had begun
    by then, ended records kept as history.

    A Play button steps it by a month or a year every PLAY_SECONDS (the page redraws at each
    step) until it reaches the last month; Next steps once."""
    import calendar

    if not bounds:
        return None
    stops = network_view.months(*bounds)
    raw = st.query_params.get("as_of", "")
    chosen = next((d for d in stops if d.strftime("%Y-%m") == raw[:7]), None)
    on = st.toggle(f"{label} a date", value=chosen is not None, key=f"{key}_on",
                   help="Show the graph as it stood at the end of a month: by default what held on that day "
                        "(begun by then and not yet ended).")
    if not on:
        st.query_params.pop("as_of", None)
        st.query_params.pop("as_of_mode", None)
        st.session_state[f"{key}_playing"] = False
        return None
    month_key, step_key, playing_key = f"{key}_month", f"{key}_step", f"{key}_playing"
    if month_key not in st.session_state:
        st.session_state[month_key] = chosen or stops[-1]
    from_url(f"{key}_mode", "as_of_mode", "held", parse=lambda s: s if s in AS_OF_MODES else "held")
    playing = st.session_state.get(playing_key, False)
    if st.session_state.pop(f"{key}_tick", False) and playing:
        _step(month_key, stops, st.session_state.get(step_key, "month"))
        if st.session_state[month_key] == stops[-1]:
            st.session_state[playing_key] = playing = False
    c1, c2, c3, c4 = st.columns([8, 1, 1, 2], vertical_alignment="bottom")
    month = c1.select_slider(label, options=stops, key=month_key, format_func=lambda d: d.strftime("%Y-%m"),
                             help="The end of this month is the date the view is taken on.")

    def play() -> None:
        st.session_state[playing_key] = not playing
        if not playing and st.session_state[month_key] == stops[-1]:
            st.session_state[month_key] = stops[0]  # play from the start

    c2.button("Pause" if playing else "Play", key=f"{key}_play", on_click=play,
              icon=":material/pause:" if playing else ":material/play_arrow:",
              help=f"Step through time, one step every {PLAY_SECONDS:g} s.")
    c3.button("Next", key=f"{key}_next", icon=":material/skip_next:", help="One step later.",
              on_click=lambda: _step(month_key, stops, st.session_state.get(step_key, "month")))
    c4.radio("Step", ["month", "year"], key=step_key, horizontal=True, label_visibility="collapsed")
    mode = st.radio("Show what was", list(AS_OF_MODES), key=f"{key}_mode", horizontal=True,
                    format_func=AS_OF_MODES.get,
                    help="Held on that date: records whose valid time (validFrom to validTo) includes the "
                         "day, as `govplat query NAME -p as_of=DAY` reads them. Begun by that date: "
                         "everything that had started, ended ones included.")
    st.query_params["as_of"] = month.strftime("%Y-%m")
    to_url("as_of_mode", mode, "held")
    if playing:
        _ticker(key)
    return AsOf(dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1]), mode)


def _step(month_key: str, stops: list, step: str) -> None:
    i = stops.index(st.session_state[month_key]) if st.session_state[month_key] in stops else 0
    st.session_state[month_key] = stops[min(len(stops) - 1, i + (12 if step == "year" else 1))]


def _ticker(key: str) -> None:
    """While playing: a fragment that reruns the page every PLAY_SECONDS (its first run, inside
    the page's own run, only arms it)."""
    armed = f"{key}_armed"
    st.session_state[armed] = False

    @st.fragment(run_every=PLAY_SECONDS)
    def tick() -> None:
        if st.session_state.get(armed):
            st.session_state[f"{key}_tick"] = True
            st.rerun(scope="app")
        st.session_state[armed] = True

    tick()


# ----------------------------------------------------------------------------- state in the URL
def url_value(param: str, default: Any, parse=str, many: bool = False) -> Any:
    """The URL's ``param`` turned into a value by ``parse`` (a list of them with ``many``); a
    value it cannot parse, or none, gives ``default``. Every state a page reads from its URL
    goes through here."""
    raw = st.query_params.get_all(param) if many else st.query_params.get(param)
    if raw in (None, "", []):
        return default
    try:
        return [parse(r) for r in raw] if many else parse(raw)
    except (ValueError, TypeError):
        return default


def from_url(key: str, param: str, default: Any, parse=str, many: bool = False) -> None:
    """Start the widget ``key`` from the URL's ``param`` (once per visit: while the widget is on
    the page its own state wins). ``parse`` turns the text into the widget's value; a value it
    cannot parse is ignored (the widget keeps ``default``)."""
    if key in st.session_state:
        return
    st.session_state[key] = url_value(param, default, parse, many)


def to_url(param: str, value: Any, default: Any = None) -> None:
    """Write a page's state to the URL; a default (or empty) value leaves the URL clean."""
    if value == default or value in (None, "", [], ()):
        st.query_params.pop(param, None)
    elif isinstance(value, (list, tuple)):
        st.query_params[param] = [str(v) for v in value]
    else:
        st.query_params[param] = str(value)


def share_link() -> str:
    """The address of this view (page and every state in its URL), shown with a copy button."""
    from urllib.parse import urlencode

    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # noqa: BLE001 - no browser (AppTest, bare mode): a relative link
        base = ""
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    link = base + ("?" + urlencode(pairs) if pairs else "")
    with st.popover("Copy link to this view", icon=":material/link:"):
        st.caption("Everything chosen on this page is in the link: open it to see the same view.")
        st.code(link or "(this page, with no choices made)", language=None, wrap_lines=True)
    return link


# ----------------------------------------------------------------------------- one time axis
def time_ticks(first: dt.date, last: dt.date) -> tuple[list[dt.date], str]:
    """Tick dates and their format for a continuous time axis from ``first`` to ``last``: every
    year (no year dropped, even one with no event), or every month on spans under two years."""
    if (last - first).days < 730:
        return [d for d in network_view.months(first, last)] + [_next_month(last)], "%Y-%m"
    step = max(1, (last.year - first.year + 1) // 30)  # about 30 labels at most, every year below that
    return [dt.date(y, 1, 1) for y in range(first.year, last.year + 2, step)], "%Y"


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def timeline_chart(df: pd.DataFrame, *, row: str, row_title: str, color: str, color_title: str | None,
                   tooltip: list, key: str, row_order: list | None = None) -> None:
    """The one timeline of the dashboard (conflict stories, entity pages): events as dots on a
    continuous date axis that runs over whole years (months on short spans), one row per ``row``
    value, both axes titled."""
    import altair as alt

    days = [pd.Timestamp(d).date() for d in df["date"]]
    first, last = min(days), max(days)
    ticks, fmt = time_ticks(first, last)
    start = dt.date(first.year, 1, 1) if fmt == "%Y" else dt.date(first.year, first.month, 1)
    end = ticks[-1]
    x = alt.X("date:T", title="date", scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]),
              axis=alt.Axis(values=[t.isoformat() for t in ticks], format=fmt, labelOverlap=False,
                            labelAngle=-45 if len(ticks) > 14 else 0))
    legend = None if color_title is None else alt.Legend(title=color_title)
    chart = alt.Chart(df).mark_circle(size=150).encode(
        x=x, y=alt.Y(f"{row}:N", sort=row_order, title=row_title),
        color=alt.Color(f"{color}:N", sort=row_order if color == row else None, legend=legend), tooltip=tooltip)
    st.altair_chart(chart.properties(height=80 + 36 * df[row].nunique()), width="stretch", key=key)
