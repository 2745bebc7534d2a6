"""Query results as people and pipes read them: table, CSV, TSV or JSON.

One place decides how a value is written: dates at the precision their entity states
(``2025-01``, ``2005``), nodes as ``name [class]`` (their id in CSV/TSV), paths as
``a -[TYPE]-> b <-[TYPE]- c``, lists joined with `` | ``. Columns a named query declares
internal (``sort_key``, a date's precision) are never shown. A table written to a pipe is
plain aligned text, one row per line, never folded at 80 columns.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from graph.csv_cells import csv_text
from graph.model import plain

__all__ = ["FORMATS", "Shown", "shown", "at_precision", "render"]

FORMATS = ("table", "csv", "tsv", "json")
LIST_SEPARATOR = " | "


def at_precision(iso: Any, precision: str | None) -> Any:
    """``'2025-01-01', 'month'`` -> ``'2025-01'``; ``'2005-01-01', 'year'`` -> ``'2005'``."""
    if not isinstance(iso, str) or len(iso) < 10 or iso[4] != "-":
        return iso
    return iso[:7] if precision == "month" else iso[:4] if precision == "year" else iso


def _node_at_precision(node: dict) -> dict:
    precision = node["props"].get("datePrecision")
    if precision not in ("month", "year"):
        return node
    from graph.ontology import ontology

    dates = {p.name for p in ontology().properties.values() if p.kind == "date"}
    props = {k: (at_precision(v, precision) if k in dates else v) for k, v in node["props"].items()}
    return {**node, "props": props}


def _value(v: Any) -> Any:
    if isinstance(v, dict) and v.get("_type") == "node":
        return _node_at_precision(v)
    if isinstance(v, dict) and v.get("_type") == "path":
        return {**v, "nodes": [_node_at_precision(n) for n in v["nodes"]]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    return v


@dataclass
class Shown:
    """What is shown of a result: visible columns, JSON-ready rows, whether rows were cut."""
    columns: list[str]
    rows: list[dict]
    truncated: bool


def shown(result, query=None) -> Shown:
    """The visible part of a store ``Result``, dates at their precision."""
    precision = dict(getattr(query, "precision", {}) or {})
    hidden = set(getattr(query, "hidden", set()) or set())
    columns = [c for c in result.columns if c not in hidden]
    rows = []
    for raw in result.rows:
        row = plain(raw)
        out = {}
        for c in columns:
            v = _value(row.get(c))
            if c in precision:
                v = at_precision(v, row.get(precision[c]))
            out[c] = v
        rows.append(out)
    return Shown(columns, rows, bool(result.truncated))


# ---------------------------------------------------------------------------- cells
def path_text(path: dict) -> str:
    """``a -[TYPE]-> b <-[TYPE]- c``: each step in the direction the relationship points."""
    nodes, rels = path["nodes"], path["rels"]
    parts = [nodes[0]["id"]] if nodes else []
    for i, r in enumerate(rels):
        nxt = nodes[i + 1]["id"]
        forward = r.get("src") == nodes[i]["id"] or r.get("dst") == nxt
        parts.append(f"-[{r['type']}]-> {nxt}" if forward else f"<-[{r['type']}]- {nxt}")
    return " ".join(parts)


def cell(v: Any, *, for_csv: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, dict) and v.get("_type") == "node":
        return v["id"] if for_csv else f"{v['props'].get('name') or v['id']} [{v['class']}]"
    if isinstance(v, dict) and v.get("_type") == "path":
        return path_text(v)
    if isinstance(v, dict) and v.get("_type") == "relationship":
        return f"{v['src']} -[{v['type']}]-> {v['dst']}"
    if isinstance(v, list):
        return LIST_SEPARATOR.join(cell(x, for_csv=for_csv) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---------------------------------------------------------------------------- writers
def _plain_table(columns: list[str], rows: list[dict], out: TextIO) -> None:
    cells = [[cell(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out.write(line(columns) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def _rich_table(columns: list[str], rows: list[dict], title: str | None, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        values = [r.get(c) for r in rows]
        keep_whole = c == "id" or c.endswith("_id") or all(
            v is None or (isinstance(v, str) and len(v) <= 10 and v[:4].isdigit()) for v in values)
        t.add_column(c, no_wrap=keep_whole, overflow="fold")
    for r in rows:
        t.add_row(*[cell(r.get(c)) for c in columns])
    Console(file=out).print(t)


def _vertical(columns: list[str], row: dict, out: TextIO) -> None:
    """One record as ``field  value`` lines: a node's every property, a list one item per line."""
    pairs: list[tuple[str, Any]] = []
    for c in columns:
        v = row.get(c)
        if isinstance(v, dict) and v.get("_type") == "node":
            pairs += [("id", v["id"]), ("class", v["class"])]
            pairs += [(k, x) for k, x in sorted(v["props"].items()) if k != "id" and x not in (None, [], "")]
        else:
            pairs.append((c, v))
    width = max(len(k) for k, _ in pairs)
    for k, v in pairs:
        items = v if isinstance(v, list) else [v]
        texts = [cell(x) for x in items] or [""]
        out.write(f"{k.ljust(width)}  {texts[0]}\n")
        for text in texts[1:]:
            out.write(f"{' ' * width}  {text}\n")


def render(view: Shown, fmt: str, *, head: dict | None = None, title: str | None = None,
           out: TextIO | None = None) -> None:
    """Write a result in ``fmt`` (table, csv, tsv, json) to ``out`` (stdout)."""
    out = out or sys.stdout
    if fmt == "json":
        doc = {**(head or {}), "columns": view.columns, "rows": view.rows, "row_count": len(view.rows),
               "truncated": view.truncated}
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif fmt in ("csv", "tsv"):
        rows = ([cell(r.get(c), for_csv=True).replace("\t", " ") if fmt == "tsv" else cell(r.get(c), for_csv=True)
                 for c in view.columns] for r in view.rows)
        out.write(csv_text(view.columns, rows, delimiter="," if fmt == "csv" else "\t", lineterminator="\n"))
    elif len(view.rows) == 1 and any(isinstance(v, dict) and v.get("_type") == "node" for v in view.rows[0].values()):
        _vertical(view.columns, view.rows[0], out)
    elif out.isatty():
        _rich_table(view.columns, view.rows, title, out)
    else:
        _plain_table(view.columns, view.rows, out)
    out.flush()
