"""Wikimedia Foundation transparency-report data files (layouts, lookups and metadata in
wikimedia_transparency.yml).

The CSV files go through :mod:`ingest.sources.tabular` as they are. ``privacy.json`` lists
one object per user-data request (country, type, disclosed Yes/No) and no period; it is
counted here per country and type into rows ``country, type, requests, disclosed`` (requests
= objects, disclosed = objects with "Yes") and then mapped like a CSV.

    govplat ingest wikimedia_transparency wikimedia-transparency-report/
"""
from __future__ import annotations

from pathlib import Path

from graph.errors import SourceError
from ingest.context import Context
from ingest.detect import CsvRow, head_json
from ingest.textfile import read_json
from ingest.sources.tabular import StatisticsSource

__all__ = ["crawl", "detect"]

_ANSWERS = {"yes": 1, "no": 0}


def _json_layouts(config: dict) -> dict[str, dict]:
    return {n: l for n, l in (config.get("layouts") or {}).items() if l.get("json_list")}


def read_request_list(path: Path, config: dict) -> tuple[list[str], list[CsvRow]]:
    """privacy.json -> (the object keys found, one row per country and type)."""
    data = read_json(path)
    keys = {l["json_list"] for l in _json_layouts(config).values()}
    lists = [k for k in keys if isinstance(data, dict) and isinstance(data.get(k), list)]
    if not lists:
        raise SourceError(f"expected a JSON object with a list under {sorted(keys)}", where=str(path),
                          field="top level")
    name = lists[0]
    objects = data[name]
    found: list[str] = []
    groups: dict[tuple, list[int]] = {}
    rows: list[CsvRow] = []
    for i, obj in enumerate(objects):
        where = f"{path}:{name}[{i}]"
        if not isinstance(obj, dict):
            rows.append(CsvRow(i, {None: [repr(obj)]}, where))  # rejected as a bad row
            continue
        for k in obj:
            if k not in found:
                found.append(k)
        answer = _ANSWERS.get(str(obj.get("disclosed", "")).strip().lower())
        if answer is None:  # keep the bad value: the mapping rejects it with its index
            rows.append(CsvRow(i, {**{k: str(v) for k, v in obj.items()}, "requests": "1"}, where))
            continue
        groups.setdefault((str(obj.get("country", "")), str(obj.get("type", ""))), []).append(i)
    for (country, kind), idx in groups.items():
        disclosed = sum(_ANSWERS[str(objects[i]["disclosed"]).strip().lower()] for i in idx)
        rows.append(CsvRow(idx[0], {"country": country, "type": kind, "requests": str(len(idx)),
                                    "disclosed": str(disclosed)}, f"{path}:{name}[{idx[0]}]"))
    rows.sort(key=lambda r: r.line)
    return found, rows


def crawl(ctx: Context) -> None:
    StatisticsSource(ctx, readers={".json": lambda p: read_request_list(p, ctx.config)}).run()


def detect(path: Path, config: dict) -> bool:
    if path.suffix.lower() == ".json":
        data = head_json(path)
        return isinstance(data, dict) and any(isinstance(data.get(l["json_list"]), list)
                                              for l in _json_layouts(config).values())
    return StatisticsSource.claims(config, path)
