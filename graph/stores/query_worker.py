"""Users' Cypher on the embedded store in a worker process, so that a query that must be killed
kills only itself (the dashboard's console: one per dashboard server).

A value bomb (``lpad('a', 3000000000, 'b')``, ``repeat()``, ``range(1, 10**11)``) is built in one
engine call: Ladybug folds it while preparing the query, holding Python's GIL, or builds it in one
execute() call that ignores ``interrupt()``. In the dashboard's own process the only way to stop it
was the memory watchdog's SIGKILL (graph/stores/memory.py), which ended the Streamlit server for
every user. Here the worker runs Store.run_user with its address space capped at its size plus
GOVPLAT_QUERY_MEMORY_MB (RLIMIT_AS, soft limit, only while the query runs): the engine's own
allocation fails (``std::bad_alloc``), the query gets an error naming the limit and the worker
serves on. Should it die anyway (the watchdog, a crash), the caller gets an error and the next
query starts a fresh worker.

The worker stays warm (imports, ontology) but opens the store read-only for one query and closes
it, as the dashboard's gate does (dashboard/data.py): an ingest waits for one query at most, and
every query sees the latest data version.
"""
from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from graph.errors import GovplatError, QueryError
from graph.settings import settings
from graph.stores.memory import over_memory
from graph.worker_processes import requests, start_spawned, stop_spawned

__all__ = ["QueryWorker"]

_START_TIMEOUT = 120.0  # importing the engine in a fresh process, on a loaded machine


def _vm_size() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _run(path: str, cypher: str, params: dict):  # pragma: no cover - runs in the worker
    import resource

    from graph.stores.embedded import EmbeddedStore

    mb = settings().query_memory_mb
    with EmbeddedStore(Path(path), read_only=True) as store:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        # Ladybug reserves its buffer pool's address range when the store opens: the cap counts
        # what the query allocates besides (strings, lists, threads), where value bombs live.
        cap = _vm_size() + mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
        try:
            return store.run_user(cypher, params)
        except MemoryError as exc:
            raise over_memory(mb) from exc
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _worker_main(conn) -> None:  # pragma: no cover - runs in the worker
    import ctypes

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which ends us
    try:  # glibc reserves 64 MB of address space per thread arena: few arenas, so the cap counts data
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
    import graph.stores.embedded  # noqa: F401  (warm: the first query does not pay the import)

    conn.send(("ready", None))
    for path, cypher, params, env in requests(conn):
        for k in [k for k in os.environ if k.startswith("GOVPLAT_")]:
            del os.environ[k]
        os.environ.update(env)  # the caller's settings, as they are now
        try:
            answer = ("ok", _run(path, cypher, params))
        except GovplatError as exc:
            answer = ("error", exc)
        except Exception as exc:  # noqa: BLE001 - any failure is the query's, the worker serves on
            answer = ("error", QueryError(f"query failed: {exc}"))
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
            conn.send(("error", QueryError(f"query failed: {exc}")))


class QueryWorker:
    """``run_user(path, cypher, params)`` as Store.run_user on the embedded store at ``path``,
    in a worker process; one query at a time (callers queue)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc = self._conn = None

    def _start(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # never fork a threaded server
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="govplat-query-worker")
        start_spawned(self._proc)
        child.close()
        if not self._conn.poll(_START_TIMEOUT):
            self.close()
            raise QueryError("the query worker process did not start")
        try:
            self._conn.recv()
        except (EOFError, OSError):
            code = self._proc.exitcode
            self.close()
            raise QueryError(f"the query worker process did not start (exit code {code})") from None

    def run_user(self, path: Path, cypher: str, params: dict | None = None):
        cfg = settings()
        env = {k: v for k, v in os.environ.items() if k.startswith("GOVPLAT_")}
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self.close()
                self._start()
            self._conn.send((str(path), cypher, params or {}, env))
            # The engine's timeout holds in the worker; this is the backstop if the worker hangs.
            if not self._conn.poll(cfg.query_timeout + cfg.read_wait + 60):
                self.close()
                raise QueryError(f"query stopped after its timeout of {cfg.query_timeout} s (GOVPLAT_QUERY_TIMEOUT)")
            try:
                kind, value = self._conn.recv()
            except (EOFError, OSError):
                self._proc.join(timeout=5)
                code = self._proc.exitcode
                self.close()
                if code == -signal.SIGKILL:  # the memory watchdog (graph/stores/memory.py) or the kernel
                    raise over_memory(cfg.query_memory_mb) from None
                raise QueryError(f"query stopped: its worker process ended (exit code {code})") from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        if self._proc is not None:
            stop_spawned(self._proc, self._conn)
        self._proc = self._conn = None
