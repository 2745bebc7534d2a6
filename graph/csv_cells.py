"""Every CSV (and TSV) govplat writes goes through here, so no cell can run as a formula.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP "CSV injection"): an entity named ``=HYPERLINK(...)`` in a
download could run when a researcher opens it. :func:`spreadsheet_safe` prefixes such text
with an apostrophe, which spreadsheets show as text; numbers (``-3``, ``+1.5e3``) are left
as they are so they stay numeric. :func:`csv_text` writes whole tables (quoting as RFC 4180).
Used by the dashboard downloads, :func:`graph.analytics.to_csv` and the SPARQL CSV/TSV results.

>>> [spreadsheet_safe(v) for v in ["=1+1", "-3", "+1.5e3", "@SUM(A1)", "\\tx", "-x", "a=b", 7, None]]
["'=1+1", '-3', '+1.5e3', "'@SUM(A1)", "'\\tx", "'-x", 'a=b', 7, '']
>>> csv_text(["name", "n"], [["=cmd|' /C calc'!A0", -3], ["a, b", 1.5]]).split("\\r\\n")
['name,n', "'=cmd|' /C calc'!A0,-3", '"a, b",1.5', '']
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable

__all__ = ["spreadsheet_safe", "csv_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width forms
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_safe(value):
    """``value`` as a cell no spreadsheet evaluates: formula-like text gets a leading ``'``;
    numbers and number-like text stay as they are; None and NaN become empty cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        return value
    if value.lstrip(" \u00a0").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


def csv_text(header: Iterable, rows: Iterable[Iterable], *, delimiter: str = ",",
             lineterminator: str = "\r\n") -> str:
    """A CSV document (CRLF line ends, minimal quoting) with every cell made spreadsheet-safe;
    ``delimiter="\t"`` for TSV, ``lineterminator="\n"`` for a terminal."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    w.writerow([spreadsheet_safe(h) for h in header])
    w.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return buf.getvalue()
