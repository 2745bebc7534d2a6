"""The graph as networkx: projection of a store, views, layout and the measures researchers ask for.

Every function takes the graph first and returns plain data (dicts, lists, sets) or a new
networkx graph; randomness takes ``seed=``. Nodes are entity ids with the attributes ``cls``,
``name``, ``sources`` and every other property the entity has; edges are keyed by
relationship type and carry ``type``, ``sources`` and, where present, ``role``.

Only networkx and numpy are needed (no scipy): PageRank is written with numpy here because
networkx's version imports scipy. Where to draw the nodes is dashboard/layout.py's business.

>>> G = from_records([], [])
>>> G.number_of_nodes()
0
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from graph.csv_cells import csv_text
from graph.model import Entity, Node, Path, Rel, Relation
from graph.ontology import ontology

__all__ = [
    "to_networkx", "from_records", "result_graph",
    "conflict_facets", "conflict_scope", "filter_graph", "neighbourhood", "top_by_degree",
    "degree_centrality", "pagerank", "centralities", "communities",
    "pressure_graph", "pressure_table", "co_pressure", "demands_per_year", "events_of",
    "to_graphml", "to_csv", "lineage",
]

#: Relationship types through which an event reaches the platform it is aimed at.
_AIMED_AT = ("ADDRESSED_TO", "TARGETS", "AFFECTS")


# ----------------------------------------------------------------------------- projection
DOCUMENT_CLASSES = ("Source", "RequestStatistic")  # left out of networks and analytics unless asked for


def without_documents(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph without its DOCUMENT_CLASSES nodes (a read-only view)."""
    return G.subgraph([n for n, c in G.nodes(data="cls") if c not in DOCUMENT_CLASSES])


def to_networkx(store) -> nx.MultiDiGraph:
    """Project everything a store holds into a MultiDiGraph (one edge per relationship).

    Parameters
    ----------
    store : graph.stores.Store
        Any store; only ``dump()`` is used, so it works on every engine.

    Returns
    -------
    networkx.MultiDiGraph
    """
    entities, relations = store.dump()
    return from_records(entities, relations)


def from_records(entities: Iterable[Entity], relations: Iterable[Relation]) -> nx.MultiDiGraph:
    """Build the projection from Entity and Relation records.

    Examples
    --------
    >>> from graph.csv_cells import csv_text
from graph.model import Entity, Relation
    >>> G = from_records([Entity("a", "Platform", {"name": "A"}, ["s"]), Entity("b", "Company", {}, ["s"])],
    ...                  [Relation("OPERATES", "b", "a", {}, ["s"])])
    >>> G.nodes["a"]["name"], list(G.edges("b", keys=True))
    ('A', [('b', 'a', 'OPERATES')])
    """
    G = nx.MultiDiGraph()
    for e in entities:
        attrs = {k: v for k, v in e.props.items() if v not in (None, [])}
        attrs.update(cls=e.cls, name=str(e.props.get("name") or e.id), sources=list(e.sources))
        G.add_node(e.id, **attrs)
    for r in relations:
        for end in (r.src, r.dst):
            if end not in G:
                G.add_node(end, cls="Entity", name=end, sources=[])
        attrs = {k: v for k, v in r.props.items() if v is not None}
        attrs.update(type=r.type, sources=list(r.sources))
        G.add_edge(r.src, r.dst, key=r.type, **attrs)
    return G


def result_graph(values: Any, base: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
    """The nodes, relationships and paths found anywhere in query results, as a graph.

    ``values`` may be result rows, lists or single Node/Rel/Path objects. Attributes missing
    from the result (a relationship's far end) are filled from ``base`` when given.
    """
    G = nx.MultiDiGraph()

    def add_node(n: Node) -> None:
        attrs = {k: v for k, v in n.props.items() if v not in (None, [])}
        attrs.update(cls=n.cls, name=str(n.props.get("name") or n.id), sources=list(n.props.get("sources") or []))
        G.add_node(n.id, **attrs)

    def add_rel(r: Rel) -> None:
        for end in (r.src, r.dst):
            if end not in G:
                G.add_node(end, **(dict(base.nodes[end]) if base is not None and end in base
                                   else {"cls": "Entity", "name": end, "sources": []}))
        attrs = {k: v for k, v in r.props.items() if v is not None}
        attrs["type"] = r.type
        G.add_edge(r.src, r.dst, key=r.type, **attrs)

    def walk(v: Any) -> None:
        if isinstance(v, Node):
            add_node(v)
        elif isinstance(v, Rel):
            add_rel(v)
        elif isinstance(v, Path):
            for n in v.nodes:
                add_node(n)
            for r in v.rels:
                add_rel(r)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(values)
    return G


# ----------------------------------------------------------------------------- facets and views
def _is(G: nx.MultiDiGraph, node: str, cls: str) -> bool:
    c = G.nodes[node].get("cls", "Entity")
    onto = ontology()
    return c in onto.classes and onto.is_a(c, cls)


def _year(value: Any) -> int | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def _members(G: nx.MultiDiGraph, conflict: str) -> list[str]:
    return [u for u, _, k in G.in_edges(conflict, keys=True) if k == "IN_CONFLICT"]


def _jurisdiction_label(G: nx.MultiDiGraph, node: str) -> str:
    a = G.nodes[node]
    return str(a.get("countryCode") or a.get("name") or node)


def conflict_facets(G: nx.MultiDiGraph) -> list[dict]:
    """One row per conflict with what the filters and the overview charts need.

    Countries are the conflict's jurisdictions (ISO codes); platforms are the platforms it
    involves or its events are aimed at; doctrines are those the conflict or its events and
    cases invoke.

    Returns
    -------
    list of dict
        Keys ``id, name, year, started, status, outcome, countries, platforms, doctrines``
        (the last three sorted lists), newest first.
    """
    rows = []
    for c, attrs in G.nodes(data=True):
        if attrs.get("cls") != "Conflict":
            continue
        members = _members(G, c)
        countries, platforms, doctrines = set(), set(), set()
        for _, v, k in G.out_edges(c, keys=True):
            if k == "IN_JURISDICTION":
                countries.add(_jurisdiction_label(G, v))
            elif k == "INVOLVES" and G.nodes[v].get("cls") == "Platform":
                platforms.add(G.nodes[v]["name"])
            elif k in ("INVOLVES", "INVOKES") and G.nodes[v].get("cls") == "LegalDoctrine":
                doctrines.add(G.nodes[v]["name"])
        for m in members:
            for _, v, k in G.out_edges(m, keys=True):
                if k in _AIMED_AT and G.nodes[v].get("cls") == "Platform":
                    platforms.add(G.nodes[v]["name"])
                elif k == "INVOKES":
                    doctrines.add(G.nodes[v]["name"])
        rows.append({"id": c, "name": attrs.get("name", c), "year": _year(attrs.get("startDate")),
                     "started": attrs.get("startDate"), "status": attrs.get("status"),
                     "outcome": attrs.get("outcome"), "countries": sorted(countries),
                     "platforms": sorted(platforms), "doctrines": sorted(doctrines)})
    rows.sort(key=lambda r: (str(r["started"] or ""), r["id"]), reverse=True)
    return rows


def filter_graph(G: nx.MultiDiGraph, *, classes: Iterable[str] | None = None,
                 countries: Iterable[str] | None = None, platforms: Iterable[str] | None = None,
                 years: tuple[int, int] | None = None, doctrines: Iterable[str] | None = None,
                 statuses: Iterable[str] | None = None, outcome: str | None = None) -> nx.MultiDiGraph:
    """The part of the graph a set of filters selects (a read-only subgraph view).

    Conflict-level filters (``countries``, ``platforms``, ``years``, ``doctrines``,
    ``statuses``, ``outcome`` text) select the conflicts that match all of them; the view
    is then those conflicts, their events and cases, and everything those touch directly.
    With no conflict-level filter the whole graph is kept. ``classes`` keeps only nodes of
    those concrete classes. ``None`` or an empty collection means "no filter".
    """
    keep: set[str] | None = None
    conflict_filters = [countries, platforms, doctrines, statuses]
    if any(conflict_filters) or years or outcome:
        cs, ps, ds, ss = (set(x or ()) for x in conflict_filters)
        text = (outcome or "").strip().lower()
        keep = set()
        for row in conflict_facets(G):
            if ((cs and not cs & set(row["countries"])) or (ps and not ps & set(row["platforms"]))
                    or (ds and not ds & set(row["doctrines"])) or (ss and row["status"] not in ss)
                    or (years and (row["year"] is None or not years[0] <= row["year"] <= years[1]))
                    or (text and text not in str(row["outcome"] or "").lower())):
                continue
            keep |= conflict_scope(G, row["id"])
    wanted = set(classes or ())
    nodes = (G.nodes if keep is None else keep)
    if wanted:
        nodes = [n for n in nodes if G.nodes[n].get("cls") in wanted]
    return G.subgraph(nodes) if (keep is not None or wanted) else G


def conflict_scope(G: nx.MultiDiGraph, conflict: str) -> set[str]:
    """A conflict, its events and cases (``IN_CONFLICT``), and every node these touch directly."""
    core = {conflict, *_members(G, conflict)}
    out = set(core)
    for n in core:
        out.update(G.successors(n))
        out.update(G.predecessors(n))
    return out


def neighbourhood(G: nx.MultiDiGraph, start: str | Iterable[str], depth: int = 1,
                  cap: int = 500) -> tuple[set[str], bool]:
    """Nodes within ``depth`` relationships (either direction) of the start node(s).

    Breadth first, closest first, stopping at ``cap`` nodes.

    Returns
    -------
    (set of str, bool)
        The nodes, and whether the cap cut the neighbourhood short.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d")])
    >>> sorted(neighbourhood(G, "a", 2)[0])
    ['a', 'b', 'c']
    """
    frontier = [s for s in ([start] if isinstance(start, str) else start) if s in G]
    seen = set(frontier)
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for m in sorted({*G.successors(n), *G.predecessors(n)} - seen, key=G.degree, reverse=True):
                if len(seen) >= cap:
                    return seen, True
                seen.add(m)
                nxt.append(m)
        frontier = nxt
    return seen, False


def top_by_degree(G: nx.MultiDiGraph, cap: int) -> set[str]:
    """The ``cap`` best-connected nodes (ties broken by id), to keep a huge view drawable."""
    return set(sorted(G.nodes, key=lambda n: (-G.degree(n), n))[:cap])


# ----------------------------------------------------------------------------- centrality
def _simple(G: nx.Graph) -> nx.Graph:
    """Undirected simple graph; ``weight`` counts the relationships between two nodes."""
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    for u, v in G.edges():
        if u != v:
            H.add_edge(u, v, weight=H.get_edge_data(u, v, {"weight": 0})["weight"] + 1)
    return H


def degree_centrality(G: nx.Graph) -> dict[str, float]:
    """Share of the other nodes each node is directly related to (relationships undirected).

    Examples
    --------
    >>> degree_centrality(nx.MultiDiGraph([("a", "b"), ("a", "c")]))["a"]
    1.0
    """
    return nx.degree_centrality(_simple(G))


def pagerank(G: nx.Graph, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration (numpy; parallel relationships add weight).

    Dangling nodes spread their rank evenly, as in networkx's ``pagerank``.

    Examples
    --------
    >>> pr = pagerank(nx.DiGraph([("a", "b"), ("c", "b")]))
    >>> round(sum(pr.values()), 6), max(pr, key=pr.get)
    (1.0, 'b')
    """
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    src = np.array([index[u] for u, _ in G.edges()], dtype=np.int64)
    dst = np.array([index[v] for _, v in G.edges()], dtype=np.int64)
    if not G.is_directed():
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    out = np.bincount(src, minlength=n).astype(float)
    dangling = out == 0
    r = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        flow = np.bincount(dst, (r / np.where(dangling, 1, out))[src], minlength=n)
        new = alpha * (flow + r[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(new - r).sum() < n * tol:
            r = new
            break
        r = new
    return {v: float(x) for v, x in zip(nodes, r / r.sum())}


def centralities(G: nx.MultiDiGraph, seed: int | None = 42, betweenness_samples: int | None = None) -> list[dict]:
    """Degree, betweenness and PageRank of every node, most central (PageRank) first.

    Betweenness is exact when the graph has at most ``betweenness_samples`` nodes and
    estimated from that many sampled sources otherwise (``seed`` picks them). By default the
    sample shrinks as the graph grows (300 down to 20), keeping this to a few seconds.

    Returns
    -------
    list of dict
        Keys ``id, name, class, degree, degree_centrality, betweenness, pagerank``.
    """
    H = _simple(G)
    if H.number_of_nodes() == 0:
        return []
    deg = nx.degree_centrality(H)
    if betweenness_samples is None:
        betweenness_samples = int(min(300, max(20, 1_000_000 / (H.number_of_nodes() + H.number_of_edges()))))
    k = betweenness_samples if H.number_of_nodes() > betweenness_samples else None
    btw = nx.betweenness_centrality(H, k=k, seed=seed)
    pr = pagerank(G)
    rows = [{"id": n, "name": G.nodes[n].get("name", n), "class": G.nodes[n].get("cls"),
             "degree": G.degree(n), "degree_centrality": round(deg[n], 6),
             "betweenness": round(btw[n], 6), "pagerank": round(pr[n], 6)} for n in G.nodes]
    rows.sort(key=lambda r: (-r["pagerank"], r["id"]))
    return rows


def communities(G: nx.MultiDiGraph, seed: int | None = 42, resolution: float = 1.0) -> tuple[list[dict], dict[str, int]]:
    """Louvain communities (relationships undirected, parallel ones adding weight).

    Returns
    -------
    (list of dict, dict)
        One row per community, largest first (``community, size, top_members, classes``),
        and each node's community number.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("a", "x")])
    >>> rows, member = communities(G, seed=1)
    >>> [r["size"] for r in rows], member["a"] == member["b"] != member["x"]
    ([3, 3], True)
    """
    H = _simple(G)
    if H.number_of_nodes() == 0:
        return [], {}
    parts = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    parts = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    rows, member = [], {}
    for i, part in enumerate(parts, 1):
        for n in part:
            member[n] = i
        top = sorted(part, key=lambda n: (-H.degree(n), n))[:5]
        classes = Counter(G.nodes[n].get("cls") for n in part)
        rows.append({"community": i, "size": len(part),
                     "top_members": ", ".join(str(G.nodes[n].get("name", n)) for n in top),
                     "classes": ", ".join(f"{c} {k}" for c, k in classes.most_common(4))})
    return rows, member


# ----------------------------------------------------------------------------- pressure and demands
def _platforms_aimed_at(G: nx.MultiDiGraph, event: str) -> set[str]:
    """Platforms an event is aimed at; a company stands for its platform when it runs exactly one."""
    out = set()
    for _, v, k in G.out_edges(event, keys=True):
        if k not in _AIMED_AT:
            continue
        cls = G.nodes[v].get("cls")
        if cls == "Platform":
            out.add(v)
        elif cls == "Company" and k == "ADDRESSED_TO":
            runs = [p for _, p, kk in G.out_edges(v, keys=True) if kk == "OPERATES"]
            out.update(runs if len(runs) == 1 else [v])
    return out


def pressure_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Bipartite graph of government bodies and the platforms their demands and enforcement aim at.

    An edge's ``weight`` is the number of demands and enforcement actions the body made
    (``MADE_BY``) that are addressed to, target or affect the platform (or the company that
    runs it). Node attribute ``bipartite`` is 0 for bodies, 1 for platforms/companies.
    """
    B = nx.Graph()
    for ev in G.nodes:
        if not (_is(G, ev, "Demand") or _is(G, ev, "EnforcementAction")):
            continue
        bodies = [v for _, v, k in G.out_edges(ev, keys=True) if k == "MADE_BY" and _is(G, v, "GovernmentBody")]
        for body in bodies:
            for plat in _platforms_aimed_at(G, ev):
                B.add_node(body, bipartite=0, name=G.nodes[body]["name"], cls=G.nodes[body]["cls"])
                B.add_node(plat, bipartite=1, name=G.nodes[plat]["name"], cls=G.nodes[plat]["cls"])
                w = B.get_edge_data(body, plat, {"weight": 0})["weight"]
                B.add_edge(body, plat, weight=w + 1)
    return B


def pressure_table(G: nx.MultiDiGraph) -> list[dict]:
    """Who pressures whom most: (body, platform, actions) rows, heaviest first."""
    B = pressure_graph(G)
    rows = []
    for u, v, w in B.edges(data="weight"):
        body, plat = (u, v) if B.nodes[u]["bipartite"] == 0 else (v, u)
        rows.append({"body_id": body, "body": B.nodes[body]["name"], "platform_id": plat,
                     "platform": B.nodes[plat]["name"], "actions": w})
    rows.sort(key=lambda r: (-r["actions"], r["body"], r["platform"]))
    return rows


def co_pressure(G: nx.MultiDiGraph, side: int = 0) -> list[dict]:
    """Weighted projection of the pressure graph onto one side.

    ``side=0``: pairs of government bodies and how many platforms both pressured;
    ``side=1``: pairs of platforms and how many bodies pressured both.
    """
    B = pressure_graph(G)
    nodes = [n for n, b in B.nodes(data="bipartite") if b == side]
    if not nodes:  # no demands aimed at platforms yet (networkx refuses an empty projection)
        return []
    P = nx.bipartite.weighted_projected_graph(B, nodes)
    rows = [{"a": B.nodes[u]["name"], "b": B.nodes[v]["name"], "shared": w} for u, v, w in P.edges(data="weight")]
    rows.sort(key=lambda r: (-r["shared"], r["a"], r["b"]))
    return rows


def demands_per_year(G: nx.MultiDiGraph) -> list[dict]:
    """Dated demands counted by year and country.

    A demand's country is that of the body that made it (graph.country_figures.demand_country,
    the rule in ontology.ttl), never its conflict's; an undated demand is left out.

    Returns
    -------
    list of dict
        ``year, country, demands`` rows sorted by year then country.
    """
    from graph.country_figures import demand_country

    counts: Counter = Counter()
    for d in G.nodes:
        if not _is(G, d, "Demand"):
            continue
        year = _year(G.nodes[d].get("date"))
        if year is None:
            continue
        countries = demand_country(G, d, any_jurisdiction=True)
        for country in countries or {"unknown"}:
            counts[(year, country)] += 1
    return [{"year": y, "country": c, "demands": n} for (y, c), n in sorted(counts.items())]


def _jurisdictions(G: nx.MultiDiGraph, node: str) -> set[str]:
    return {_jurisdiction_label(G, v) for _, v, k in G.out_edges(node, keys=True) if k == "IN_JURISDICTION"}


def events_of(G: nx.MultiDiGraph, node: str) -> list[dict]:
    """Dated events an entity took part in (either end of a relationship), oldest first.

    Returns rows ``date, id, name, class, relation`` where ``relation`` says how the entity
    is linked (``MADE_BY``, ``ADDRESSED_TO``...; ``itself`` for the entity's own event).
    """
    rows = []
    if node not in G:
        return rows
    if G.nodes[node].get("date"):
        rows.append((node, "itself"))
    for _, v, k in G.out_edges(node, keys=True):
        rows.append((v, k))
    for u, _, k in G.in_edges(node, keys=True):
        rows.append((u, k))
    out, seen = [], set()
    for ev, rel in rows:
        a = G.nodes[ev]
        date = a.get("date") or a.get("filedDate")
        if not date or (ev, rel) in seen:
            continue
        seen.add((ev, rel))
        out.append({"date": date, "id": ev, "name": a.get("name", ev), "class": a.get("cls"), "relation": rel})
    out.sort(key=lambda r: (str(r["date"]), r["id"]))
    return out


def lineage(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The node and every predecessor and successor it is linked to by SUCCEEDED_BY (renamed,
    merged into, replaced by), followed both ways; predecessors first, as the names followed
    one another (Twitter, Inc., then X Corp.).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("twitter-inc", "x-corp", key="SUCCEEDED_BY")
    'SUCCEEDED_BY'
    >>> lineage(G, "x-corp")
    ['twitter-inc', 'x-corp']
    """
    if node not in G:
        return []
    seen, todo = {node}, [node]
    while todo:
        n = todo.pop()
        for m in [v for _, v, k in G.out_edges(n, keys=True) if k == "SUCCEEDED_BY"] + \
                 [u for u, _, k in G.in_edges(n, keys=True) if k == "SUCCEEDED_BY"]:
            if m not in seen:
                seen.add(m)
                todo.append(m)
    H = nx.DiGraph([(u, v) for u, v, k in G.subgraph(seen).edges(keys=True) if k == "SUCCEEDED_BY"])
    H.add_nodes_from(seen)
    try:
        return list(nx.lexicographical_topological_sort(H))
    except nx.NetworkXUnfeasible:  # a cycle in the data: name order
        return sorted(seen)


def conflicts_of(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The conflicts an entity takes part in, newest first: the conflict itself; those that
    INVOLVE it or are IN_JURISDICTION of it (a country); and those of its events and cases
    (IN_CONFLICT) and of the events that name it (made by, addressed to, targeting...)."""
    if node not in G:
        return []
    found: set[str] = set()

    def add_from(n: str) -> None:
        if G.nodes[n].get("cls") == "Conflict":
            found.add(n)
        for _, v, k in G.out_edges(n, keys=True):
            if k == "IN_CONFLICT":
                found.add(v)

    add_from(node)
    for u, _, k in G.in_edges(node, keys=True):
        if G.nodes[u].get("cls") == "Conflict" and k in ("INVOLVES", "IN_JURISDICTION"):
            found.add(u)
        else:
            add_from(u)
    for _, v, _k in G.out_edges(node, keys=True):
        add_from(v)
    return sorted(found, key=lambda c: (str(G.nodes[c].get("startDate") or ""), c), reverse=True)


def timeline_of(G: nx.MultiDiGraph, node: str) -> list[dict]:
    """:func:`events_of` the entity, or, when it has no dated event of its own (a country, a
    doctrine), the dated events of its conflicts, each saying which conflict it belongs to."""
    own = events_of(G, node)
    if own:
        return own
    rows = []
    for c in conflicts_of(G, node):
        for e in events_of(G, c):
            if e["relation"] == "IN_CONFLICT":
                rows.append({**e, "relation": f"in {G.nodes[c].get('name', c)}"})
    rows.sort(key=lambda r: (str(r["date"]), r["id"]))
    return rows


# ----------------------------------------------------------------------------- exports
def _flat(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(_flat(v)) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def to_graphml(G: nx.Graph) -> bytes:
    """GraphML of the graph; lists become ``; ``-joined strings and dates ISO strings."""
    H = nx.MultiDiGraph() if G.is_multigraph() else nx.DiGraph()
    for n, a in G.nodes(data=True):
        H.add_node(n, **{k: _flat(v) for k, v in a.items() if v is not None})
    for u, v, *rest in (G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)):
        a = rest[-1]
        kw = {"key": rest[0]} if G.is_multigraph() else {}
        H.add_edge(u, v, **kw, **{k: _flat(x) for k, x in a.items() if x is not None})
    return "\n".join(nx.generate_graphml(H)).encode("utf-8")


def to_csv(G: nx.Graph) -> tuple[str, str]:
    """Two CSV documents with every property: nodes (``id, class, name, sources``, then each
    other property in name order: dates, country, status, ...) and edges (``source, type, target,
    role, sources``, then the others), spreadsheet-safe (:mod:`graph.csv_cells`); lists are
    ``; ``-joined and dates ISO."""
    node_first = ["cls", "name", "sources"]
    node_keys = sorted({k for _, a in G.nodes(data=True) for k in a} - set(node_first))
    nodes = csv_text(["id", "class", "name", "sources", *node_keys],
                     ([n, a.get("cls", ""), a.get("name", n), _flat(a.get("sources") or []),
                       *(_flat(a.get(k)) if a.get(k) is not None else "" for k in node_keys)]
                      for n, a in G.nodes(data=True)))
    edge_first = ["type", "role", "sources"]
    edge_keys = sorted({k for *_, a in G.edges(data=True) for k in a} - set(edge_first))
    edges = csv_text(["source", "type", "target", "role", "sources", *edge_keys],
                     ([u, a.get("type", ""), v, a.get("role", "") or "", _flat(a.get("sources") or []),
                       *(_flat(a.get(k)) if a.get(k) is not None else "" for k in edge_keys)]
                      for u, v, a in G.edges(data=True)))
    return nodes, edges

