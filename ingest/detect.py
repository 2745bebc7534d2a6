"""Recognise which source reads a file, and check a file's layout before anything is stored.

``govplat ingest --detect DIR`` walks DIR, asks every source whether it reads each file,
runs each source once on the files it claimed, and lists the files nobody recognised.

The detect convention (every source follows it; a source without either is never picked):

1. A source module may define ``detect(path: Path, config: dict) -> bool`` (``config`` is
   its ``<name>.yml``): True when the file is one it reads. It must be cheap (read at most the first few kilobytes; :func:`head_text` and
   :func:`head_json` help) and must never raise: an unreadable file is simply not claimed.
2. Or its ``<name>.yml`` declares header signatures, one per layout it reads::

       detect:
         - layout: shutdown-data          # a name for messages
           suffix: [.csv]                 # optional; default .csv
           headers: [ID, start_date, ...] # the complete header row, as published

   A file matches when its first CSV row, with a UTF-8 BOM and the spaces around each
   name removed, equals ``headers`` as a set (order and trailing spaces do not matter; a
   missing or extra column does). ``match: subset`` makes extra columns acceptable.
3. Exactly one source must claim a file. A file two sources claim is reported as
   ambiguous and not loaded; a file none claims is reported as not recognised.
4. Claiming a file is not trusting it: the source checks the layout again when it reads
   the file (:func:`read_csv` / :func:`check_header`) and, when it is wrong, raises
   :class:`~graph.errors.SourceError` naming the file, the missing and unexpected columns
   and the layout it expected, before any record of that file is emitted.

>>> from pathlib import Path
>>> header_names(["ID", "end_date ", "\\ufeffcountry "])
['ID', 'end_date', 'country']
"""
from __future__ import annotations

import csv
import importlib
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import SourceError
from graph.messages import first_items
from graph.settings import settings
from ingest.textfile import read_json, read_text

__all__ = ["Plan", "detect_paths", "header_names", "check_header", "read_csv", "csv_layouts",
           "head_text", "head_json", "CsvRow"]

HEAD_BYTES = 64 * 1024


# ----------------------------------------------------------------------------- reading helpers
def header_names(row: Iterable[str]) -> list[str]:
    return [str(h).replace("\ufeff", "").strip() for h in row]


def head_text(path: Path, limit: int = HEAD_BYTES) -> str | None:
    """The start of a UTF-8 text file, or None when it is not one (never raises)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit)
    except OSError:
        return None
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start > len(raw) - 4:  # a multi-byte character cut by the limit
            return raw[:exc.start].decode("utf-8-sig", errors="ignore")
        return None


def head_json(path: Path, max_bytes: int = 8 * 1024 * 1024) -> Any:
    """A small JSON file's content, or None when it is not one (never raises)."""
    try:
        if path.suffix.lower() != ".json" or path.stat().st_size > max_bytes:
            return None
        return read_json(path)
    except (OSError, SourceError):
        return None


@dataclass
class CsvRow:
    line: int  # physical line the record starts on (1 = header)
    values: dict[str, str]  # stripped header name -> raw cell
    where: str  # "file:line" for error messages


def check_header(path: Path, found: list[str], layouts: dict[str, list[str]], *,
                 subset: bool = False) -> str:
    """The name of the layout ``found`` (a header row) matches, else SourceError saying why."""
    names = header_names(found)
    if len(set(names)) != len(names):
        dupes = sorted(n for n, k in Counter(names).items() if k > 1)
        raise SourceError(f"header repeats {len(dupes):,} column(s): {first_items(map(repr, dupes))}",
                          where=str(path), field="header")
    for layout, expected in layouts.items():
        exp = set(header_names(expected))
        if set(names) == exp or (subset and exp <= set(names)):
            return layout

    def distance(item):
        exp = set(header_names(item[1]))
        return len(exp - set(names)) + (0 if subset else len(set(names) - exp))

    layout, expected = min(layouts.items(), key=distance)
    exp = header_names(expected)
    have, want = set(names), set(exp)
    missing = [h for h in exp if h not in have]
    unexpected = [] if subset else [h for h in names if h not in want]
    raise SourceError(
        f"unknown layout: {len(missing):,} missing column(s) [{first_items(map(repr, missing))}], "
        f"{len(unexpected):,} unexpected column(s) [{first_items(map(repr, unexpected))}]; "
        f"expected the {layout!r} layout with columns {exp}", where=str(path), field="header")


def read_csv(path: Path, layouts: dict[str, list[str]], *, subset: bool = False) -> tuple[str, list[CsvRow]]:
    """Parse a whole CSV file (BOM, CRLF and quoted multi-line cells as published) and check
    its header against ``layouts`` before the caller emits anything from it.

    Returns the layout's name and the records with the line each starts on; blank lines
    are skipped. A record whose cell count differs from the header's raises nothing here: it
    gets a ``None`` key (its extra cells, or ``[]`` when it is short and padded with "") so the
    source can reject that row with its line.
    """
    text = read_text(path)
    cell_limit = settings().max_literal_chars
    csv.field_size_limit(cell_limit)  # the csv module's own cap on one cell, from settings
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError("is empty; expected a header row", where=str(path), field="header") from None
    except csv.Error as exc:
        raise SourceError(f"is not CSV: {_csv_reason(exc, cell_limit)}", where=str(path), field="header") from None
    layout = check_header(path, header, layouts, subset=subset)
    names = header_names(header)
    rows: list[CsvRow] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not "".join(cells).strip():  # blank: no cell holds anything but spaces
                continue
            values = dict(zip(names, cells))
            if len(cells) > len(names):
                values[None] = cells[len(names):]  # type: ignore[index]
            elif len(cells) < len(names):
                values.update({n: "" for n in names[len(cells):]})
                values[None] = []  # type: ignore[index]
            rows.append(CsvRow(line, values, f"{path}:{line}"))
    except csv.Error as exc:
        raise SourceError(f"malformed CSV near line {reader.line_num}: {_csv_reason(exc, cell_limit)}",
                          where=str(path)) from None
    return layout, rows


def _csv_reason(exc: csv.Error, cell_limit: int) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {cell_limit:,} characters, the limit (GOVPLAT_MAX_LITERAL_CHARS)"
    return str(exc)


def csv_header(path: Path) -> list[str] | None:
    """The first CSV row of a text file, or None (never raises)."""
    text = head_text(path)
    if text is None:
        return None
    try:
        return next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None


# ----------------------------------------------------------------------------- dispatch
@dataclass
class Plan:
    """What ``--detect`` found: files per source, and the files it could not place."""
    files: dict[str, list[Path]] = field(default_factory=dict)
    unrecognised: list[Path] = field(default_factory=list)
    ambiguous: dict[Path, list[str]] = field(default_factory=dict)
    documentation: list[Path] = field(default_factory=list)  # README*, LICENSE*, ...: not data

    def to_json(self) -> dict:
        return {"files": {k: [str(p) for p in v] for k, v in self.files.items()},
                "unrecognised": [str(p) for p in self.unrecognised],
                "ambiguous": {str(p): v for p, v in self.ambiguous.items()},
                "documentation": [str(p) for p in self.documentation]}


# Files that document a data folder rather than hold data; --detect lists them apart.
DOCUMENTATION = re.compile(r"(?i)^(readme|license|licence|citation|sources)([._-].*)?$")


def _yaml_signatures(config: dict) -> list[dict]:
    sigs = config.get("detect") or []
    return sigs if isinstance(sigs, list) else []


def _matches_signature(path: Path, sig: dict) -> bool:
    suffixes = [s.lower() for s in (sig.get("suffix") or [".csv"])]
    if path.suffix.lower() not in suffixes or not sig.get("headers"):
        return False
    header = csv_header(path)
    if header is None:
        return False
    names, expected = set(header_names(header)), set(header_names(sig["headers"]))
    return names == expected or (sig.get("match") == "subset" and expected <= names)


def claims(name: str, config: dict, path: Path) -> bool:
    """Whether source ``name`` says it reads ``path`` (its detect() or its YAML signatures)."""
    module = importlib.import_module(f"ingest.sources.{name}")
    fn = getattr(module, "detect", None)
    if callable(fn):
        try:
            return bool(fn(path, config))
        except Exception:  # a detector must not sink the walk; treat as "not mine"
            return False
    return any(_matches_signature(path, s) for s in _yaml_signatures(config))


def csv_layouts(ctx, skip: dict[str, str]):
    """Each CSV file the source was given, read against the layouts of its ``detect`` config:
    yields ``(path, layout, rows)``. An unreadable file is rejected (its error names it) and
    a file of a layout in ``skip`` is counted as skipped with that reason; neither is yielded.
    Either way the file's line goes into the summary's ``files`` note."""
    layouts = {s["layout"]: s["headers"] for s in ctx.config["detect"]}
    files = ctx.counters.notes.setdefault("files", {})
    for path in walk(ctx.paths, (".csv",)):
        try:
            layout, rows = read_csv(path, layouts)
        except SourceError as exc:
            ctx.reject(exc)
            continue
        if layout in skip:
            reason = " ".join(skip[layout].split())
            ctx.skip(reason, len(rows))
            files[str(path)] = {"layout": layout, "rows": len(rows), "skipped": reason}
            continue
        yield path, layout, rows


def walk(paths: Iterable[Path], suffixes: Iterable[str] | None = None) -> list[Path]:
    """The files a user named: a file as given (its reader reports a missing or wrong one), a
    folder's files at any depth in sorted order, hidden ones left out, and only those ending
    in ``suffixes`` (any case) when given."""
    wanted = {s.lower() for s in suffixes} if suffixes is not None else None
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)
                              and (wanted is None or f.suffix.lower() in wanted)))
        else:
            out.append(p)
    return out


def detect_paths(paths: Iterable[Path], sources: dict | None = None) -> Plan:
    """Assign every file under ``paths`` to the one source that claims it."""
    from ingest.run import available_sources

    sources = sources if sources is not None else available_sources()
    plan = Plan()
    for f in walk(p for p in paths if Path(p).exists()):
        if DOCUMENTATION.match(f.name):
            plan.documentation.append(f)
            continue
        who = [name for name, info in sources.items() if claims(name, info.config, f)]
        if len(who) == 1:
            plan.files.setdefault(who[0], []).append(f)
        elif who:
            plan.ambiguous[f] = who
        else:
            plan.unrecognised.append(f)
    return plan
