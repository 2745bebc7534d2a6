"""Readers and the one writer of the embedded store take turns, with advisory locks beside the file.

Ladybug lets a read-only open proceed while another process writes, and such a reader sees
half of an ingest or a WAL in the middle of being written ("WAL file is corrupted", "invalid
local node offset", though nothing is). So govplat serialises them with two lock files:

* ``<db>.writing``: held exclusively by the writer for as long as it is open, and holding a
  line saying which process writes since when (emptied when the writer closes). A reader
  takes it for a moment on its way in: while a write runs, readers wait (and say so), and a
  waiting writer is not starved by a stream of readers.
* ``<db>.readers``: shared by the open readers, exclusive for the writer.

A reader therefore sees the last complete state or waits, up to GOVPLAT_READ_WAIT seconds,
then gets StoreBusyError saying what is writing. Locks die with their process, so a killed
ingest never blocks anyone; the line it leaves behind tells later readers that the last write
did not finish and what to run.
"""
from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graph.errors import StoreBusyError

__all__ = ["StoreLock", "say"]


def say(message: str) -> None:
    """How a waiting reader or writer tells the user (stderr: the CLI's, or the dashboard server's log)."""
    print(f"govplat: {message}", file=sys.stderr, flush=True)


class StoreLock:
    """The turn of one open store: ``write`` for the writer, else a reader."""

    def __init__(self, db: Path, *, write: bool, wait: float, notice: Callable[[str], None] = say) -> None:
        self.db, self.write, self.wait, self.notice = db, write, wait, notice
        self.interrupted = ""  # the line of a writer that did not finish, if any
        self._writing = self._readers = None

    def _file(self, suffix: str):
        return open(self.db.with_name(self.db.name + suffix), "a+", encoding="utf-8")

    def _take(self, f, mode: int, deadline: float, waiting: str, busy: str) -> None:
        told = False
        while True:
            try:
                fcntl.flock(f.fileno(), mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(busy) from None
                if not told:
                    self.notice(waiting)
                    told = True
                time.sleep(0.1)

    def _who(self) -> str:
        self._writing.seek(0)
        return self._writing.read().strip()

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        limit = f"{'GOVPLAT_WRITE_WAIT' if self.write else 'GOVPLAT_READ_WAIT'}={self.wait:g} s"
        self._writing, self._readers = self._file(".writing"), self._file(".readers")
        try:
            who = self._who() or "another govplat command"
            self._take(self._writing, fcntl.LOCK_EX, deadline,
                       f"a write to the embedded store at {self.db} is under way ({who}); "
                       f"waiting for it to finish (at most {limit})",
                       f"the embedded store at {self.db} is being written ({who}) and the write did not finish "
                       f"within {limit}; try again when it has finished")
            self.interrupted = self._who()
            if self.write:
                self._take(self._readers, fcntl.LOCK_EX, deadline,
                           f"waiting for the readers of {self.db} (dashboard, cypher, stats) to finish "
                           f"(at most {limit})",
                           f"the embedded store at {self.db} is still being read after {limit} "
                           "(the dashboard or another govplat command); stop it or try again")
                self._writing.seek(0)
                self._writing.truncate()
                self._writing.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
                self._writing.flush()
            else:
                self._take(self._readers, fcntl.LOCK_SH, deadline, "", f"the embedded store at {self.db} is busy")
                fcntl.flock(self._writing.fileno(), fcntl.LOCK_UN)
        except BaseException:
            self.release(clean=False)
            raise

    def release(self, *, clean: bool = True) -> None:
        """Give the turn back; a writer that closes cleanly empties its line."""
        if self.write and clean and self._writing is not None:
            self._writing.seek(0)
            self._writing.truncate()
            self._writing.flush()
        for f in (self._readers, self._writing):
            if f is not None:
                f.close()  # closing the file drops its lock
        self._writing = self._readers = None
