"""Cells and periods of published tables, taken as they are.

Thousands separators inside quotes ("15,433"), bands ("<10", "0 - 249", "11,000 - 12,000")
kept as a :class:`Band` and never turned into a made-up number, percentages with or without
"%", " -" and empty cells as missing values, and the period notations the reports use.
Reading itself (UTF-8 BOM, CRLF, quoted multi-line cells, line numbers, header check) is
:func:`ingest.detect.read_csv`; mapping rows to records is :mod:`ingest.sources.tabular`.

>>> parse_count("15,433"), parse_count("<10"), parse_count("0 - 249"), parse_count(" -")
(15433, Band(low=0, high=9), Band(low=0, high=249), None)
>>> parse_percent("54%"), half_year_ending("2019-06-30").label
(54.0, '2019 H1')
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["MISSING", "Band", "CellError", "Period", "parse_count", "parse_percent", "parse_text",
           "half_year", "half_year_ending", "half_year_text", "half_year_label", "year_or_half_label",
           "month_span_code",
           "us_date", "PERIOD_FORMATS"]

MISSING = ("", "-", "–")


class CellError(ValueError):
    """A cell the column cannot read; the message says what was found and what was expected."""


class Band(NamedTuple):
    """A figure published as a range: "<10" is Band(0, 9), "0 - 249" is Band(0, 249)."""
    low: int
    high: int


_WHOLE = re.compile(r"\d+|\d{1,3}(?:,\d{3})+")
_BELOW = re.compile(r"<\s*([\d,]+)")
_RANGE = re.compile(r"([\d,]+)\s*-\s*([\d,]+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%?")


def _whole(text: str, original: str) -> int:
    if not _WHOLE.fullmatch(text):
        raise CellError(f"{original!r} is not a whole number, a band ('<10', '0 - 249') or empty")
    return int(text.replace(",", ""))


def parse_count(text: str | None, missing: tuple[str, ...] = MISSING) -> int | Band | None:
    """A count as published: 1234, "1,234", "<10", "0 - 249"; None when missing."""
    s = (text or "").strip()
    if s in missing:
        return None
    if s.isdigit():
        return int(s)
    if m := _BELOW.fullmatch(s):
        n = _whole(m[1], text)
        if n < 1:
            raise CellError(f"{text!r} is an empty band")
        return Band(0, n - 1)
    if m := _RANGE.fullmatch(s):
        low, high = _whole(m[1], text), _whole(m[2], text)
        if low > high:
            raise CellError(f"{text!r} is a band whose minimum exceeds its maximum")
        return Band(low, high)
    return _whole(s, text)


def parse_percent(text: str | None, missing: tuple[str, ...] = MISSING) -> float | None:
    """A share in percent, "54%" or "54" or "12.5%" -> 54.0; None when missing."""
    s = (text or "").strip()
    if s in missing:
        return None
    m = _PERCENT.fullmatch(s)
    if not m:
        raise CellError(f"{text!r} is not a percentage")
    value = float(m[1])
    if value > 100:
        raise CellError(f"{text!r} is more than 100%")
    return value


def parse_text(text: str | None, missing: tuple[str, ...] = ("",)) -> str | None:
    s = " ".join((text or "").split())
    return None if s in missing else s


# ============================================================================ 1b. periods
@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    raw: str  # as the file writes it

    @property
    def label(self) -> str:
        """'2019 H1' for a calendar half-year, 'Jul 2012 - Jun 2013' otherwise."""
        s, e = self.start, self.end
        if s.year == e.year and s.day == 1 and (s.month, e.month, e.day) in ((1, 6, 30), (7, 12, 31)):
            return f"{s.year} H{1 if s.month == 1 else 2}"
        return f"{s:%b %Y} - {e:%b %Y}"


def half_year(year: int, half: int, raw: str) -> Period:
    if half not in (1, 2):
        raise CellError(f"{raw!r}: a half-year is 1 or 2")
    return Period(dt.date(year, 1 if half == 1 else 7, 1), dt.date(year, 6 if half == 1 else 12, 30 if half == 1 else 31), raw)


def half_year_ending(text: str) -> Period:
    """'2019-06-30' (the last day of a half-year) -> 2019 H1."""
    s = text.strip()
    try:
        end = dt.date.fromisoformat(s)
    except ValueError:
        raise CellError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if (end.month, end.day) not in ((6, 30), (12, 31)):
        raise CellError(f"{text!r} does not end a half-year (June 30 or December 31)")
    return half_year(end.year, 1 if end.month == 6 else 2, s)


def half_year_text(text: str) -> Period:
    """'January - June 2025' / 'July - December 2024'."""
    m = re.fullmatch(r"(January|July)\s*-\s*(June|December)\s+(\d{4})", text.strip())
    if not m or (m[1], m[2]) not in (("January", "June"), ("July", "December")):
        raise CellError(f"{text!r} is not a half-year such as 'January - June 2025'")
    return half_year(int(m[3]), 1 if m[1] == "January" else 2, text.strip())


def half_year_label(text: str) -> Period:
    """'2013 H1'."""
    m = re.fullmatch(r"(\d{4})\s*H([12])", text.strip())
    if not m:
        raise CellError(f"{text!r} is not a half-year such as '2013 H1'")
    return half_year(int(m[1]), int(m[2]), text.strip())


def year_or_half_label(text: str) -> Period:
    """'2025' (the calendar year) or '2025 H1' (a half of it)."""
    s = text.strip()
    if re.fullmatch(r"\d{4}", s):
        return Period(dt.date(int(s), 1, 1), dt.date(int(s), 12, 31), s)
    try:
        return half_year_label(s)
    except CellError:
        raise CellError(f"{text!r} is not a year or a half-year such as '2025' or '2025 H1'") from None


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                         "oct", "nov", "dec"), 1)}


def month_span_code(text: str) -> Period:
    """Wikimedia's duration codes: 'jul12jun13' (Jul 2012 - Jun 2013), 'juldec13', 'janjun14'."""
    m = re.fullmatch(r"([a-z]{3})(\d{2})?([a-z]{3})(\d{2})", text.strip().lower())
    if not m or m[1] not in _MONTHS or m[3] not in _MONTHS:
        raise CellError(f"{text!r} is not a period code such as 'jul12jun13' or 'juldec13'")
    end_year = 2000 + int(m[4])
    start_year = 2000 + int(m[2]) if m[2] else end_year
    start = dt.date(start_year, _MONTHS[m[1]], 1)
    nxt = dt.date(end_year + (_MONTHS[m[3]] == 12), _MONTHS[m[3]] % 12 + 1, 1)
    end = nxt - dt.timedelta(days=1)
    if end < start:
        raise CellError(f"{text!r} ends before it starts")
    return Period(start, end, text.strip())


def us_date(text: str) -> dt.date:
    """'6/30/13' or '6/30/2013' (month/day/year)."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text.strip())
    if not m:
        raise CellError(f"{text!r} is not a date (M/D/YY)")
    year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    try:
        return dt.date(year, int(m[1]), int(m[2]))
    except ValueError as exc:
        raise CellError(f"{text!r} is not a date: {exc}") from None


PERIOD_FORMATS: dict[str, Callable[[str], Period]] = {
    "half_year_ending": half_year_ending,
    "half_year_text": half_year_text,
    "half_year_label": half_year_label,
    "year_or_half_label": year_or_half_label,
    "month_span_code": month_span_code,
}
