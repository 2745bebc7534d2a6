"""Derived compilations -> RequestStatistic rows (layouts, compilers and lookups in derived.yml).

    govplat ingest derived "Full-Data(2009-2013).csv" ttrall.csv hk-folder/

Every file's layout is recognised by its header; each row becomes one RequestStatistic
(IN_JURISDICTION its country, REPORTS_ON the platform/company, REQUESTED_BY the Hong Kong
department where the government's figures name one). Each file is a Source with
``secondary: true`` and its compiler, because these are third parties' tables, not the
publishers' own records.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import CsvRow, read_csv, walk
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, country_id, normalise
from ingest.sources.cells import CellError, half_year, half_year_text

__all__ = ["crawl"]

PREFIX = "derived"
_HALF = re.compile(r"^(\d{4}) \((1st|2nd) half\)$")


class _Reader:
    """Reads one file's rows; every problem is a ValidationError naming file:line and column."""

    def __init__(self, ctx: Context, linker: RegistryLinker, path: Path, layout: str, source: Entity):
        self.ctx, self.linker, self.path, self.layout, self.source = ctx, linker, path, layout, source
        self.look = ctx.config["lookups"]
        self.row: CsvRow | None = None

    # -- cells
    def fail(self, col: str, message: str):
        raise ValidationError(message, where=self.row.where, record=self.get("ID") or self.get("country") or "",
                              field=col)

    def get(self, col: str) -> str:
        return " ".join((self.row.values.get(col) or "").split())

    def missing(self, col: str) -> bool:
        return self.get(col).lower() in {v.lower() for v in self.look["not_reported"]}

    def number(self, col: str, props: dict, key: str, notes: list[str]) -> None:
        """A count into props[key]; a compiler's fractional stand-in is noted, not stored."""
        if self.missing(col):
            return
        text = self.get(col).replace(",", "")
        try:
            value = float(text)
        except ValueError:
            self.fail(col, f"{self.get(col)!r} is not a number")
        if value < 0:
            self.fail(col, f"{value} is negative")
        if value.is_integer():
            props[key] = int(value)
        else:
            notes.append(f"{col} is {text} in the compilation (a compiler's stand-in for a range), "
                         "not stored as a count")

    def percent(self, col: str, props: dict, scale: float = 1.0) -> None:
        if self.missing(col):
            return
        text = self.get(col).rstrip("%").strip()
        try:
            value = float(text) * scale
        except ValueError:
            self.fail(col, f"{self.get(col)!r} is not a percentage")
        if not 0 <= value <= 100:
            self.fail(col, f"{self.get(col)!r} is not between 0 and 100 %")
        props["complianceRate"] = round(value, 4)

    def country(self, col: str) -> str:
        name = self.get(col)
        code = self.look["countries"].get(name)
        cid = country_id(code) if code else Resolver.default().country(name)
        if not cid:
            self.fail(col, f"{name!r} is not a country name govplat knows (add it to derived.yml lookups.countries)")
        return cid

    def kind(self, col: str) -> str:
        value = self.get(col).lower()
        if value not in self.look["request_type"]:
            self.fail(col, f"unknown request type {self.get(col)!r}; known: {sorted(self.look['request_type'])}")
        return self.look["request_type"][value]

    def year(self, col: str) -> int:
        if not re.fullmatch(r"\d{4}", self.get(col)):
            self.fail(col, f"{self.get(col)!r} is not a year")
        return int(self.get(col))

    # -- linked entities
    def provider(self, name: str) -> str:
        eid = self.look["providers"].get(name) or Resolver.default().entity(name)
        if eid and self.linker.ensure(eid):
            return eid
        cid = f"company-{normalise(name).replace(' ', '-')}"
        if self.linker.first(cid):
            self.ctx.emit(Entity(cid, "Company", {"name": name}, [self.source.id], self.row.where))
        return cid

    def department(self, name: str) -> str:
        full = self.look["department_names"].get(name, name)
        eid = Resolver.default().entity(full)
        if eid and self.linker.ensure(eid):
            return eid
        did = f"hk-{normalise(full).replace(' ', '-')}"
        if self.linker.first(did):
            props = {"name": full}
            if full != name:
                props["aliases"] = [name]
            self.ctx.emit(Entity(did, self.look["departments"].get(name, "Agency"), props, [self.source.id],
                                 self.row.where))
            self.ctx.emit_relation(Relation("IN_JURISDICTION", did, self.linker.country("HK"), {},
                                            [self.source.id], self.row.where))
        return did

    # -- one statistic
    def emit(self, key: Any, props: dict, notes: list[str], country: str, reports_on: list[str],
             requested_by: str | None = None) -> None:
        sid = self.ctx.make_id(PREFIX, self.layout, key)
        if notes:
            props["uncertain"] = "; ".join(notes)
        props = {k: v for k, v in props.items() if v is not None}
        self.linker.ensure(country)
        rels = [("IN_JURISDICTION", country)] + [("REPORTS_ON", p) for p in dict.fromkeys(reports_on)]
        if requested_by:
            rels.append(("REQUESTED_BY", requested_by))
        self.ctx.emit(Entity(sid, "RequestStatistic", props, [self.source.id], self.row.where))
        for rtype, dst in rels:
            self.ctx.emit_relation(Relation(rtype, sid, dst, {}, [self.source.id], self.row.where))


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    specs = {s["layout"]: s for s in ctx.config["detect"]}
    handlers = {"hk-government-requests": _hk_government, "hk-company-requests": _hk_company,
                "hk-department-totals": _hk_totals, "multi-company-full-data": _full_data,
                "multi-company-country-aggregations": _aggregations,
                "twitter-removals-by-country": _twitter}
    for path in walk(ctx.paths, (".csv",)):
        try:
            layout, rows = _read(path, specs)
        except SourceError as exc:
            ctx.reject(exc)
            continue
        comp = ctx.config["compilations"][specs[layout]["compilation"]]
        source = file_source(PREFIX, path, title=f"{comp['title']}: {path.name}", publisher=comp["compiler"],
                             url=comp["url"], secondary=True, compiler=comp["compiler"],
                             basedOn=list(comp.get("based_on") or []))
        ctx.emit(source)
        reader = _Reader(ctx, linker, path, layout, source)
        for row in rows:
            reader.row = row
            try:
                if None in row.values:
                    reader.fail("header", "the row's number of cells differs from the header's")
                handlers[layout](reader)
            except ValidationError as exc:
                ctx.reject(exc)


def _read(path: Path, specs: dict) -> tuple[str, list[CsvRow]]:
    exact = {k: s["headers"] for k, s in specs.items() if s.get("match") != "subset"}
    subset = {k: s["headers"] for k, s in specs.items() if s.get("match") == "subset"}
    try:
        return read_csv(path, exact)
    except SourceError as exact_error:
        try:
            return read_csv(path, subset, subset=True)
        except SourceError:
            raise exact_error from None


def _year_period(year: int, end_year: int | None = None) -> dict:
    end = end_year or year
    return {"period": str(year) if end == year else f"{year}-{end}",
            "periodStart": dt.date(year, 1, 1), "periodEnd": dt.date(end, 12, 31)}


def _names(r: _Reader, kind: str, who: str, period: str) -> str:
    label = {"removal": "content-removal requests", "user_data": "user-data requests"}.get(kind, f"{kind} requests")
    return f"{who}: {label}, {period}"


def _hk_government(r: _Reader) -> None:
    kind, start = r.kind("Request Type"), r.year("Date Request Initiated")
    end = None if r.missing("Date Request Ends") else r.year("Date Request Ends")
    dept = r.get("Government department") or r.fail("Government department", "is empty")
    props: dict[str, Any] = {"kind": kind, **_year_period(start, end)}
    notes: list[str] = []
    r.number("Requests Submitted", props, "requests", notes)
    r.number("Requests Accepted", props, "requestsComplied", notes)
    r.number("Users Affected", props, "accountsSpecified", notes)
    r.percent("Compliance Rate", props)
    providers, unresolved = [], []
    if not r.missing("Names of service providers (if such information can be provided)"):
        for name in re.split(r"\s*[,;]\s*", r.get("Names of service providers (if such information can be provided)")):
            eid = Resolver.default().entity(name)
            (providers if eid and r.linker.ensure(eid) else unresolved).append(eid or name)
    described = [f"Items requested: {r.get('Items requested')}" if not r.missing("Items requested") else "",
                 f"Service providers named: {', '.join(unresolved)}" if unresolved else "",
                 f"ISPs contacted: {r.get('Number of ISPs contacted')}" if not r.missing("Number of ISPs contacted") else ""]
    props["description"] = "; ".join(d for d in described if d) or None
    name = r.look["department_names"].get(dept, dept)
    props["name"] = _names(r, kind, f"Hong Kong, {name}", props["period"])
    r.emit(r.get("ID"), props, notes, r.linker.country("HK"), providers, r.department(dept))


def _hk_totals(r: _Reader) -> None:
    kind, dept = r.kind("Type of Request"), r.get("Government department") or r.fail("Government department", "is empty")
    props: dict[str, Any] = {"kind": kind, "period": "all years the government's replies cover (2010-2013)"}
    notes: list[str] = []
    r.number("Requests Submitted", props, "requests", notes)
    r.number("Requests Accepted", props, "requestsComplied", notes)
    r.percent("Compliance Rate", props)
    name = r.look["department_names"].get(dept, dept)
    props["name"] = _names(r, kind, f"Hong Kong, {name}", "department total")
    r.emit(r.get("ID"), props, notes, r.linker.country("HK"), [], r.department(dept))


def _hk_company(r: _Reader) -> None:
    kind, year = r.kind("Type of Request"), r.year("Year")
    provider = r.get("Service Provider") or r.fail("Service Provider", "is empty")
    props: dict[str, Any] = {"kind": kind, **_year_period(year)}
    notes: list[str] = []
    r.number("Requests Submitted", props, "requests", notes)
    r.number("Requests with data disclosed", props, "requestsComplied", notes)
    r.number("Users/Accounts Affected", props, "accountsSpecified", notes)
    r.number("Items Removed", props, "itemsWithheld", notes)
    r.percent("Compliance Rate", props)
    if not r.missing("Reason"):
        props["justification"] = r.get("Reason")
    reports = [r.provider(provider)]
    if not r.missing("Service"):
        eid = Resolver.default().entity(r.get("Service"))
        if eid and r.linker.ensure(eid):
            reports.append(eid)
        else:
            props["description"] = f"Service: {r.get('Service')}"
    props["name"] = _names(r, kind, f"Hong Kong to {provider}", props["period"])
    r.emit(r.get("ID"), props, notes, r.linker.country("HK"), reports)


def _full_data(r: _Reader) -> None:
    m = _HALF.match(r.get("Period"))
    if not m:
        r.fail("Period", f"{r.get('Period')!r} is not 'YYYY (1st half)' or 'YYYY (2nd half)'")
    year, first = int(m.group(1)), m.group(2) == "1st"
    provider = r.get("Service Provider") or r.fail("Service Provider", "is empty")
    country = r.country("Country")
    half = half_year(year, 1 if first else 2, r.get("Period"))
    props: dict[str, Any] = {"kind": "user_data", "period": half.raw, "periodStart": half.start,
                             "periodEnd": half.end}
    notes: list[str] = []
    r.number("User Data Requests", props, "requests", notes)
    r.number("Number of Requests where some data was disclosed (content or non content)", props,
             "requestsComplied", notes)
    r.percent("Percentage of Requests where some data was disclosed (content or non content)", props)
    r.number("Users/Accounts Specified", props, "accountsSpecified", notes)
    props["name"] = _names(r, "user_data", f"{r.get('Country')} to {provider}", r.get("Period"))
    r.emit(r.get("ID"), props, notes, country, [r.provider(provider)])


def _aggregations(r: _Reader) -> None:
    if r.get("Country") in r.look["skip_countries"]:
        r.ctx.skip("derived: placeholder row ('*DUMMY COUNTRIES') in Country Aggregations")
        return
    country = r.country("Country")
    providers = [c[: -len(" (Requests)")] for c in r.row.values if c and c.endswith(" (Requests)")]
    for provider in providers:
        if r.missing(f"{provider} (Requests)"):
            continue
        props: dict[str, Any] = {"kind": "user_data", "period": "2009 (2nd half) - 2013 (2nd half), compiler's total",
                                 "periodStart": dt.date(2009, 7, 1), "periodEnd": dt.date(2013, 12, 31)}
        notes: list[str] = []
        r.number(f"{provider} (Requests)", props, "requests", notes)
        if f"{provider} (Compliance Rate)" in r.row.values:
            r.percent(f"{provider} (Compliance Rate)", props)
        props["name"] = _names(r, "user_data", f"{r.get('Country')} to {provider}", "2009-2013 total")
        r.emit((r.get("Country"), provider), props, notes, country, [r.provider(provider)])
    r.ctx.skip("derived: all-provider totals per country and half-year (derivable from the per-provider rows)")


def _twitter(r: _Reader) -> None:
    try:
        half = half_year_text(r.get("time_period"))
    except CellError as exc:
        r.fail("time_period", str(exc))
    if str(half.start.year) != r.get("year"):
        r.fail("year", f"{r.get('year')!r} disagrees with time_period {r.get('time_period')!r}")
    country = r.country("country")
    props: dict[str, Any] = {"kind": "removal", "period": half.raw, "periodStart": half.start,
                             "periodEnd": half.end}
    notes: list[str] = []
    r.number("removal_request_court", props, "courtOrders", notes)
    other: dict[str, int] = {}
    r.number("removal_request_other", other, "n", notes)
    if "courtOrders" in props and "n" in other:
        props["requests"] = props["courtOrders"] + other["n"]
    r.number("accounts_specified", props, "accountsSpecified", notes)
    r.number("accounts_witheld", props, "accountsWithheld", notes)
    r.number("tweets_witheld", props, "itemsWithheld", notes)
    r.number("accounts_witheld_tos", props, "accountsWithheldTos", notes)
    r.percent("percent_of_witheld_content", props, scale=r.look["twitter_share_to_percent"])
    props["name"] = _names(r, "removal", f"{r.get('country')} to Twitter", r.get("time_period"))
    r.emit((r.get("country"), r.get("time_period")), props, notes, country, [r.provider("Twitter")])
