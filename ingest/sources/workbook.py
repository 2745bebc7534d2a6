"""Reading published XLSX workbooks sheet by sheet (openpyxl, cached formula values).

Each sheet's header is matched against the layouts a source declares (trailing spaces and
the case of names do not matter); a sheet whose header matches none is returned with
``layout=None`` so the source can skip it with a note instead of guessing. Cells keep their
types (dates as :class:`datetime.date`, numbers, booleans, text); a formula cell gives the
value Excel cached when the file was saved (empty when none was cached).

Every workbook is opened through :func:`open_workbook`: an XLSX file is a zip of XML parts, so
before openpyxl parses anything each XML part goes through :func:`graph.xmlsafe.refuse_dtd`
(no DTD, no entities: a billion-laughs sheet or an external entity is refused, naming the file
and part) and the parts together may hold at most GOVPLAT_INPUT_MAX_BYTES uncompressed (a zip
bomb is refused before it is inflated; zipfile never reads past a part's stated size).

A row is a :class:`~ingest.detect.CsvRow` whose ``line`` is the sheet's row number and whose
``where`` is ``file[sheet]:row``, so error messages name the file, sheet and row.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import SourceError
from ingest.detect import CsvRow, header_names

__all__ = ["Sheet", "open_workbook", "read_workbook", "sheet_layout"]


@dataclass
class Sheet:
    name: str
    layout: str | None  # None: the header matches no declared layout
    header: list[str]
    rows: list[CsvRow] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def open_workbook(path: Path, **options):
    """openpyxl's read-only workbook, once every XML part is checked; SourceError names the file."""
    import openpyxl

    from graph.settings import settings
    from graph.xmlsafe import refuse_dtd

    cap = settings().input_max_bytes
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
            total = sum(p.file_size for p in parts)
            if total > cap:
                raise SourceError(f"holds {total:,} bytes uncompressed, more than GOVPLAT_INPUT_MAX_BYTES={cap:,}",
                                  where=str(path))
            for part in parts:
                if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                    refuse_dtd(z.read(part), f"{path}[{part.filename}]")
        return openpyxl.load_workbook(path, read_only=True, **options)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise SourceError(f"is not a readable XLSX workbook: {exc}", where=str(path)) from None


def sheet_layout(header: list[str], layouts: dict[str, list[str]], *,
                 subset: bool = False) -> tuple[str | None, list[str]]:
    """The layout whose columns equal ``header`` as a set (names stripped, any case; with
    ``subset``, are all in it), and the header with each name spelt as the layout declares it;
    (None, header) when none matches."""
    names = header_names(header)
    found = {n.lower() for n in names if n}
    for layout, expected in layouts.items():
        exact = set(header_names(expected))
        spelling = {n.lower(): n for n in exact}
        if found == set(spelling) or (subset and set(spelling) <= found):
            # a name the layout spells exactly keeps its spelling (a sheet may have both ID and id)
            return layout, [n if n in exact else spelling.get(n.lower(), n) for n in names]
    return None, names


def read_workbook(path: Path, layouts: dict[str, list[str]], *, header_within: int = 1,
                  subset: bool = False) -> list[Sheet]:
    """Every sheet of the workbook with its layout and its non-empty rows.

    The header is the sheet's first row, or the first of its first ``header_within`` rows that
    matches a layout (working spreadsheets put totals above it); the rows after it are data.
    SourceError names the file when it is not an XLSX workbook.
    """
    wb = open_workbook(path, data_only=True)
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            start, first_names = 1, None
            for start in range(1, header_within + 1):
                first = next(it, None) or ()
                header = ["" if h is None else str(h) for h in first]
                layout, names = sheet_layout(header, layouts, subset=subset)
                first_names = first_names or names
                if layout is not None:
                    break
            else:
                names = first_names or []
            sheet = Sheet(ws.title, layout, names)
            for number, cells in enumerate(it, start=start + 1):
                if not any(c is not None and str(c).strip() for c in cells):
                    continue
                values = {n: _cell(c) for n, c in zip(names, cells) if n}
                sheet.rows.append(CsvRow(number, values, f"{path}[{ws.title.strip()}]:{number}"))
            sheets.append(sheet)
    finally:
        wb.close()
    return sheets
