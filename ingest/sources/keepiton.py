"""Access Now #KeepItOn STOP shutdown data (metadata, layouts and lookups in keepiton.yml).

Reads the 2019 CSV export and the 2016-2022 workbook (one sheet per year or years, in three
schemas; ``columns`` in the YAML says which column holds what in each). Every row is checked
first; then rows that report the same shutdown are one event:

- same country, start date, area (case, spacing and the words for "whole country" aside;
  ``national_area`` in the YAML) and kind of measure, in any file
  or sheet (the yearly sheets repeat events still ongoing), or
- the same STOP ID of the 2019 schema (the CSV export and the workbook's 2019 sheet number
  their rows alike; a date corrected between the two keeps the event one node).

The event's id is ``keepiton-<hash>`` of its lowest 2019 STOP ID where it has one, else of
its country, start date, area and kind, so the CSV and the workbook give the same nodes
whichever is ingested first. Each event -> a dated BlockingOrder:
  IN_JURISDICTION its country; MADE_BY the ordering body of that country (the registry's
  body where the decision maker or government resolves, else ``gov-<iso2>-<key>`` from the
  ``ordered_by`` lookup); TARGETS the platforms flagged when particular services were
  blocked, AFFECTS them when the whole network was shut down or throttled; CITES_LAW the
  laws its legal method names (ingest/data/law_aliases.yaml).
Every row that reports it is listed in ``reportedIn`` (file, sheet, row); rows are applied
oldest sheet first, so a later sheet's end date or status wins. The file is a Source, and so
is every news link a row cites.

    govplat ingest keepiton shutdown-data.csv KeepItOn_STOP_Data_2016-2022_Public.xlsx
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context, make_id
from ingest.event_ids import KEEPITON, stop_event_id
from ingest.detect import CsvRow, csv_header, header_names, read_csv, walk
from ingest.laws import link_laws
from ingest.provenance import file_source, urls_in, web_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, country_entity, country_id, normalise
from ingest.sources.cells import CellError, us_date
from ingest.sources import shutdown_join
from ingest.sources.workbook import open_workbook, read_workbook, sheet_layout

__all__ = ["crawl", "detect"]

PREFIX = KEEPITON


_SPLIT = re.compile(r"[,;/()\n]|\band\b|\bonly\b|\bpossibly\b", re.IGNORECASE)


def _layouts(config: dict) -> dict[str, list[str]]:
    """Every layout's columns: the CSV signatures and the workbook's sheet layouts."""
    out = {s["layout"]: s["headers"] for s in config["detect"] if s.get("headers")}
    out.update(config.get("sheet_layouts") or {})
    return out


def detect(path: Path, config: dict) -> bool:
    """A CSV with a STOP header, or a workbook with at least one sheet in a STOP layout."""
    layouts = _layouts(config)
    if path.suffix.lower() == ".csv":
        header = csv_header(path)
        return header is not None and sheet_layout(header_names(header), layouts)[0] is not None
    if path.suffix.lower() != ".xlsx":
        return False
    try:
        wb = open_workbook(path)
    except Exception:  # not a workbook: not ours
        return False
    try:
        for ws in wb.worksheets:
            first = next(ws.iter_rows(max_row=1, values_only=True), None) or ()
            if sheet_layout(["" if h is None else str(h) for h in first], layouts)[0]:
                return True
        return False
    finally:
        wb.close()


# ----------------------------------------------------------------------------- one row, checked
@dataclass
class Report:
    """One row's cleaned values."""
    where: str
    label: str  # "file [sheet] row n", for reportedIn
    rank: tuple  # apply order: file, then oldest sheet first, then row
    source: Entity
    stop_id: int | None
    start: dt.date
    end: dt.date | None
    end_text: str
    estimated: bool
    country: str | None  # country id, None when the name does not resolve
    country_text: str
    area: str
    kind: str
    measure_text: str
    scope_text: str
    network: str
    duration: str
    body_spec: dict | None
    ordered_by: str
    decision_maker: str
    flags: dict[str, bool | None]
    services: list[str]
    legal: str
    links: list[str]
    justification: str
    election: bool | None
    violence: bool | None
    order_id: str = field(default="")

    national: bool = False  # the area is the whole country, however the sheet words it
    same_as: dict | None = None  # another sheet's wording of this event (``same_shutdown`` in the YAML)

    @property
    def key(self) -> tuple:
        area, kind, national = self.area, self.kind, self.national
        if self.same_as:
            area, kind, national = self.same_as["area"], self.same_as["kind"], self.same_as["national"]
        return (self.country or "?" + normalise(self.country_text), self.start.isoformat(),
                "national" if national else normalise(area), kind)


class _Row:
    """A row's cells by role (``columns`` of the YAML); ValidationError names the column."""

    def __init__(self, ctx: Context, row: CsvRow, columns: dict):
        self.row, self.cols, self.look = row, columns, ctx.config["lookups"]

    def raw(self, role: str) -> Any:
        col = self.cols.get(role)
        return self.row.values.get(col) if col else None

    def get(self, role: str) -> str:
        value = self.raw(role)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return " ".join(str(value).split())

    def fail(self, role: str, message: str):
        stop_id = self.get("stop_id")
        raise ValidationError(message, where=self.row.where, record=f"ID {stop_id}" if stop_id else "",
                              field=self.cols.get(role, role))

    def lookup(self, table: str, role: str):
        value = self.get(role).lower()
        if value not in self.look[table]:
            self.fail(role, f"unknown value {self.get(role)!r}; known: {sorted(k for k in self.look[table] if k)}")
        return self.look[table][value]

    def flag(self, col: str) -> bool | None:
        value = self.row.values.get(col)
        text = "" if value is None else " ".join(str(value).split()).lower()
        if text not in self.look["booleans"]:
            raise ValidationError(f"unknown value {value!r}; known: {sorted(k for k in self.look['booleans'] if k)}",
                                  where=self.row.where, field=col)
        return self.look["booleans"][text]

    def date(self, role: str, *, open_ok: bool) -> tuple[dt.date | None, str]:
        """A date cell (or M/D/YYYY text); (None, text) for an open or worded end."""
        value = self.raw(role)
        if isinstance(value, dt.datetime):
            return value.date(), ""
        if isinstance(value, dt.date):
            return value, ""
        text = self.get(role)
        try:
            return us_date(text), ""
        except CellError:
            pass
        if open_ok:
            return None, "" if text.lower() in self.look["open_end"] else text
        self.fail(role, f"{text!r} is not a date (a date cell or M/D/YYYY)")
        return None, text


def _report(ctx: Context, row: CsvRow, layout: str, source: Entity, label: str, rank: tuple) -> Report:
    cols = ctx.config["columns"][layout]
    r = _Row(ctx, row, cols)
    if None in row.values:  # read_csv: the extra cells, or [] for a short row
        width, extra = len(row.values) - 1, row.values[None]
        r.fail("header", f"has {width + len(extra)} cells where the header has {width}" if extra
               else f"has fewer cells than the header's {width}")
    stop_id = None
    if cols.get("stop_id"):
        text = r.get("stop_id") or r.fail("stop_id", "is empty")
        try:
            stop_id = int(float(text))
        except ValueError:
            r.fail("stop_id", f"{text!r} is not a number")
    start, _ = r.date("start", open_ok=False)
    end, end_text = r.date("end", open_ok=True)
    country_text = r.get("country")
    if not country_text:
        r.fail("country", "is empty")
    measure = r.lookup("shutdown_type", "measure")
    scope = r.lookup("scope", "scope")
    kind = "throttle" if measure == "throttle" else ("service-based" if scope == "service-based" else "shutdown")
    legal = r.get("legal_method")
    links = [u for role in cols.get("links", []) for u in urls_in(str(row.values.get(role) or ""))]
    if legal.startswith("http"):  # a link where the legal basis should be: keep it as a source
        links += urls_in(legal)
        legal = ""
    services = [s for s in (" ".join(p.split()) for p in _SPLIT.split(r.get("other_services"))) if s]
    justification = "; ".join(dict.fromkeys(
        x for x in (" ".join(str(row.values.get(c) or "").split()) for c in cols.get("justification", []))
        if x and x.lower() not in ("other", "unknown", "none")))
    return Report(
        where=row.where, label=label, rank=rank, source=source, stop_id=stop_id, start=start, end=end,
        end_text=end_text, estimated=r.get("start_type").lower() in ctx.config["lookups"]["estimated"],
        country=Resolver.default().jurisdiction(country_text), country_text=country_text, area=r.get("area"),
        kind=kind, measure_text=r.get("measure"), scope_text=r.get("scope"), network=r.get("network"),
        duration=r.get("duration"), body_spec=r.lookup("ordered_by", "ordered_by"), ordered_by=r.get("ordered_by"),
        decision_maker=r.get("decision_maker"), flags={pid: r.flag(col) for col, pid in cols["platforms"].items()},
        services=services if r.get("other_services") else [], legal=legal, links=list(dict.fromkeys(links)),
        national=normalise(r.get("area")) in ctx.config["lookups"]["national_area"],
        justification=justification, election=r.flag(cols["election"]) if cols.get("election") else None,
        violence=r.flag(cols["violence"]) if cols.get("violence") else None)


def _same_shutdown(config: dict) -> dict[tuple, dict]:
    """``same_shutdown`` of the YAML: (country id, start, normalised area, kind) -> the other wording."""
    national = config["lookups"]["national_area"]
    table = {}
    for entry in config.get("same_shutdown") or []:
        other = entry["same_as"]
        start = entry["start"] if isinstance(entry["start"], dt.date) else dt.date.fromisoformat(str(entry["start"]))
        table[(country_id(entry["country"]), start, normalise(entry["area"]), entry["kind"])] = {
            "area": other["area"], "kind": other["kind"], "national": normalise(other["area"]) in national}
    return table


# ----------------------------------------------------------------------------- reading files
def _read(ctx: Context, path: Path, file_no: int) -> list[Report]:
    source = file_source(PREFIX, path, title=f"{ctx.config['title']} ({path.name})",
                         publisher=ctx.config["publisher"], url=ctx.config["url"])
    reports: list[Report] = []

    def add(row: CsvRow, layout: str, label: str, rank: tuple) -> None:
        try:
            reports.append(_report(ctx, row, layout, source, label, rank))
        except ValidationError as exc:
            ctx.reject(exc)

    files = ctx.counters.notes.setdefault("files", {})
    if path.suffix.lower() == ".xlsx":
        sheets = read_workbook(path, _layouts(ctx.config))
        report: dict[str, Any] = {}
        # The workbook lists the newest sheet first; apply the oldest first.
        for age, sheet in enumerate(reversed(sheets)):
            if sheet.layout is None:
                report[sheet.name] = {"skipped": len(sheet.rows) + 1,
                                      "reason": "no header in a STOP layout (first row: "
                                                f"{', '.join(h for h in sheet.header if h)[:120]})"}
                ctx.skip(f"sheet without a STOP header ({path.name} [{sheet.name}])", len(sheet.rows) + 1)
                continue
            before = len(reports)
            for row in sheet.rows:
                add(row, sheet.layout, f"{path.name} [{sheet.name.strip()}] row {row.line}", (file_no, age, row.line))
            report[sheet.name] = {"layout": sheet.layout, "rows": len(sheet.rows), "read": len(reports) - before}
        files[str(path)] = {"rows": sum(v.get("rows", 0) for v in report.values()), "sheets": report}
    else:
        layout, rows = read_csv(path, {s["layout"]: s["headers"] for s in ctx.config["detect"] if s.get("headers")})
        for row in rows:
            add(row, layout, f"{path.name} line {row.line}", (file_no, 0, row.line))
        files[str(path)] = {"layout": layout, "rows": len(rows)}
    ctx.emit(source)
    return reports


def _assign_ids(ctx: Context, reports: list[Report]) -> int:
    """Rows of one shutdown share an order id (same key, or same 2019 STOP ID); the number of events."""
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[Any, int] = {}
    for i, rep in enumerate(reports):
        for k in (("key", rep.key), ("stop", rep.stop_id) if rep.stop_id is not None else None):
            if k is None:
                continue
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    groups: dict[int, list[Report]] = {}
    for i, rep in enumerate(reports):
        groups.setdefault(find(i), []).append(rep)
    for members in groups.values():
        ids = sorted(r.stop_id for r in members if r.stop_id is not None)
        oid = stop_event_id(stop_id=ids[0]) if ids else stop_event_id(key=members[0].key)
        for r in members:
            r.order_id = oid
    return len(groups)


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    reports: list[Report] = []
    for n, path in enumerate(walk(ctx.paths, (".csv", ".xlsx"))):
        try:
            reports += _read(ctx, path, n)
        except SourceError as exc:
            ctx.reject(exc)
    same = _same_shutdown(ctx.config)
    for rep in reports:
        rep.same_as = same.get((rep.country, rep.start, normalise(rep.area), rep.kind))
    events = _assign_ids(ctx, reports)
    ctx.note("rows", len(reports))
    ctx.note("shutdowns", events)
    unresolved: dict[str, int] = {}
    orders: dict[str, dict] = {}
    for rep in sorted(reports, key=lambda r: r.rank):
        _emit(ctx, linker, rep, unresolved, orders)
    if unresolved:
        ctx.note("legal methods not recognised as a law", dict(sorted(unresolved.items())))
    _fold_tracker_orders(ctx, orders)


def _fold_tracker_orders(ctx: Context, orders: dict[str, dict]) -> None:
    """India tracker orders (shutdowns_india) stored before this run that are one of these
    shutdowns: their rows and sources move to the STOP order and their node goes, as if the
    tracker had been ingested after STOP (ingest/sources/shutdown_join.py)."""
    if ctx.check_only:
        return
    tracker = shutdown_join.stored_orders(ctx.store, shutdown_join.SFLC_PREFIX)
    if not tracker:
        return
    by_day: dict[dt.date, list[dict]] = {}
    for o in orders.values():
        if o["country"] == shutdown_join.INDIA:
            by_day.setdefault(o["date"], []).append(o)
    into: dict[str, tuple[str, list[str]]] = {}  # tracker order -> (STOP order, its rows)
    for day, rows in sorted(tracker.items()):
        for t in rows:
            match = shutdown_join.joins(by_day.get(day, []), t["area"] or "")
            if len(match) == 1:
                o = match[0]
                ctx.emit(Entity(o["id"], "BlockingOrder", {"name": o["name"], "date": o["date"],
                                                           "reportedIn": t["reportedIn"]}, t["sources"], t["id"]))
                into[t["id"]] = (o["id"], t["reportedIn"] or [])
    if not into:
        return
    ctx.flush()
    # delete a tracker order only once its STOP order holds every row it reported
    wanted = {o for o, _ in into.values()}
    held = {r["id"]: set(r["reportedIn"] or []) for r in ctx.store.node_table("BlockingOrder", ["reportedIn"]).to_pylist()
            if r["id"] in wanted}
    folded = [t for t, (o, rows) in into.items() if set(rows) <= held.get(o, set())]
    shutdown_join.delete_orders(ctx.store, folded)
    ctx.note("India tracker orders folded into STOP orders", len(folded))


# ----------------------------------------------------------------------------- emitting
def _emit(ctx: Context, linker: RegistryLinker, r: Report, unresolved: dict[str, int],
          orders: dict[str, dict]) -> None:
    country = linker.ensure(r.country) if r.country else None
    place = country_entity(country.removeprefix("country-")) if country and country.startswith("country-") else None
    cname = place.props["name"] if place else r.country_text
    web = [web_source(u, r.where) for u in r.links]
    sources = [r.source.id, *(w.id for w in web)]
    platforms: dict[str, None] = {pid: None for pid, on in r.flags.items() if on}
    resolver = Resolver.default()
    for name in r.services:
        eid = resolver.entity(name)
        if eid and ctx.onto.is_a(resolver.classes.get(eid) or "Entity", "Platform"):
            platforms[eid] = None
    area = "" if r.national else r.area
    details = "; ".join(x.lower() for x in (r.scope_text if r.scope_text != r.measure_text else "", r.network) if x)
    props = {
        "name": f"{r.kind.capitalize()} in {area + ', ' if area else ''}{cname} from {r.start.isoformat()}",
        "kind": ctx.config["lookups"]["measure_kind"][r.kind], "date": r.start, "datePrecision": "day",
        "description": f"{r.measure_text or 'Shutdown'} ({details or 'network not stated'})"
                       + (f", {r.duration} day(s)" if r.duration else "")
                       + (f"; end as reported: {r.end_text}" if r.end_text else ""),
        "liftedDate": r.end, "area": r.area or None, "legalBasis": r.legal or None,
        "justification": r.justification or None,
        "orderedBy": "; ".join(dict.fromkeys(x for x in (r.ordered_by, r.decision_maker) if x)) or None,
        "electionRelated": r.election, "violenceReported": r.violence,
        "servicesAffected": r.services or None, "reportedIn": [r.label],
        "uncertain": "; ".join(x for x in ("start date estimated by Access Now" if r.estimated else "",
                                           "" if country else f"country {r.country_text!r} not resolved") if x)
                     or None,
    }
    oid = r.order_id
    for w in web:
        ctx.emit(w)
    ctx.emit(Entity(oid, "BlockingOrder", {k: v for k, v in props.items() if v is not None}, sources, r.where))
    # the order as stored once every row is applied (a later row's values win; an empty area keeps the last)
    final = orders.setdefault(oid, {"id": oid, "area": None})
    final.update(name=props["name"], date=r.start, country=country, area=r.area or final["area"])
    rel = lambda t, dst, **p: ctx.emit_relation(Relation(t, oid, dst, p, sources, r.where))  # noqa: E731
    if country:
        rel("IN_JURISDICTION", country)
    else:
        ctx.skip(f"IN_JURISDICTION / MADE_BY not linked: {r.country_text!r} is not a country govplat knows")
    body = _body(ctx, linker, r, country, cname) if place else None
    if body:
        rel("MADE_BY", body, role=r.body_spec.get("role") or r.ordered_by.lower() or None)
    elif place:
        ctx.skip("MADE_BY not linked: ordered by a non-government actor or not known")
    elif country:
        ctx.skip(f"MADE_BY not linked: {cname} has no ISO code for a government node")
    for pid in platforms:
        if linker.ensure(pid):
            rel("TARGETS" if r.kind == "service-based" else "AFFECTS", pid)
    if r.legal and place:
        if not link_laws(ctx, linker, oid, r.legal, country.removeprefix("country-"), sources, r.where):
            unresolved[r.legal[:80]] = unresolved.get(r.legal[:80], 0) + 1


def _body(ctx: Context, linker: RegistryLinker, r: Report, country: str, cname: str) -> str | None:
    """The ordering body's id: a registry entity when one resolves, else one node per country."""
    spec = r.body_spec
    if not spec:
        return None
    resolver = Resolver.default()
    for name in (r.decision_maker, spec.get("registry", "").format(country=cname)):
        eid = resolver.entity(name) if name else None
        if eid and ctx.onto.is_a(resolver.classes.get(eid) or "Entity", "GovernmentBody"):
            return linker.ensure(eid)
    iso = country.removeprefix("country-")
    bid = f"gov-{iso}-{spec['key']}"
    if linker.first(bid):
        ctx.emit(Entity(bid, spec["class"], {"name": spec["name"].format(country=cname)}, [r.source.id], r.where))
        ctx.emit_relation(Relation("IN_JURISDICTION", bid, country, {}, [r.source.id], r.where))
    return bid
