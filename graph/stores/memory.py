"""Stop an embedded query whose memory grows past GOVPLAT_QUERY_MEMORY_MB.

Ladybug's buffer pool bounds what it may *reserve*, not what a query really uses: a 3-hop path
query over the 31-table schema reserves gigabytes it barely touches (all_paths on the bundled
cases fails with an 8 GB pool and uses 0.4 GB), while a sorted cross product really fills what
it reserves. So the pool stays a ceiling (GOVPLAT_BUFFER_POOL_MB) and this watch measures
what counts: the process's resident memory, sampled while the engine runs the query. When it
has grown by more than the limit, the query is interrupted and reported as over the limit, even
when the engine finished it anyway.

The engine checks for an interrupt between chunks of work, not inside one function call: a
single ``lpad('a', 3000000000, 'b')`` or ``range(1, 100000000000)`` builds its value in one call
and grew a process past 17 GB, interrupt or not. So the watch keeps watching after it interrupts,
and when the process has grown by QUERY_MEMORY_HARD_FACTOR (graph/settings.py) times the
limit it ends the process, saying why on stderr: the only way left to give the memory back before the machine runs out. That last step
is a small watchdog *process* (WATCHDOG): Ladybug binds a query (and folds its constant
expressions, where those two calls build their values) holding Python's GIL, so no thread of
this process runs until it returns. It watches the queries users write (``hard=True``: the
user query's planning and run), not govplat's own named queries. The dashboard's console runs
those in a worker process (graph/stores/query_worker.py) with its address space capped, so there
the engine's allocation fails first, and should the watchdog fire it ends the worker, not the server. Queries the engine can
interrupt stop long before that
(about three times the limit at most, while a sort winds down).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading

from graph.errors import QueryError
from graph.settings import QUERY_MEMORY_HARD_FACTOR

__all__ = ["MemoryWatch", "over_memory"]


def over_memory(mb: int):
    """The error of a user's query stopped for its memory (the watch, or an allocation past the
    console worker's address-space cap), naming the limit."""
    return QueryError(f"query stopped: it took more than GOVPLAT_QUERY_MEMORY_MB={mb} MB of memory; "
                      "narrow it (LIMIT, fewer MATCH parts, smaller values)")

# Run with `python -S -c`: argv = pid, base resident bytes, ceiling bytes, limit MB. Polls the watched
# process until its stdin (a pipe from it) closes; past the ceiling it says why on the process's
# stderr (inherited) and kills it.
WATCHDOG = """
import os, signal, sys, select
pid, base, ceiling, mb = (int(a) for a in sys.argv[1:5])
page = os.sysconf("SC_PAGE_SIZE")
while not select.select([0], [], [], 0.02)[0]:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            grown = int(f.read().split()[1]) * page - base
    except (OSError, ValueError, IndexError):
        break
    if grown > ceiling:
        os.write(2, (f"error: query stopped: it took more than GOVPLAT_QUERY_MEMORY_MB={mb} MB and went on growing "
                     f"past {ceiling >> 20} MB, which the engine could not interrupt (one call building a huge value); "
                     "the process was ended to give the memory back\\n").encode())
        os.kill(pid, signal.SIGKILL)
        break
"""

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class MemoryWatch:
    """``with MemoryWatch(conn, mb):`` around one query; ``tripped`` when it was interrupted for memory."""

    def __init__(self, conn, limit_mb: int, every: float = 0.02, *, hard: bool = False) -> None:
        # hard: also start the watchdog process (about 20-50 ms), for queries users write
        self.conn, self.limit, self.every, self.hard = conn, limit_mb * 2**20, every, hard
        self.tripped = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="govplat-memory-watch", daemon=True)

    def _watch(self) -> None:
        base = self.base
        if not base:  # no /proc: nothing to measure
            return
        while not self._done.wait(self.every):
            if _rss() - base > self.limit:
                self.tripped = True
                self.conn.interrupt()
                return

    def __enter__(self) -> "MemoryWatch":
        self.base = _rss()
        self._dog = None
        if self.base and self.hard:
            self._dog = subprocess.Popen(
                [sys.executable, "-S", "-c", WATCHDOG, str(os.getpid()), str(self.base),
                 str(QUERY_MEMORY_HARD_FACTOR * self.limit), str(self.limit >> 20)], stdin=subprocess.PIPE, close_fds=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        if self._dog is not None:
            self._dog.stdin.close()
            self._dog.wait()
