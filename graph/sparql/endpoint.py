"""The SPARQL endpoint's query runner: an :class:`Endpoint` runs each query on a thread or in a
worker process (:mod:`graph.sparql.pool`) with its timeout, and :func:`run_query` runs one query.

What a query may do and how it is evaluated is :mod:`graph.sparql.engine`'s; this module only
schedules it, waits for its messages and stops it past its timeout.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable

import pyoxigraph as ox

from graph.errors import GovplatError
from graph.sparql.engine import Dataset, Job, Limits, QueryRefused, RefreshRunning, evaluate, load_dataset, normal_format
from graph.sparql.pool import ProcessPool

__all__ = ["Endpoint", "run_query"]


class Endpoint:
    """The query engine behind the HTTP server, the CLI's ``sparql query`` and the dashboard's console.

    With ``processes`` > 0 queries run in that many worker processes (graph/sparql/pool.py), each
    with its own copy of the data, so a query past its timeout is really stopped: its worker
    is killed and replaced, and a query past its memory cap or crashing the engine ends only its
    worker. Every caller that runs users' queries uses them. With 0 (tests, trusted queries) they
    run in threads of this process: a query past its timeout is abandoned (it stops at its next
    row; a blocking step runs on in the background), there is no memory cap, and a query nested
    past pyoxigraph's parser stack ends the whole process.
    """

    def __init__(self, loader: Callable[[], Dataset], limits: Limits | None = None, *, processes: int = 0):
        self.loader = loader
        self.limits = limits or Limits()
        self.processes = processes
        self._refresh_lock = threading.Lock()
        # In-thread mode: daemon threads (an abandoned query never keeps the process from exiting),
        # at most `workers` evaluating at once.
        self._slots = threading.BoundedSemaphore(max(self.limits.workers, 1))
        self.dataset = loader()
        try:
            self.workers = self._start_workers(self.dataset)
        except BaseException:
            self.dataset.discard()
            raise

    def _start_workers(self, ds: Dataset):
        if not self.processes:
            return None

        if ds.path is None:
            raise GovplatError("worker processes need a dataset loaded through a file (load_dataset(spool=True))")
        return ProcessPool(ds.path, self.processes)

    def refresh(self) -> Dataset:
        """Reload from the store; queries already running finish on the data they started with.
        One reload at a time: while one runs, another raises :class:`RefreshRunning`."""
        if not self._refresh_lock.acquire(blocking=False):
            raise RefreshRunning("a reload is already running (it reads the store as it is now): ask again when it has finished")
        try:
            ds = self.loader()
            try:
                workers = self._start_workers(ds)
            except Exception:
                ds.discard()  # keep serving the data we have
                raise
            old_ds, old_workers = self.dataset, self.workers
            self.dataset, self.workers = ds, workers
            if old_workers is not None:
                old_workers.retire()
            old_ds.discard()
            return ds
        finally:
            self._refresh_lock.release()

    def close(self) -> None:
        if self.workers is not None:
            self.workers.retire()
        self.dataset.discard()

    # --------------------------------------------------------------------- jobs
    def submit(self, text: str, *, accept: str | None = None, fmt: str | None = None,
               default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
               base_iri: str | None = None) -> Job:
        """Start a query; its messages arrive on ``job.q``. It is checked (:func:`check_query`)
        where it runs, so the parse itself is bounded by the timeout too."""
        if not text or not text.strip():
            raise QueryRefused("empty query", 400)
        fmt = normal_format(fmt)
        job = Job()
        args = (text, accept, fmt, default_graphs or [], named_graphs or [], self.limits.max_rows, base_iri)
        if self.workers is not None:
            self.workers.submit(job, args, time.monotonic() + self.limits.timeout)
        else:
            threading.Thread(target=self._in_thread, args=(job, self.dataset.store, args), daemon=True,
                             name="govplat-sparql-query").start()
        return job

    def _in_thread(self, job: Job, store: ox.Store, args: tuple) -> None:
        from graph.sparql import no_network

        with self._slots:
            try:
                no_network.deny()  # this thread only, before it reads the query
            except no_network.NetworkNotDenied as exc:
                job.put(("error", 500, str(exc)))
                return
            evaluate(job, store, *args)

    # --------------------------------------------------------------------- synchronous use
    def select(self, text: str, timeout: float | None = None) -> list[dict]:
        """Run a SELECT and return rows as {variable: term} (terms of graph.rdf.terms)."""
        job = self.submit(text, fmt="json")
        body = _collect(job, timeout or self.limits.timeout)
        doc = json.loads(body)
        return [{k: _term_of_json(v) for k, v in b.items()} for b in doc["results"]["bindings"]]

    def run(self, text: str, *, fmt: str | None = None, accept: str | None = None,
            timeout: float | None = None) -> bytes:
        """Run any query and return the serialised result (raises QueryRefused on errors)."""
        return _collect(self.submit(text, fmt=fmt, accept=accept), timeout or self.limits.timeout)


def _term_of_json(v: dict):
    from graph.rdf.terms import XSD, BNode, IRI, Lit

    if v["type"] == "uri":
        return IRI(v["value"])
    if v["type"] == "bnode":
        return BNode(v["value"])
    if "xml:lang" in v:
        return Lit(v["value"], "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", v["xml:lang"])
    return Lit(v["value"], v.get("datatype", XSD + "string"))


def _collect(job: Job, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    parts = []
    while True:
        remaining = deadline - time.monotonic()
        try:
            msg = job.q.get(timeout=max(remaining, 0.001))
        except queue.Empty:
            job.cancelled.set()
            raise QueryRefused(f"query stopped after its timeout of {timeout:g} s", 503) from None
        if msg[0] == "error":
            raise QueryRefused(msg[2], msg[1])
        if msg[0] == "data":
            parts.append(msg[1])
        elif msg[0] == "end":
            return b"".join(parts)


def run_query(text: str, *, fmt: str | None = None, limits: Limits | None = None,
              relations_mode: str = "reified") -> bytes:
    """Load the store and run one query (``govplat sparql query``) in a worker process, as the
    server does: its memory cap (GOVPLAT_QUERY_MEMORY_MB) and timeout hold, and a query that
    crashes the engine (pyoxigraph's parser overflows its stack on a few thousand nested
    brackets) ends that worker with an error, not this process."""
    ep = Endpoint(lambda: load_dataset(relations_mode=relations_mode, spool=True), limits, processes=1)
    try:
        return ep.run(text, fmt=fmt)
    finally:
        ep.close()
