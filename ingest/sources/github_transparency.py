"""GitHub's transparency data, read as the Frictionless Data Package it is (layouts and
metadata in github_transparency.yml).

Every CSV is a resource of ``datapackage.json`` in a folder above it; the ``frictionless``
library reads it with the schema the package declares (integers as integers: a cell that is
not one keeps its text, and the row is rejected naming the column). The rows then go through
the shared :class:`~ingest.sources.tabular.StatisticsSource` mapping like Google's and Meta's
tables, with a ``period`` column made from ``year`` and ``half`` (or ``month_range``).
Tables that are not government demands are skipped with the reason the YAML gives.

    govplat ingest github_transparency github-transparency-report/
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from graph.errors import SourceError
from ingest.context import Context
from ingest.detect import CsvRow, walk
from ingest.sources.tabular import Layout, RowError, RowResult, StatisticsSource

__all__ = ["crawl", "detect"]

DESCRIPTOR = "datapackage.json"
_HALVES = {"jan-jun": 1, "jul-dec": 2}


@lru_cache(maxsize=8)
def _package(descriptor: str):
    from frictionless import Package

    return Package(descriptor, basepath=str(Path(descriptor).parent))


def _resource(path: Path):
    """(the package's resource for this CSV, its descriptor), or (None, None)."""
    for folder in path.resolve().parents:
        descriptor = folder / DESCRIPTOR
        if descriptor.is_file():
            rel = path.resolve().relative_to(folder).as_posix()
            try:
                pkg = _package(str(descriptor))
            except Exception:  # not a Data Package
                return None, None
            return next((r for r in pkg.resources if r.path == rel), None), descriptor
    return None, None


def detect(path: Path, config: dict) -> bool:
    """A Data Package descriptor with GitHub's tables, or a CSV it lists."""
    try:
        if path.name == DESCRIPTOR:
            pkg = _package(str(path.resolve()))
            return any(r.name == "government_takedowns_received" for r in pkg.resources)
        if path.suffix.lower() != ".csv":
            return False
        resource, descriptor = _resource(path)
        return resource is not None and detect(descriptor, config)
    except Exception:  # a detector never raises
        return False


def _read(path: Path) -> tuple[list[str], list[CsvRow]]:
    """The resource's header and rows, typed by the package's schema, as the cells the
    tabular mapping reads (text), with the derived ``period`` column."""
    resource, _ = _resource(path)
    if resource is None:
        raise SourceError(f"is not a resource of a {DESCRIPTOR} in a folder above it", where=str(path))
    resource = resource.to_copy()
    rows: list[CsvRow] = []
    with resource:
        header = list(resource.header)
        for row in resource.row_stream:
            values: dict = {}
            bad = {e.field_name for e in row.errors if getattr(e, "field_name", None)}
            for i, name in enumerate(header):
                raw = row.cells[i] if i < len(row.cells) else ""
                value = row.get(name) if name not in bad else raw
                values[name] = "" if value is None else str(value)
            if len(row.cells) > len(header):
                values[None] = row.cells[len(header):]
            values["period"] = _period(values)
            rows.append(CsvRow(row.row_number, values, f"{path}:{row.row_number}"))
    return header, rows


def _period(values: dict) -> str:
    year = values.get("year", "")
    if values.get("half"):
        return f"{year} H{values['half']}"
    if values.get("month_range"):
        half = _HALVES.get(values["month_range"].strip().lower())
        return f"{year} H{half}" if half else f"{year} {values['month_range']}"
    return year


def _national_security(src: StatisticsSource, layout: Layout, row: CsvRow) -> RowResult:
    """A band of letters and orders received, or of accounts affected, as the row's type says."""
    types = src.config["layouts"][layout.name]["types"]
    kind = row.values.get("type", "")
    if kind not in types:
        raise RowError("type", f"unknown type {kind!r}; known: {sorted(types)}")
    result = src.parse_row(layout, row)
    prop = types[kind]
    for stat in result.stats:
        if prop != "requests":
            for suffix in ("", "Min", "Max"):
                if f"requests{suffix}" in stat.props:
                    stat.props[f"{prop}{suffix}"] = stat.props.pop(f"requests{suffix}")
            stat.props["name"] += f" ({kind.lower()})"
        stat.keys = (*stat.keys, f"type={kind}")
    return result


def crawl(ctx: Context) -> None:
    src = StatisticsSource(ctx, handlers={"national_security": _national_security}, readers={".csv": _read})
    skipped: dict[str, dict] = {}
    for path in walk(ctx.paths, (".csv", ".json")):
        if path.name == DESCRIPTOR:
            skipped[str(path)] = {"read": "Data Package descriptor: the tables' schemas"}
            continue
        resource, _ = _resource(path)
        reason = next((r for p, r in ctx.config["skip_resources"].items() if resource is not None
                       and re.search(p, resource.name)), None)
        if reason:
            ctx.skip(reason)
            skipped[str(path)] = {"skipped": reason}
            continue
        src.process(path)
    ctx.note("files", {**src.report, **skipped})
