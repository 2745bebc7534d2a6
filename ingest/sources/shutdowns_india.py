"""India's internet shutdowns 2012-2020 from SFLC.in's tracker as labelled by DW (metadata in
shutdowns_india.yml) -> BlockingOrders, joined to the KeepItOn STOP order of the same
shutdown where the store already has one (when STOP comes second, keepiton folds the tracker's
orders into its own: ingest/sources/shutdown_join.py).

    govplat ingest shutdowns_india internetshutdowns_dataset_labeled.xlsx
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import CsvRow, walk
from ingest.provenance import file_source, urls_in, web_source
from ingest.registry import RegistryLinker
from ingest.sources.shutdown_join import STOP_PREFIX, joins, stored_orders
from ingest.sources.workbook import Sheet, open_workbook, read_workbook

__all__ = ["crawl", "detect"]

PREFIX = "sflcin"
HEADER_WITHIN = 3


def _sheets(path: Path, config: dict) -> list[Sheet]:
    return read_workbook(path, {"sflc": config["required"]}, header_within=HEADER_WITHIN, subset=True)


def detect(path: Path, config: dict) -> bool:
    """A workbook with a sheet named like the labelled sheet whose header has the columns."""
    if path.suffix.lower() != ".xlsx":
        return False
    try:
        wb = open_workbook(path)
    except Exception:
        return False
    try:
        required = {c.lower() for c in config["required"]}
        for ws in wb.worksheets:
            if not re.search(config["sheet_pattern"], ws.title):
                continue
            for row in ws.iter_rows(max_row=HEADER_WITHIN, values_only=True):
                if required <= {str(c).strip().lower() for c in row if c is not None}:
                    return True
        return False
    finally:
        wb.close()


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    files = ctx.counters.notes.setdefault("files", {})
    stop = stored_orders(ctx.store, STOP_PREFIX)
    for path in walk(ctx.paths, (".xlsx",)):
        try:
            sheets = _sheets(path, ctx.config)
        except SourceError as exc:
            ctx.reject(exc)
            continue
        source = file_source(PREFIX, path, title=ctx.config["title"], publisher=ctx.config["publisher"],
                             url=ctx.config["url"])
        ctx.emit(source)
        report: dict = {}
        for sheet in sheets:
            if sheet.layout is None or not re.search(ctx.config["sheet_pattern"], sheet.name):
                why = ("a labeller's working copy of the same events" if sheet.layout else
                       "an analysis table or a sheet without the tracker's columns")
                report[sheet.name] = {"skipped": len(sheet.rows), "reason": why}
                ctx.skip(f"sheet skipped: {why}", len(sheet.rows))
                continue
            report[sheet.name] = _sheet(ctx, linker, path, sheet, source, stop)
        files[str(path)] = {"rows": sum(v.get("rows", 0) for v in report.values()), "sheets": report}


def _sheet(ctx: Context, linker: RegistryLinker, path: Path, sheet: Sheet, source: Entity,
           stop: dict[dt.date, list[dict]]) -> dict:
    omitted = False
    info = {"rows": 0, "orders": 0, "joined_to_stop": 0, "omitted_by_dw": 0, "labels": 0}
    for row in sheet.rows:
        v = row.values
        first = next((str(c).strip() for c in v.values() if c is not None and str(c).strip()), "")
        if v.get("ID") is None and v.get("date") is None:
            omitted = omitted or first == ctx.config["omitted_marker"]
            info["labels"] += 1
            ctx.skip("section label row (no ID or date)")
            continue
        info["rows"] += 1
        try:
            joined = _emit(ctx, linker, path, sheet, row, source, stop, omitted)
        except ValidationError as exc:
            ctx.reject(exc)
            continue
        info["orders"] += 1
        info["joined_to_stop"] += joined
        info["omitted_by_dw"] += omitted
    return info


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _emit(ctx: Context, linker: RegistryLinker, path: Path, sheet: Sheet, row: CsvRow, source: Entity,
          stop: dict[dt.date, list[dict]], omitted: bool) -> int:
    v = row.values

    def fail(col: str, message: str):
        raise ValidationError(message, where=row.where, record=f"ID {_text(v.get('ID'))}", field=col)

    date = v.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        fail("date", f"{date!r} is not a date cell")
    state = _text(v.get("state"))
    # The tracker's own id (16 hex digits) is the last fixed column: where it holds something
    # else, the row's cells after DW's labels are shifted (the omitted rows).
    sflc_id = _text(v.get("id"))
    aligned = bool(re.fullmatch(r"[0-9a-f]{16}", sflc_id))
    districts = [_text(v[c]) for c in sorted((c for c in v if re.match(ctx.config["district_columns"], c)),
                                             key=lambda c: int(c.split("/")[1]))
                 if _text(v.get(c)) and (aligned or c == "districts/0")]
    key = (sflc_id,) if aligned else \
        ("row", date.isoformat(), state, districts[0] if districts else "")
    labels = [lab for lab in ctx.config["labels"] if str(v.get(lab) or "0").strip() in ("1", "1.0", "True")]
    links = urls_in(_text(v.get("source")).replace(" and ", " "))
    web = [web_source(u, row.where) for u in links]
    sources = [source.id, *(w.id for w in web)]
    label = f"{path.name} [{sheet.name.strip()}] row {row.line}"
    for w in web:
        ctx.emit(w)
    area_text = ", ".join([*districts, state]) if districts or state else None
    # -- the same shutdown already in the store from KeepItOn STOP? (ingest/sources/shutdown_join.py)
    match = joins(stop.get(date, []), area_text or "")
    if len(match) == 1:
        o = match[0]
        ctx.emit(Entity(o["id"], "BlockingOrder", {"name": o["name"], "date": o["date"], "reportedIn": [label]},
                        sources, row.where))
        return 1
    area = ", ".join(dict.fromkeys([*districts[:3], state])) + (f" and {len(districts) - 3} more districts"
                                                                  if len(districts) > 3 else "")
    networks = _text(v.get("networksAffected")) if aligned else ""
    nature = _text(v.get("nature")) if aligned else ""
    hours = v.get("duration") if aligned else None
    props = {
        "name": f"Shutdown in {districts[0] + ', ' if districts else ''}{state or 'India'}, India from {date.isoformat()}",
        "kind": "internet_shutdown", "date": date, "datePrecision": "day",
        "area": area_text,
        "description": "; ".join(x for x in (
            f"networks: {networks}" if networks else "", f"{nature} (SFLC.in)" if nature else "",
            f"{int(hours) if isinstance(hours, (int, float)) else hours} hour(s)" if hours not in (None, "") else "")
            if x) or None,
        "justification": f"circumstances (DW's labels): {', '.join(labels)}" if labels else None,
        "reportedIn": [label],
        "uncertain": "; ".join(x for x in (
            "DW could not verify this event from its sources (listed under OMITTED ROWS)" if omitted else "",
            "" if aligned else "the row's cells after DW's labels are shifted in the sheet: networks, nature, "
                               "duration and further districts not read") if x) or None,
    }
    oid = ctx.make_id(PREFIX, *key)
    ctx.emit(Entity(oid, "BlockingOrder", {k: x for k, x in props.items() if x is not None}, sources, row.where))
    if linker.ensure("country-in"):
        ctx.emit_relation(Relation("IN_JURISDICTION", oid, "country-in", {}, sources, row.where))
    if len(match) > 1:
        ctx.skip("not joined to KeepItOn STOP: several STOP orders of that day name the area")
    ctx.skip("MADE_BY not linked: the tracker does not say who ordered the shutdown")
    return 0
