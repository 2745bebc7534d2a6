"""Every pyvis call of the dashboard: a networkx view of the graph becomes a self-contained page.

Why it looks like this:
* Positions come from ``dashboard.layout`` (server side, once per view); physics runs
  only for small views and is frozen after it settles, so thousands of nodes draw at once
  instead of after a minute of simulation in the browser.
* Everything is inline (vis-network from the pyvis package, no CDN): the dashboard works
  offline and behind strict proxies.
* All text comes from outsiders. Hover cards are HTML built here with ``html.escape`` on
  every value and only http(s) links; node and edge data reach the page through Jinja's
  ``tojson`` (which escapes ``<``, ``>``, ``&``, ``'``), and labels are drawn on a canvas.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

from dashboard.layout import layout
from graph.derived import neighbour_counts, reserve_of
from graph.ontology import ontology

__all__ = ["render", "with_canvas_state", "SIZE_KEYS", "style_facts", "standalone", "class_label", "legend_height", "default_pyvis_html", "legend", "style", "safe_url", "card_html", "PHYSICS_MAX_NODES", "months"]

#: Views up to this many nodes get a short physics pass (then freeze); larger ones are static.
PHYSICS_MAX_NODES = 150
#: Edge labels (relationship types) are drawn up to this many edges; above, they show on hover.
EDGE_LABEL_MAX = 600
#: Pixels of the tool bar (find, colour by, size by, exports) above the drawing.
TOOLBAR_HEIGHT = 36
#: A click on "expand" brings in this many undrawn neighbours; "show N more" the next as many.
EXPAND_STEP = 10
#: The best-connected nodes of a view keep their labels at every zoom (conflicts always do).
TOP_LABELLED = 10
#: Communities (for "colour by community") are computed for pages up to this many nodes.
COMMUNITY_MAX_NODES = 1000
#: What the canvas can colour nodes by (besides their class), with the words shown for each.
STYLE_KEYS = {"country": "country", "year": "year", "status": "status", "outcome": "outcome",
              "community": "community"}
#: What the canvas can size nodes by besides their connections (``degree``, the default).
SIZE_KEYS = ("year", "equal")
_CANVAS_SLOT = "/*gp-canvas*/null/*gp-canvas*/"

_ENTITY_BASE = "entity?id="
_TEMPLATES = Path(__file__).parent / "templates"
_VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

# Styling by family: the first family a class belongs to gives its shape and palette.
_FAMILIES: list[tuple[str, str, list[str]]] = [
    ("Conflict", "star", ["#222222"]),
    ("Demand", "triangleDown", ["#d7301f", "#fc8d59", "#b30000", "#ef6548"]),
    ("Court", "square", ["#6a3d9a"]),
    ("GovernmentBody", "diamond", ["#b2182b", "#e34a33", "#f4a582", "#67001f", "#d6604d"]),
    ("CourtCase", "square", ["#cab2d6"]),
    ("Ruling", "triangle", ["#8e6bbf"]),
    ("Event", "triangle", ["#1b9e77", "#66a61e", "#e7298a", "#a6761d", "#e6ab02", "#17becf", "#7570b3", "#666666"]),
    ("Platform", "dot", ["#2166ac"]),
    ("Company", "square", ["#4393c3"]),
    ("Account", "triangle", ["#74add1"]),
    ("Person", "dot", ["#01665e", "#35978f"]),
    ("CivilSocietyOrganization", "hexagon", ["#1a9850"]),
    ("Jurisdiction", "hexagon", ["#878787", "#bababa"]),
    ("Law", "square", ["#8c510a"]),
    ("LegalDoctrine", "diamond", ["#bf812d"]),
    ("Source", "dot", ["#c7c7c7"]),
    ("Entity", "dot", ["#999999", "#bbbbbb", "#777777"]),
]
_SYMBOLS = {"star": "\u2605", "triangleDown": "\u25bc", "triangle": "\u25b2", "square": "\u25a0", "box": "\u25ac",
            "diamond": "\u25c6", "dot": "\u25cf", "hexagon": "\u2b22"}
# Facts shown first on a card, in this order; the rest follow alphabetically.
_FIRST = ["kind", "date", "startDate", "endDate", "filedDate", "terminatedDate", "status", "outcome",
          "countryCode", "handle", "claimedAffiliation", "docketNumber", "citation", "publisher", "title",
          "publishedDate", "description"]
_HIDDEN = {"name", "sources", "uri", "text", "cls"}


@lru_cache(maxsize=1)
def _styles() -> dict[str, tuple[str, str]]:
    onto = ontology()
    out: dict[str, tuple[str, str]] = {}
    for family, shape, palette in _FAMILIES:
        if family not in onto.classes:
            continue
        for i, cls in enumerate(c for c in onto.concrete_subclasses(family) if c not in out):
            out[cls] = (palette[i % len(palette)], shape)
    return out


def style(cls: str) -> tuple[str, str]:
    """(colour, vis-network shape) of a class."""
    return _styles().get(cls, ("#999999", "dot"))


def class_label(cls: str) -> str:
    info = ontology().classes.get(cls)
    return info.label if info and info.label else cls


def safe_url(url: Any) -> str | None:
    """The URL if it is http(s), else None: no javascript:, data: or relative tricks reach a link."""
    if not isinstance(url, str):
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _text(value: Any, limit: int = 300) -> str:
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(_text(v, 80) for v in list(value)[:8]) + (" …" if len(value) > 8 else "")
    elif isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def card_html(node_id: str, attrs: dict, sources: dict[str, dict] | None = None, max_sources: int = 6) -> str:
    """The hover card of one node: key facts and sources, every value escaped."""
    e = lambda v, n=300: html.escape(_text(v, n), quote=True)  # noqa: E731
    cls = attrs.get("cls", "Entity")
    parts = [f'<div class="gp-card"><div class="gp-name">{e(attrs.get("name", node_id), 160)}</div>',
             f'<div class="gp-cls">{e(class_label(cls))} &middot; <code>{e(node_id, 120)}</code></div><table>']
    keys = [k for k in _FIRST if k in attrs] + sorted(k for k in attrs if k not in _FIRST and k not in _HIDDEN)
    for k in keys:
        if attrs.get(k) in (None, "", []):
            continue
        parts.append(f'<tr><td class="gp-k">{e(k, 40)}</td><td>{e(attrs[k])}</td></tr>')
    parts.append("</table>")
    src_ids = list(attrs.get("sources") or [])
    if src_ids:
        parts.append(f"<div>Sources ({len(src_ids)}):</div><ul>")
        for sid in src_ids[:max_sources]:
            s = (sources or {}).get(sid, {})
            label = s.get("title") or s.get("name") or sid
            url = safe_url(s.get("url"))
            if url:
                parts.append(f'<li><a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
                             f"{e(label, 140)}</a></li>")
            else:
                parts.append(f"<li>{e(label, 140)}</li>")
        if len(src_ids) > max_sources:
            parts.append(f"<li>… {len(src_ids) - max_sources} more</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def legend(G: nx.Graph) -> list[dict]:
    """Classes present in the view with colour, symbol and count (most frequent first)."""
    counts = Counter(a.get("cls", "Entity") for _, a in G.nodes(data=True))
    out = []
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        color, shape = style(cls)
        out.append({"cls": cls, "label": class_label(cls), "color": color, "shape": shape,
                    "symbol": _SYMBOLS.get(shape, "\u25cf"), "count": n})
    return out


def legend_height(G: nx.Graph, width: int = 900) -> int:
    """Pixels the tool bar above the drawing and the legend strip under it need (the legend
    wraps at about ``width`` pixels)."""
    chars = sum(len(i["label"]) + 12 for i in legend(G)) + 60
    return TOOLBAR_HEIGHT + 22 * max(1, math.ceil(chars * 7 / width)) + 30


class _Net(Network):
    """pyvis Network with set-based membership checks (the stock ones are O(n) per call)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ids: set = set()

    def add_node(self, n_id, label=None, shape="dot", color="#97c2fc", **options):
        if n_id in self._ids:
            return
        self._ids.add(n_id)
        node = {**options, "id": n_id, "label": label if label is not None else n_id, "shape": shape}
        if "group" not in options:
            node["color"] = color
        self.nodes.append(node)
        self.node_ids.append(n_id)
        self.node_map[n_id] = node

    def add_edge(self, source, to, **options):
        if source not in self._ids or to not in self._ids:
            raise ValueError(f"edge {source!r} -> {to!r} joins a node that is not in the view")
        edge = {**options, "from": source, "to": to}
        self.edges.append(edge)


def _options(n_nodes: int, n_edges: int, physics: bool) -> dict:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False},
        "physics": ({"enabled": True, "solver": "barnesHut",
                     "barnesHut": {"gravitationalConstant": -6000, "springLength": 150, "avoidOverlap": 0.5},
                     "stabilization": {"enabled": True, "iterations": 150, "fit": True}}
                    if physics else {"enabled": False}),
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_edges > 2000,
                        "hideEdgesOnZoom": n_edges > 5000, "navigationButtons": False, "multiselect": False},
        "nodes": {"font": {"size": 12, "face": "Source Sans Pro, sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "scaling": {"label": {"enabled": True, "drawThreshold": 7}}, "borderWidth": 1},
        "edges": {"color": {"color": "#b0b0b0", "highlight": "#333333", "hover": "#555555"},
                  "smooth": False if n_edges > 300 else {"type": "continuous"},
                  # Arrowheads cost a third of vis-network's set-up time and are invisible in a
                  # hairball; above 5,000 edges direction shows in each edge's hover text only.
                  "arrows": {"to": {"enabled": n_edges <= 5000, "scaleFactor": 0.45}},
                  "font": {"size": 9, "color": "#666666", "strokeWidth": 2, "align": "middle"},
                  "width": 1},
    }


def style_facts(G: nx.Graph, node: str, member: dict[str, int] | None = None) -> dict[str, Any]:
    """The properties a canvas can colour or size a node by: country (its own code, else its
    jurisdiction's), year (of its date, start or filing), status, outcome and community."""
    a = G.nodes[node]
    country = a.get("countryCode")
    if not country and G.is_directed():
        for _, v, k in (G.out_edges(node, keys=True) if G.is_multigraph() else ((u, v, d.get("type")) for u, v, d in G.out_edges(node, data=True))):
            if k == "IN_JURISDICTION":
                country = G.nodes[v].get("countryCode") or G.nodes[v].get("name")
                break
    year = None
    for k in ("date", "startDate", "filedDate", "publishedDate"):
        v = a.get(k)
        if v:
            try:
                year = int(str(v)[:4])
                break
            except ValueError:
                continue
    out = {"country": country, "year": year, "status": a.get("status"), "outcome": _text(a.get("outcome"), 40) if a.get("outcome") else None,
           "community": (member or {}).get(node)}
    return {k: v for k, v in out.items() if v not in (None, "")}


def _node(node: str, a: dict, *, degree: int, pos: tuple[float, float], sources: dict | None, small_cards: bool,
          highlight: bool, labelled: bool, facts: dict) -> dict:
    cls = a.get("cls", "Entity")
    color, shape = style(cls)
    size = min(40.0, 9 + 4 * math.log2(1 + degree)) + (8 if cls == "Conflict" else 0)
    name = str(a.get("name") or node)
    out: dict[str, Any] = {
        "id": node, "label": name if len(name) <= 42 else name[:41] + "…", "shape": shape,
        "x": round(pos[0], 1), "y": round(pos[1], 1), "size": round(size, 1),
        "title": card_html(node, a, sources, 2 if small_cards else 6),
        "color": {"background": color, "border": "#222222" if highlight else color,
                  "highlight": {"background": color, "border": "#000000"},
                  "hover": {"background": color, "border": "#000000"}},
        "cls": cls, "deg": degree, "facts": facts}
    if highlight:
        out.update(borderWidth=5, size=round(size + 10, 1), font={"size": 16, "strokeWidth": 4})
    if labelled or highlight:
        # Always drawn, however far out the view is zoomed (vis-network skips labels whose
        # on-screen size falls below the threshold).
        out["scaling"] = {"label": {"enabled": True, "drawThreshold": 0}}
        out["labelled"] = True
    return out


def _edges(G: nx.Graph, show_labels: bool) -> list[dict]:
    out = []
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, d.get("type", ""), d) for u, v, d in G.edges(data=True))
    for i, (u, v, k, d) in enumerate(edges):
        rtype = str(d.get("type") or k or "")
        role = d.get("role")
        own = _iso_span((d.get("validFrom"), d.get("validTo")))
        e = {"id": f"e{i}", "from": u, "to": v, "vf": own[0], "vt": own[1],
             "title": f"{G.nodes[u].get('name', u)} —{rtype}{f' ({role})' if role else ''}→ {G.nodes[v].get('name', v)}"}
        if show_labels:
            e["label"] = rtype + (f" ({role})" if role and len(str(role)) <= 24 else "")
        out.append(e)
    return out


def render(G: nx.Graph, *, height: int = 650, sources: dict[str, dict] | None = None,
           entity_base: str | None = None, highlight: set[str] | frozenset = frozenset(),
           positions: dict[str, tuple[float, float]] | None = None, heading: str = "govplat network",
           seed: int = 42, around: nx.Graph | None = None, reserve: set[str] | None = None,
           neighbours: dict[str, int] | None = None, spans: dict | None = None, bounds=None) -> str:
    """The view as one self-contained HTML page (vis-network inline, no network access needed).

    Parameters
    ----------
    G : networkx graph
        The view; node attributes ``cls``, ``name``, ``sources`` and facts, edges ``type``/``role``.
    sources : dict
        Source id -> {title, url, ...} for the hover cards' source links.
    entity_base : str or None
        Link prefix to an entity page (the node id is appended); default ``entity?id=``, the
        dashboard's entity page; "" for no links.
    highlight : set of str
        Nodes drawn larger with a thick border (the searched entity, a path's ends).
    positions : dict
        Precomputed positions; computed with ``dashboard.layout.layout`` when omitted.
    around : networkx graph
        The graph the view was cut from: the undrawn neighbours of the view's nodes in it
        (see :func:`graph.derived.reserve_of`) travel with the page, so clicking a node expands it.
    reserve, neighbours : set, dict
        Precomputed (graph.derived's ``network``): the undrawn neighbours to ship, and each
        node's neighbour count in the graph the view was cut from; ``around`` is then only the
        part of that graph over the view and ``reserve``.
    spans, bounds : dict, (date, date)
        Each entity's valid time (graph.valid_time.intervals) and the graph's first and last
        date: with both, the page has a time slider that hides, in the browser, what does not
        hold on the chosen month's last day (the rule of graph.derived's held / held_edges).
    """
    entity_base = _ENTITY_BASE if entity_base is None else entity_base or None
    n, m = G.number_of_nodes(), G.number_of_edges()
    physics = 0 < n <= PHYSICS_MAX_NODES
    pos = positions if positions is not None else layout(G, seed=seed)
    if reserve is None:
        reserve = reserve_of(G, around) if around is not None else set()
    # Copies, not views: networkx subgraph views are slow to walk thousands of times.
    whole = around.subgraph(set(G.nodes) | reserve).copy() if reserve else G.copy()
    degree = dict(whole.degree())
    view_degree = dict(G.degree())
    top = set(sorted(G.nodes, key=lambda x: (-view_degree.get(x, 0), x))[:TOP_LABELLED])
    member: dict[str, int] = {}
    if 0 < n <= COMMUNITY_MAX_NODES:  # the drawn view's communities; expanded nodes have none
        from graph.analytics import communities
        member = communities(whole.subgraph(G.nodes).copy())[1]
    small_cards = whole.number_of_nodes() > 3000
    base = around if around is not None else G
    # How many neighbours each node has in the graph the view was cut from ("N more are not loaded").
    if neighbours is None:
        neighbours = neighbour_counts(base, whole.nodes)
    nodes = []
    for node, a in whole.nodes(data=True):
        in_view = node in G
        d = _node(node, a, degree=view_degree.get(node, 0) if in_view else degree.get(node, 0),
                  pos=pos.get(node, (0.0, 0.0)), sources=sources, small_cards=small_cards,
                  highlight=node in highlight, labelled=in_view and (node in top or a.get("cls") == "Conflict"),
                  facts=style_facts(whole, node, member))
        if not in_view:
            d["reserve"] = True
        d["nb"] = neighbours.get(node, 0)
        if spans is not None:
            d["vf"], d["vt"] = _iso_span(spans.get(node, (None, None)))
        nodes.append(d)
    edges_out = _edges(whole, show_labels=m <= EDGE_LABEL_MAX)
    timed = spans is not None and bool(bounds)
    options = _options(n, m, physics)
    hint = ("Hover a node for its facts; click to pin its card and expand, hide or focus it"
            + ("; double-click to open its page." if entity_base else "."))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True)
    return env.get_template("network.html").render(
        heading=heading, height=f"{height}px", nodes=nodes, edges=edges_out, options=options,
        vis_js=_vis_asset("vis-network.min.js"), vis_css=_vis_asset("vis-network.css"),
        classes=_class_styles(whole), entity_base=entity_base, hint=hint, expand_step=EXPAND_STEP,
        style_keys=STYLE_KEYS,
        months=[d.strftime("%Y-%m") for d in months(*bounds)] if timed else None)


def _iso_span(span) -> tuple[str | None, str | None]:
    """A valid time as ISO days (None where open): the page compares them as text."""
    from graph.valid_time import day_of

    return tuple((day.isoformat() if (day := day_of(v)) else None) for v in span)  # type: ignore[return-value]


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s (a time slider's stops)."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _class_styles(G: nx.Graph) -> dict[str, dict]:
    out = {}
    for cls in sorted({a.get("cls", "Entity") for _, a in G.nodes(data=True)}):
        color, shape = style(cls)
        out[cls] = {"label": class_label(cls), "color": color, "symbol": _SYMBOLS.get(shape, "\u25cf")}
    return out


def with_canvas_state(page: str, state: dict) -> str:
    """A rendered page that restores ``state`` on its canvas and keeps the canvas' state in the
    dashboard page's URL (see templates/network.html, ``keepState``). ``state`` reaches the page
    as HTML-safe JSON, as every other datum does."""
    from jinja2.utils import htmlsafe_json_dumps

    return page.replace(_CANVAS_SLOT, f"/*gp-canvas*/{htmlsafe_json_dumps(state)}/*gp-canvas*/", 1)


def standalone(page: str) -> str:
    """A rendered view made fit to save as a file: entity-page links are dropped (they are
    relative to the dashboard and would point nowhere)."""
    return page.replace("var entityBase = " + json.dumps(_ENTITY_BASE) + ";", "var entityBase = null;", 1)


@lru_cache(maxsize=2)
def _vis_asset(name: str) -> str:
    text = (_VIS / name).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def default_pyvis_html(G: nx.Graph) -> str:
    """The same graph with pyvis's defaults (stock template, physics on, no positions): the
    benchmark baseline. Remote stylesheet/script tags are stripped so that both pages load
    offline and only the drawing is compared."""
    import re

    net = _Net(height="650px", width="100%", directed=True, cdn_resources="in_line")
    for node, a in G.nodes(data=True):
        net.add_node(node, label=str(a.get("name") or node), title=html.escape(str(a.get("name") or node)))
    for u, v in G.edges():
        net.add_edge(u, v)
    page = net.generate_html()
    page = re.sub(r'<link[^>]+href="https?://[^"]+"[^>]*>', "", page)
    page = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>', "", page)
    hook = ("<script>network.once('stabilized', function () { window.gpReady = true; "
            "window.gpDrawnMs = performance.now(); document.body.setAttribute('data-gp-ready', '1'); });</script>")
    return page.replace("</body>", hook + "</body>")

