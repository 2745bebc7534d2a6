"""How the dashboard reads the store, and what it caches.

The embedded store and a CLI ingest take turns. A Ladybug file is open read-write in one
process or read-only in several, so the dashboard never keeps it open: the cached resource
(``st.cache_resource``) is a small gate that opens the store read-only for one load and closes
it straight away (about 0.1-0.3 s). ``govplat ingest`` therefore finds the file free, and
waits at most a moment when a load is under way. While an ingest writes, a load waits up to
GOVPLAT_READ_WAIT for it (graph/stores/lock.py) and then says so (StoreBusyError); pages keep
showing the last graph they loaded with a warning, and never a half-written one.

What is cached, and for how long:
* the whole graph projected to networkx: ``st.cache_resource`` keyed by the store's
  *version* (the database files' size and modification time; on Neo4j a 10-minute clock),
  shared by all sessions and never mutated. A finished ingest changes the version, so the
  next page run loads the new data; "Reload data" in the sidebar forces it.
* named-query results and derived tables: ``st.cache_data(ttl=600)`` keyed by the version.
* on the embedded store, the projection and the results derived from it (facets, valid time,
  network measures: graph/derived.py) also on disk under GOVPLAT_HOME, keyed by the store's
  data version; ``govplat ingest`` writes the ones a first visit shows, so Overview and
  Analytics open without projecting the graph.
* the user's own Cypher (console): never cached; on the embedded store it runs in a worker
  process (graph/stores/query_worker.py), so a query killed for its memory is the only thing killed.
On Neo4j the gate keeps one driver open (the server handles concurrency).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx
import streamlit as st

from graph import analytics
from graph.errors import StoreBusyError
from graph.settings import settings
from graph.analytics import DOCUMENT_CLASSES, without_documents
from graph.stores import Result, Store, open_store

__all__ = ["version", "data_version", "reading", "graph", "named", "counts", "run_user", "sources_index",
           "facets", "derived", "reload", "without_documents", "DOCUMENT_CLASSES", "loaded_at", "is_empty",
           "describe_store", "engine", "spans", "validity", "held_ids", "date_bounds", "saved", "subgraph"]

TTL = 600

#: Classes the Network and Analytics pages leave out unless asked: documents and transparency
#: figures, thousands of nodes hanging off a few publishers that crowd out the actors and events
#: (every hover card lists a node's sources anyway).


class _Gate:
    """Opens the store for one read at a time; holds nothing between reads on the embedded engine."""

    def __init__(self, cfg) -> None:
        self.lock = threading.Lock()
        self.cfg = cfg
        self.persistent: Store | None = None
        self.last_graph: nx.MultiDiGraph | None = None
        self.loaded_at: float | None = None

    @contextmanager
    def store(self) -> Iterator[Store]:
        with self.lock:
            if self.cfg.store != "embedded":
                if self.persistent is None:
                    self.persistent = open_store(self.cfg, read_only=True)
                yield self.persistent
                return
            s = open_store(self.cfg, read_only=True)
            try:
                yield s
            finally:
                s.close()


@st.cache_resource(show_spinner=False)
def _gate_for(key: str, _cfg) -> _Gate:
    return _Gate(_cfg)


def _gate() -> _Gate:
    """The gate of the store the environment names now (one per store, shared by all sessions)."""
    cfg = settings()
    key = f"{cfg.store}|{cfg.embedded_path if cfg.store == 'embedded' else cfg.neo4j_uri + '/' + cfg.neo4j_database}"
    return _gate_for(key, cfg)


def engine() -> str:
    """``embedded`` or ``neo4j``."""
    return _gate().cfg.store


def describe_store() -> str:
    cfg = _gate().cfg
    return f"embedded store at {cfg.embedded_path}" if cfg.store == "embedded" else f"Neo4j at {cfg.neo4j_uri}"


def data_version() -> str | None:
    """The embedded store's data version (bumped by every write); None on Neo4j or before any write."""
    cfg = _gate().cfg
    if cfg.store != "embedded":
        return None
    from graph.stores.embedded import read_version

    return read_version(cfg.embedded_path)


def version() -> str:
    """Changes whenever the data may have changed: the data version or file stamps (embedded),
    or a 10-minute clock (Neo4j)."""
    cfg = _gate().cfg
    if cfg.store != "embedded":
        return f"neo4j-{cfg.neo4j_uri}-{int(time.time() // TTL)}"
    if (dv := data_version()) is not None:
        return f"{cfg.embedded_path}|{dv}"
    stamps = [str(cfg.embedded_path)]
    for p in (cfg.embedded_path, cfg.embedded_path.with_name(cfg.embedded_path.name + ".wal")):
        try:
            st_ = p.stat()
            stamps.append(f"{st_.st_size}:{st_.st_mtime_ns}")
        except OSError:
            stamps.append("-")
    return "|".join(stamps)


@contextmanager
def reading() -> Iterator[Store]:
    """The store, open read-only for the duration of the block."""
    with _gate().store() as s:
        yield s


@st.cache_resource(show_spinner="Loading the graph…", max_entries=2, ttl=3600)
def _graph(v: str) -> nx.MultiDiGraph:
    from graph import derived as derived_

    G = derived_.load(data_version(), "graph")
    if G is derived_.MISSING:
        with reading() as s:
            G = analytics.to_networkx(s)
        derived_.save(data_version(), "graph", G)
    gate = _gate()
    gate.last_graph, gate.loaded_at = G, time.time()
    return G


def graph() -> nx.MultiDiGraph:
    """The whole graph (shared, read-only). While an ingest holds the store, the last one loaded."""
    try:
        return _graph(version())
    except StoreBusyError:
        gate = _gate()
        if gate.last_graph is None:
            raise
        st.warning("An ingest is writing to the store right now; showing the data loaded at "
                   f"{time.strftime('%H:%M:%S', time.localtime(gate.loaded_at))}. "
                   "Press **Reload data** in the sidebar when it has finished.", icon="⏳")
        return gate.last_graph


def loaded_at() -> float | None:
    return _gate().loaded_at


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=500)
def _named(name: str, params: tuple, v: str) -> Result:
    with reading() as s:  # a page must never hang on a query (paths on hubs): a timeout
        return s.run_named(name, dict(params), timeout=settings().query_timeout)


def named(name: str, **params: Any) -> Result:
    """A named query's result (cached per data version)."""
    return _named(name, tuple(sorted(params.items())), version())


@st.cache_data(ttl=TTL, show_spinner=False)
def _counts(v: str) -> dict:
    from graph import derived as derived_

    counted = derived_.load(data_version(), "counts")  # written by the ingest that made this version
    if counted is not derived_.MISSING:
        return counted
    with reading() as s:
        return s.counts()


def counts() -> dict[str, dict[str, int]]:
    return _counts(version())


def is_empty() -> bool:
    return not sum(counts()["entities"].values())


@st.cache_resource(show_spinner=False)
def _query_worker():
    from graph.stores.query_worker import QueryWorker

    return QueryWorker()


def run_user(cypher: str, params: dict | None = None) -> Result:
    """The console's read-only Cypher (guarded, timed out, row-capped; not cached). On the embedded
    store it runs in a worker process (graph/stores/query_worker.py): a query that must be killed
    for its memory kills the worker, never the dashboard."""
    cfg = _gate().cfg
    if cfg.store == "embedded":
        return _query_worker().run_user(cfg.embedded_path, cypher, params or {})
    with reading() as s:
        return s.run_user(cypher, params or {})


@st.cache_data(ttl=TTL, show_spinner=False)
def _sources_index(_G: nx.MultiDiGraph, v: str) -> dict[str, dict]:
    G = _G
    return {n: {k: a.get(k) for k in ("name", "title", "url", "publisher", "publishedDate", "kind", "docketNumber")}
            for n, a in G.nodes(data=True) if a.get("cls") == "Source"}


def sources_index() -> dict[str, dict]:
    """Source id -> title, url, publisher, date: for links wherever sources are listed."""
    return _sources_index(graph(), version())


# A resource, not data: shared by every session as it is (never copied), as the pages only read it.
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _derived(name: str, args: tuple, v: str) -> Any:
    from graph import derived as derived_

    return derived_.get(data_version(), name, graph, **dict(args))


def derived(name: str, **args: Any) -> Any:
    """A result of graph/derived.py (``facets``, ``spans``, ``centralities``, ``changes``...):
    from memory, else from disk for this data version, else computed over the whole graph."""
    return _derived(name, tuple(sorted(args.items())), version())


def facets() -> list[dict]:
    """analytics.conflict_facets of the whole graph (cached)."""
    return derived("facets")


def reload() -> None:
    """Forget every cached result; the next run reads the store again."""
    st.cache_data.clear()
    _graph.clear()
    _derived.clear()


def spans() -> dict:
    """graph.valid_time.intervals of the whole graph (cached): when each entity holds."""
    return derived("spans")


def validity() -> dict:
    """graph.derived's ``validity``: every entity's valid time and every relationship's ends as
    arrays (cached; from disk when ingest saved it), for the time sliders."""
    return derived("validity")


def date_bounds():
    """The first and last date in the graph (the time sliders' ends), or None when nothing is dated."""
    return validity()["bounds"]


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def _held_ids(day, mode: str, v: str) -> frozenset:
    from graph.derived import held

    va = validity()
    return frozenset(va["ids"][i] for i in held(va, day, mode).nonzero()[0])


def held_ids(day, mode: str = "held") -> frozenset:
    """The ids of the entities that hold on ``day`` (``held``) or had begun by it (``begun``),
    read from their stored validFrom / validTo (graph.derived.held)."""
    return _held_ids(day, mode, version())


def saved(name: str, make, **args):
    """``make()``, kept on disk for this data version under ``name`` and ``args`` (a drawn view
    the dashboard computed once), and in memory."""
    from graph import derived as derived_

    value = derived_.load(data_version(), name, **args)
    if value is derived_.MISSING:
        value = make()
        derived_.save(data_version(), name, value, **args)
    return value


@st.cache_resource(show_spinner=False, max_entries=1, ttl=3600)
def _index(v: str) -> dict[str, int]:
    return {n: i for i, n in enumerate(validity()["ids"])}


def subgraph(nodes) -> nx.MultiDiGraph:
    """A plain copy of the whole graph's subgraph on ``nodes``, its relationships found in the
    ``validity`` arrays: networkx finds them by walking every node's neighbours, thousands for
    a country or a publisher, which costs seconds; this costs milliseconds."""
    import numpy as np

    G, va = graph(), validity()
    index = _index(version())
    keep = np.zeros(len(va["ids"]), dtype=bool)
    keep[[index[n] for n in nodes if n in index]] = True
    e = va["edges"]
    chosen = e[keep[e[:, 0]] & keep[e[:, 1]]] if len(e) else e
    H = nx.MultiDiGraph()
    H.add_nodes_from((n, G.nodes[n]) for n in nodes if n in G)
    ids, types = va["ids"], va["types"]
    H.add_edges_from((ids[u], ids[v], types[t], G._adj[ids[u]][ids[v]][types[t]]) for u, v, t in chosen.tolist())
    return H
