"""Stop an embedded query whose memory grows past GOVPLAT_QUERY_MEMORY_MB.

Ladybug's buffer pool bounds what it may *reserve*, not what a query really uses: a 3-hop path
query over the 31-table schema reserves gigabytes it barely touches (all_paths on the bundled
cases fails with an 8 GB pool and uses 0.4 GB), while a sorted cross product really fills what
it reserves. So the pool stays a ceiling (GOVPLAT_BUFFER_POOL_MB) and this watch measures
what counts: the process's resident memory, sampled while the engine runs the query. When it
has grown by more than the limit, the query is interrupted and reported as over the limit.
"""
from __future__ import annotations

import os
import threading

__all__ = ["MemoryWatch"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class MemoryWatch:
    """``with MemoryWatch(conn, mb):`` around one query; ``tripped`` when it was interrupted for memory."""

    def __init__(self, conn, limit_mb: int, every: float = 0.02) -> None:
        self.conn, self.limit, self.every = conn, limit_mb * 2**20, every
        self.tripped = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="govplat-memory-watch", daemon=True)

    def _watch(self) -> None:
        base = _rss()
        if not base:  # no /proc: nothing to measure
            return
        while not self._done.wait(self.every):
            if _rss() - base > self.limit:
                self.tripped = True
                self.conn.interrupt()
                return

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
