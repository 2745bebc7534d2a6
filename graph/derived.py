"""Results derived from the whole graph, computed once per data version and kept on disk.

The dashboard's Overview and Analytics read the whole graph and run network measures over it
(on the full ../shared/data ingest: tens of seconds). Each result here is a *recipe* over the
networkx projection with its arguments; :func:`get` returns it from
``GOVPLAT_HOME/cache/derived/<data version>/`` when it was computed for the store's current
data version (graph.stores.base.Store.data_version, bumped by every write), else computes it,
saves it and returns it. ``govplat ingest`` ends with :func:`precompute`, which writes the
store's counts, the projection and the results the pages show on a first visit (their default
arguments), so a
first visit after an ingest reads them from disk. Files of other data versions are deleted.
A store without a data version (Neo4j) computes every time (the dashboard still caches in memory).

Two results exist so that the dashboard's first visits need not load the whole projection
(tens of MB pickled on a large store): ``network``, the Network page's default view with
just the part of the graph its canvas can expand into, and ``validity``, every entity's
valid time and every relationship's ends as integer arrays, from which counts "held on D"
are a few array operations (the time sliders).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graph import analytics, valid_time

__all__ = ["RECIPES", "DEFAULTS", "MISSING", "get", "load", "save", "precompute", "precompute_steps", "cache_dir",
           "reserve_of", "NETWORK_CAP", "RESERVE_PER_NODE", "RESERVE_MAX", "held", "FAR_PAST", "FAR_FUTURE"]

#: The Network page draws at most this many nodes unless the reader asks for more.
NETWORK_CAP = 1500
#: Undrawn neighbours shipped with a drawn view for click-expansion: per drawn node and in all.
RESERVE_PER_NODE = 30
RESERVE_MAX = 1500
#: Day ordinals standing for "no start" and "no end" in ``validity``.
FAR_PAST, FAR_FUTURE = 0, 10**7


def _scope(G: nx.MultiDiGraph, include_sources: bool) -> nx.MultiDiGraph:
    """The graph analytics measure: without Source documents and transparency figures unless asked for."""
    return G if include_sources else analytics.without_documents(G)


def _communities(G, include_sources: bool = False, seed: int = 42, resolution: float = 1.0):
    comms, member = analytics.communities(_scope(G, include_sources), seed=seed, resolution=resolution)
    members = [{"id": n, "name": G.nodes[n].get("name", n), "class": G.nodes[n].get("cls"), "community": c}
               for n, c in member.items()]
    return comms, members


def _changes(G, since, until, country: str | None = None):
    spans = valid_time.intervals(G)
    within = None
    if country:
        within = set()
        for r in analytics.conflict_facets(G):
            if country in r["countries"]:
                within |= analytics.conflict_scope(G, r["id"])
    return valid_time.changes(G, since, until, within=within, spans=spans)


def _default_changes(G):
    """What the Overview's "what changed" shows first: the last year of the graph, all countries
    (None when nothing in the graph is dated)."""
    import datetime as dt

    bounds = valid_time.date_range(valid_time.intervals(G))
    if not bounds:
        return None
    return {"since": bounds[1] - dt.timedelta(days=365), "until": bounds[1]}


def reserve_of(view: nx.Graph, around: nx.Graph, per_node: int | None = None, total: int | None = None) -> set[str]:
    """Neighbours of the view's nodes in ``around`` (the filtered graph) that are not drawn, best
    connected first, at most ``per_node`` for each view node and ``total`` in all: what a click on
    a node can bring in without asking the server."""
    per_node = RESERVE_PER_NODE if per_node is None else per_node
    total = RESERVE_MAX if total is None else total
    out: set[str] = set()
    drawn = set(view.nodes)
    near = {n: ({*around.successors(n), *around.predecessors(n)} if around.is_directed() else set(around.neighbors(n)))
            for n in drawn if n in around}
    degree: dict[str, int] = {}

    def deg(m: str) -> int:
        if m not in degree:
            degree[m] = around.degree(m)
        return degree[m]

    for n in sorted(near, key=lambda n: (-len(near[n]), n)):
        extra = sorted(near[n] - drawn, key=lambda m: (-deg(m), m))
        for m in extra[:per_node]:
            if len(out) >= total:
                return out
            out.add(m)
    return out


def neighbour_counts(G: nx.Graph, nodes) -> dict[str, int]:
    """How many distinct neighbours each node has in ``G`` (either direction)."""
    if G.is_directed():
        return {x: len({*G.successors(x), *G.predecessors(x)}) for x in nodes}
    return {x: len(set(G.neighbors(x))) for x in nodes}


def _network(G, cap: int = NETWORK_CAP, include_sources: bool = False) -> dict:
    """The Network page's default view (the whole graph, filtered only by the documents toggle,
    its ``cap`` best-connected nodes) with what drawing it needs and nothing more: ``part``, the
    subgraph of the drawn nodes and the neighbours a click can expand into; ``reserve``, those
    neighbours; ``neighbours``, each node's neighbour count in the filtered graph (the "N more
    are not loaded" notes); ``sources``, the cited sources' titles and links; and the counts
    the page's captions and filters show. A few MB, where the whole projection is tens."""
    scope = _scope(G, include_sources)
    nodes = sorted(analytics.top_by_degree(scope, cap)) if scope.number_of_nodes() > cap else sorted(scope.nodes)
    view = scope.subgraph(nodes)
    reserve = reserve_of(view, scope)
    part = scope.subgraph(set(nodes) | reserve).copy()
    cited = {s for _, a in part.nodes(data=True) for s in a.get("sources") or ()}
    sources = {n: {k: G.nodes[n].get(k) for k in ("name", "title", "url", "publisher", "publishedDate", "kind",
                                                   "docketNumber")} for n in cited if n in G}
    return {"nodes": nodes, "cut": scope.number_of_nodes() > cap, "matched": scope.number_of_nodes(),
            "part": part, "reserve": reserve, "neighbours": neighbour_counts(scope, part.nodes), "sources": sources,
            "present": sorted({a.get("cls", "Entity") for _, a in G.nodes(data=True)}),
            "size": (G.number_of_nodes(), G.number_of_edges()),
            "documents": sum(1 for _, c in G.nodes(data="cls") if c in analytics.DOCUMENT_CLASSES)}


def _ordinal(value, missing: int) -> int:
    day = valid_time.day_of(value)
    return day.toordinal() if day else missing


def _validity(G) -> dict:
    """Every entity's stored valid time (``validFrom`` / ``validTo`` as day ordinals, FAR_PAST /
    FAR_FUTURE where absent) and class, and every relationship's ends, type and own stated valid
    time (``edge_start`` / ``edge_end``), as arrays: what the time sliders count and filter with,
    without the projection."""
    ids = list(G.nodes)
    index = {n: i for i, n in enumerate(ids)}
    classes = sorted({a.get("cls", "Entity") for _, a in G.nodes(data=True)})
    cls_code = {c: i for i, c in enumerate(classes)}
    types = sorted({k for _, _, k in G.edges(keys=True)})
    type_code = {t: i for i, t in enumerate(types)}
    edges = np.array([(index[u], index[v], type_code[k]) for u, v, k in G.edges(keys=True)],
                     dtype=np.int32).reshape(-1, 3)
    spans = valid_time.intervals(G)
    own = [(valid_time.day_of(a.get("validFrom")), valid_time.day_of(a.get("validTo")))
           for _, _, a in G.edges(data=True)]
    return {"ids": ids, "classes": classes, "types": types,
            "edge_start": np.array([s.toordinal() if s else FAR_PAST for s, _ in own], dtype=np.int32),
            "edge_end": np.array([e.toordinal() if e else FAR_FUTURE for _, e in own], dtype=np.int32),
            "cls": np.array([cls_code[G.nodes[n].get("cls", "Entity")] for n in ids], dtype=np.int16),
            "start": np.array([_ordinal(spans.get(n, (None, None))[0], FAR_PAST) for n in ids], dtype=np.int32),
            "end": np.array([_ordinal(spans.get(n, (None, None))[1], FAR_FUTURE) for n in ids], dtype=np.int32),
            "edges": edges, "bounds": valid_time.date_range(spans)}


def held_edges(validity: dict, day, mode: str, nodes: np.ndarray) -> np.ndarray:
    """Which relationships (a boolean array over ``validity["edges"]``) hold on ``day``: both ends
    in ``nodes`` (a :func:`held` mask) and, where the relationship states its own valid time,
    begun by ``day`` and (``held``) not ended before it."""
    e = validity["edges"]
    if not len(e):
        return np.zeros(0, dtype=bool)
    d = day.toordinal()
    mask = nodes[e[:, 0]] & nodes[e[:, 1]] & (validity["edge_start"] <= d)
    return mask & (validity["edge_end"] >= d) if mode == "held" else mask


def held(validity: dict, day, mode: str = "held") -> np.ndarray:
    """Which entities (a boolean array over ``validity["ids"]``) hold on ``day`` (``held``:
    begun by then and not ended before it, the rule of the named queries' ``as_of``) or had
    begun by it (``begun``: ended ones kept, as history)."""
    d = day.toordinal()
    mask = validity["start"] <= d
    return mask & (validity["end"] >= d) if mode == "held" else mask


RECIPES: dict[str, Callable[..., Any]] = {
    "facets": analytics.conflict_facets,
    "spans": valid_time.intervals,
    "centralities": lambda G, include_sources=False, seed=42: analytics.centralities(_scope(G, include_sources),
                                                                                       seed=seed),
    "communities": _communities,
    "pressure": lambda G: (analytics.pressure_table(G), analytics.co_pressure(G, 0), analytics.co_pressure(G, 1)),
    "demands": analytics.demands_per_year,
    "changes": _changes,
    "network": _network,
    "validity": _validity,
}

# What the pages show on a first visit (their default settings), computed at ingest.
DEFAULTS: list[tuple[str, dict | Callable]] = [
    ("facets", {}), ("spans", {}), ("changes", _default_changes),
    ("pressure", {}), ("demands", {}),
    ("centralities", {"include_sources": False, "seed": 42}),
    ("communities", {"include_sources": False, "seed": 42, "resolution": 1.0}),
    ("network", {"cap": NETWORK_CAP, "include_sources": False}), ("validity", {}),
]


def cache_dir() -> Path:
    from graph.settings import settings

    return settings().home / "cache" / "derived"


#: The layout of the saved results: raise it when a recipe's result changes shape, so results an
#: older govplat saved for the same data are computed again instead of misread.
LAYOUT = 2


def _slot(version: str) -> Path:
    return cache_dir() / hashlib.sha256(f"{LAYOUT}:{version}".encode()).hexdigest()[:20]


def _path(version: str, name: str, args: dict) -> Path:
    key = repr(sorted(args.items()))
    return _slot(version) / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


MISSING = object()


def load(version: str | None, name: str, **args) -> Any:
    """The saved result, or ``MISSING``."""
    if not version:
        return MISSING
    try:
        with open(_path(version, name, args), "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return MISSING


def save(version: str | None, name: str, value: Any, **args) -> None:
    """Write a result for ``version`` (atomically) and drop the files of every other version."""
    if not version:
        return
    slot = _slot(version)
    try:
        slot.mkdir(parents=True, exist_ok=True)
        for other in slot.parent.iterdir():
            if other != slot and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        path = _path(version, name, args)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def get(version: str | None, name: str, graph: Callable[[], nx.MultiDiGraph], **args) -> Any:
    """``RECIPES[name](graph(), **args)``, from disk when saved for ``version``."""
    value = load(version, name, **args)
    if value is MISSING:
        value = RECIPES[name](graph(), **args)
        save(version, name, value, **args)
    return value


def precompute_steps() -> int:
    """How many steps :func:`precompute` reports (for a progress bar)."""
    return 3 + len(DEFAULTS)


def precompute(store, progress: Callable[[str], None] | None = None) -> int:
    """Save the projection and every first-visit result for the store's data version; returns
    how many results were written (0 for a store without a data version). ``progress(step)``
    is called after each step with its name."""
    version = store.data_version()
    if not version:
        return 0
    done = progress or (lambda step: None)
    save(version, "counts", store.counts())
    done("counts")
    G = analytics.to_networkx(store)
    done("graph projection")
    save(version, "graph", G)
    done("graph saved")
    written = 2
    for name, args in DEFAULTS:
        args = args(G) if callable(args) else args
        if args is not None:  # None: nothing to show by default (e.g. no dated records yet)
            if load(version, name, **args) is MISSING:
                save(version, name, RECIPES[name](G, **args), **args)
            written += 1
        done(name)
    return written
