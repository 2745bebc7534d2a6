"""Reading a Ladybug query's rows: the one reader of the embedded store (queries and dumps).

Ladybug's row reader builds each DATE value with ``py::cast<py::object>(PyDate_FromDate(...))``,
which keeps the new reference it was handed as well as its own: the ``datetime.date`` it returns
(in a column, a list, a map or a node's or relationship's properties) is never freed, 32 bytes
per date read. :func:`rows` gives that reference back, so callers get ordinary dates that go
away with the row.

Whether the reader holds that extra reference is measured once per process on a probe query
(:func:`calibrate`, run when a store is opened) by the same walk that gives it back: a Ladybug
that no longer holds one is read as it is, and a date whose count differs from the probe's (held
anywhere else) is left alone. TIMESTAMP values leak the same way; the schema stores none
(graph/stores/embedded.py), so they are not touched.
"""
from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterable, Iterator
from datetime import date

__all__ = ["calibrate", "rows"]

_decref = ctypes.pythonapi.Py_DecRef
_decref.argtypes = [ctypes.py_object]
_decref.restype = None

# The reference count :func:`_give_back` sees on a date the reader holds once too often; None:
# not measured yet, or the reader holds none (nothing is given back).
_held: int | None = None
_calibrated = False


def _give_back(items: Iterable, held: int, seen: list | None = None) -> None:
    """Drop the reader's extra reference to each date in ``items`` (a row, a list, a dict's keys or
    values) and in what they hold; with ``seen``, only note the counts."""
    for x in items:
        if type(x) is date:
            if seen is not None:
                seen.append(sys.getrefcount(x))
            elif sys.getrefcount(x) == held:
                _decref(x)
        elif type(x) is list:
            _give_back(x, held, seen)
        elif type(x) is dict:
            _give_back(x.keys(), held, seen)
            _give_back(x.values(), held, seen)


def calibrate(conn) -> None:
    """Measure (once per process) whether the reader holds an extra reference to its dates."""
    global _held, _calibrated
    if _calibrated:
        return
    res = conn.execute("RETURN date('2000-01-02')")
    try:
        row = res.get_next()
    finally:
        res.close()
    read, plain = [], []
    _give_back(row, 0, read)
    _give_back([date(2000, 1, 2)], 0, plain)
    _held = read[0] if read[0] == plain[0] + 1 else None
    _calibrated = True


def _needs_walk(column_type: str) -> bool:
    return "DATE" in column_type or column_type.split("(")[0] in ("NODE", "REL", "RECURSIVE_REL", "ANY")


def rows(res) -> Iterator[list]:
    """A query's rows one at a time: Python holds one row, not the whole result, which is freed at
    the end (Ladybug keeps a result's memory until it is closed). Dates come as ``datetime.date``."""
    try:
        held = _held if _held and any(_needs_walk(t) for t in res.get_column_data_types()) else None
        while res.has_next():
            row = res.get_next()
            if held:
                _give_back(row, held)
            yield row
    finally:
        res.close()
