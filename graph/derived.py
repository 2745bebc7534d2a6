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

from graph import analytics, valid_time

__all__ = ["RECIPES", "DEFAULTS", "MISSING", "get", "load", "save", "precompute", "cache_dir"]


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


RECIPES: dict[str, Callable[..., Any]] = {
    "facets": analytics.conflict_facets,
    "spans": valid_time.intervals,
    "centralities": lambda G, include_sources=False, seed=42: analytics.centralities(_scope(G, include_sources),
                                                                                       seed=seed),
    "communities": _communities,
    "pressure": lambda G: (analytics.pressure_table(G), analytics.co_pressure(G, 0), analytics.co_pressure(G, 1)),
    "demands": analytics.demands_per_year,
    "changes": _changes,
}

# What the pages show on a first visit (their default settings), computed at ingest.
DEFAULTS: list[tuple[str, dict | Callable]] = [
    ("facets", {}), ("spans", {}), ("changes", _default_changes),
    ("pressure", {}), ("demands", {}),
    ("centralities", {"include_sources": False, "seed": 42}),
    ("communities", {"include_sources": False, "seed": 42, "resolution": 1.0}),
]


def cache_dir() -> Path:
    from graph.settings import settings

    return settings().home / "cache" / "derived"


def _slot(version: str) -> Path:
    return cache_dir() / hashlib.sha256(version.encode()).hexdigest()[:20]


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


def precompute(store, progress: Callable[[int], None] | None = None) -> int:
    """Save the projection and every first-visit result for the store's data version; returns
    how many results were written (0 for a store without a data version)."""
    version = store.data_version()
    if not version:
        return 0
    save(version, "counts", store.counts())
    G = analytics.to_networkx(store)
    save(version, "graph", G)
    written = 2
    for name, args in DEFAULTS:
        args = args(G) if callable(args) else args
        if args is None:  # nothing to show by default (e.g. no dated records yet)
            continue
        if load(version, name, **args) is MISSING:
            save(version, name, RECIPES[name](G, **args), **args)
        written += 1
        if progress:
            progress(1)
    return written
