"""SPARQL worker processes: each loads the same N-Quads file into its own in-memory pyoxigraph
store and runs one query at a time, so a query past its timeout can really be stopped. A worker
takes its own network away (graph/sparql/no_network.py) before it loads anything: it talks to the
server over a local pipe only, and no query can make it open a connection.

pyoxigraph cannot interrupt a query (an aggregate or a sort computes everything in one call,
with the GIL released), so a thread could only abandon it and let it burn a core. Here the
request thread gives up at the deadline, the dispatcher kills the worker process running the
query and starts a fresh one in the background; the other workers keep serving.

Messages from a worker are those of :func:`graph.sparql.engine.evaluate` (head, data..., end or
error) followed by ``("done",)``.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from graph.errors import GovplatError
from graph.worker_processes import requests, start_spawned, stop_spawned

__all__ = ["ProcessPool"]

_READY_TIMEOUT = 600.0


class _NeverCancelled:
    def is_set(self) -> bool:
        return False


class _PipeJob:
    """What evaluate() writes to, inside a worker: messages go straight down the pipe."""

    cancelled = _NeverCancelled()

    def __init__(self, conn):
        self.conn = conn

    def put(self, msg) -> bool:
        self.conn.send(msg)
        return True


def _worker_main(conn, data_path: str) -> None:  # pragma: no cover - runs in the child
    import signal

    import pyoxigraph as ox

    from graph.ontology import ONTOLOGY_PATH
    from graph.rdf.view import ONTOLOGY_GRAPH
    from graph.sparql.engine import evaluate

    from graph.sparql import no_network

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which ends us
    try:
        no_network.deny()  # first of all: this process never has a network (its pipe is local)
    except no_network.NetworkNotDenied as exc:
        conn.send(("failed", str(exc)))
        return
    store = ox.Store()
    store.bulk_load(path=data_path, format=ox.RdfFormat.N_QUADS)
    store.load(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    _limit_memory()
    conn.send(("ready",))
    job = _PipeJob(conn)
    for request in requests(conn):
        evaluate(job, store, *request)
        conn.send(("done",))


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    """From now on this process may grow by GOVPLAT_QUERY_MEMORY_MB at most (its address space, which
    the kernel enforces): a query that needs more fails its allocation and the worker ends (a sort
    over a cross product grew a worker by 1 GB in 8 s, until its timeout, before this)."""
    import os
    import resource

    from graph.settings import settings

    try:
        with open("/proc/self/statm", "rb") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return  # no /proc: no limit (the timeout still holds)
    cap = size + settings().query_memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _died(worker) -> tuple:
    """The error a query gets when its worker process ended under it."""
    from graph.settings import settings

    import signal

    worker.proc.join(timeout=2)
    code = worker.proc.exitcode
    if code == -signal.SIGABRT:  # an allocation past the worker's address-space limit
        why = (f"it took more than GOVPLAT_QUERY_MEMORY_MB={settings().query_memory_mb} MB of memory; narrow it "
               "(LIMIT, fewer patterns, smaller values)")
    elif code == -signal.SIGSEGV:  # pyoxigraph's recursive parser ran out of stack
        why = "the engine crashed reading it (nested too deeply?); write it with less nesting"
    else:
        why = f"its worker process ended (exit code {code})"
    return ("error", 503, f"query stopped: {why}")


class _Worker:
    def __init__(self, ctx, data_path: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, data_path), daemon=True,
                                name="govplat-sparql-worker")
        start_spawned(self.proc)
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        """True once the worker has loaded the data; False if it did not start (``failure`` says why)."""
        self.failure = None
        if self.conn.poll(timeout):
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                return False
            if msg[0] == "failed":
                self.failure = msg[1]
            return msg == ("ready",)
        return False

    def stop(self, kill: bool = False) -> None:
        stop_spawned(self.proc, self.conn, kill)


class ProcessPool:
    """``size`` worker processes over one data file; ``submit`` never blocks the caller."""

    def __init__(self, data_path: str, size: int):
        self.data_path = data_path
        self.size = size
        self.ctx = multiprocessing.get_context("spawn")  # never fork a threaded server
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.retired = False
        self._lock = threading.Lock()
        workers = [_Worker(self.ctx, data_path) for _ in range(size)]
        for w in workers:
            if not w.wait_ready(_READY_TIMEOUT):
                for x in workers:
                    x.stop(kill=True)
                if w.failure:
                    raise GovplatError(w.failure)
                raise RuntimeError(f"a SPARQL worker did not start (exit code {w.proc.exitcode})")
            self.idle.put(w)

    def _replace(self) -> None:
        """Start a worker in the background to take a killed one's place."""
        def start():
            if self.retired:
                return
            w = _Worker(self.ctx, self.data_path)
            if w.wait_ready(_READY_TIMEOUT) and not self.retired:
                self.idle.put(w)
            else:
                w.stop(kill=True)
        threading.Thread(target=start, name="govplat-sparql-respawn", daemon=True).start()

    def submit(self, job, request: tuple, deadline: float) -> None:
        threading.Thread(target=self._dispatch, args=(job, request, deadline), daemon=True,
                         name="govplat-sparql-dispatch").start()

    def _dispatch(self, job, request: tuple, deadline: float) -> None:
        worker = None
        while worker is None:
            if job.cancelled.is_set():
                return
            try:
                worker = self.idle.get(timeout=min(0.25, max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                if time.monotonic() > deadline + 1:
                    return  # the request thread has answered 503 already
        try:
            worker.conn.send(request)
            while True:
                if job.cancelled.is_set():
                    raise _Abandon()
                if worker.conn.poll(0.1):
                    msg = worker.conn.recv()
                    if msg[0] == "done":
                        break
                    if not job.put(msg):
                        raise _Abandon()
                elif not worker.proc.is_alive():
                    job.put(_died(worker))
                    raise _Abandon()
        except (EOFError, OSError):  # the worker ended while we read from it
            job.put(_died(worker))
            worker.stop(kill=True)
            self._replace()
            return
        except _Abandon:
            worker.stop(kill=True)
            self._replace()
            return
        if self.retired:
            worker.stop()
        else:
            self.idle.put(worker)

    def retire(self) -> None:
        """Stop idle workers now; busy ones stop when their query ends."""
        self.retired = True
        while True:
            try:
                self.idle.get_nowait().stop()
            except queue.Empty:
                break


class _Abandon(Exception):
    pass
