"""Starting and stopping the worker processes that run users' queries apart from the server or
dashboard that asks them (graph/sparql/pool.py for SPARQL, graph/stores/query_worker.py for the
dashboard console's Cypher): a query that must be killed ends its worker, never its caller."""
from __future__ import annotations

import sys
import threading
import types

__all__ = ["requests", "start_spawned", "stop_spawned"]

_MAIN_LOCK = threading.Lock()


def start_spawned(proc) -> None:
    """Start a spawned process without re-running the parent's ``__main__`` in it.

    Spawn re-imports the parent's main script in the child. Under Streamlit that is the page
    script (Streamlit installs each page as ``__main__``), under Streamlit's AppTest a temporary
    file gone by then: the worker would run a page, or die. The worker needs nothing from it,
    so for the moment of ``start()`` the main module is one with no file."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            proc.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def requests(conn):
    """In a worker: the requests its pipe brings, until ``None`` (stop) or the pipe closes."""
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        yield request


def stop_spawned(proc, conn, kill: bool = False) -> None:
    """End a worker: ask it to stop (``None`` on its pipe) or kill it; kill it if it has not ended
    5 s later; close the pipe."""
    try:
        if kill:
            proc.kill()
        else:
            conn.send(None)
    except (OSError, ValueError):
        pass
    proc.join(timeout=5)
    if proc.is_alive():
        proc.kill()
        proc.join(timeout=5)
    conn.close()
