"""Tables of transparency reports -> RequestStatistic records.

:class:`StatisticsSource` is a declarative mapping from the ``layouts`` and ``statistics``
blocks of a source's YAML to RequestStatistic entities, shared by the transparency sources
(google_transparency, meta_requests, apple_transparency, wikimedia_transparency) and free for
any other tabular source. Cells and periods are parsed by :mod:`ingest.sources.cells`. The
YAML holds every exact header set; the code holds no column names. Per file it

* picks the layout whose header matches exactly (else SourceError naming the file, the
  missing and unexpected columns and the layouts it expected; nothing of it stored);
* parses every row first; a bad row (unparseable number, unknown country) becomes a
  ValidationError ``where=file:line, field=column`` and is skipped, and when more than
  ``max_bad_fraction`` of a file's rows are bad the whole file is rejected;
* only then emits the file's Source, the statistics (ids from
  ``make_id(prefix, layout, edition, natural keys)``, so re-runs change nothing), their
  ``IN_JURISDICTION`` country and ``REPORTS_ON`` company/platform links.

The YAML keys StatisticsSource reads (see google_transparency.yml for a full example)::

    prefix, label, publisher, url, max_bad_fraction, reports_on, countries, products,
    product_patterns, statistics (shared blocks), layouts: {name: {title, url, columns,
    files, period, country, dimensions, describe, edition, reports_on, statistics, handler}}
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context, make_id
from ingest.detect import CsvRow, check_header, csv_header, header_names, read_csv, walk
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.sources.cells import (MISSING, PERIOD_FORMATS, Band, CellError, Period, half_year, parse_count,
                                  parse_percent, parse_text, us_date)
from ingest.resolve import Resolver, country_entity, country_id

__all__ = ["StatisticsSource", "RowResult", "RowError", "Layout"]


class RowError(Exception):
    """A row is bad because of ``column``; the runner rejects it as file:line, field=column."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Block:
    """One statistic a row yields: its kind, the columns it reads and the values it fixes."""
    key: str
    kind: str
    name: str
    breakdown: str
    values: dict[str, list[str]]  # property -> candidate columns (the first the layout has)
    fixed: dict[str, Any]
    reports_on: list[str] | None = None


@dataclass
class Layout:
    name: str
    title: str
    url: str
    columns: list[str]
    blocks: list[Block]
    period: dict | None
    country: dict | None
    dimensions: dict[str, str]
    describe: dict[str, str]
    reports_on: list[str]
    files: re.Pattern | None = None
    edition: dt.date | None = None
    handler: str | None = None

    def used_columns(self) -> set[str]:
        used = set(self.dimensions.values()) | set(self.describe)
        for spec in (self.period or {}, self.country or {}):
            used |= {v for k, v in spec.items() if k in ("column", "name", "code", "start", "end")}
        for b in self.blocks:
            for cols in b.values.values():
                used |= set(cols)
        return used


@dataclass
class Stat:
    block: Block
    props: dict[str, Any]
    jurisdiction: str | None
    reports_on: list[str]
    keys: tuple


@dataclass
class RowResult:
    """What one row yields: statistics (ids made once the file's edition is known), or, for
    a layout with a ``handler``, finished entities and relations plus registry ids to emit."""
    line: int | str
    where: str
    row: Any = None  # the CsvRow, to name the record in a message
    stats: list[Stat] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    built: list[Entity] = field(default_factory=list)  # the stats as entities, once ids are known


Handler = Callable[["StatisticsSource", Layout, CsvRow], RowResult]
Reader = Callable[[Path], tuple[list[str], list[CsvRow]]]


def _as_list(value) -> list:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def _date_or_none(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_layouts(source: str, config: dict) -> dict[str, Layout]:
    """The layouts of a source's YAML, checked against the ontology (SourceError if wrong)."""
    from graph.ontology import ontology

    props = {p.name: p for p in ontology().properties_of("RequestStatistic")}
    where = f"ingest/sources/{source}.yml"

    def check_prop(name: str, what: str) -> None:
        if name not in props:
            raise SourceError(f"{what}: RequestStatistic has no property {name!r} in ontology.ttl", where=where)

    def block(i: int, spec: dict, layout: str) -> Block:
        for p in [*spec.get("values", {}), *spec.get("set", {})]:
            check_prop(p, f"layout {layout!r}, statistic {spec.get('kind')!r}")
        return Block(key=str(spec.get("key", i)), kind=spec["kind"], name=spec.get("name", spec["kind"]),
                     breakdown=spec.get("breakdown", "total"),
                     values={p: _as_list(c) for p, c in (spec.get("values") or {}).items()},
                     fixed=dict(spec.get("set") or {}),
                     reports_on=_as_list(spec["reports_on"]) if "reports_on" in spec else None)

    shared = config.get("statistics") or []
    out: dict[str, Layout] = {}
    for name, spec in (config.get("layouts") or {}).items():
        columns = header_names(spec["columns"])
        readable = columns + list(spec.get("derived_columns") or [])  # added by the source's reader
        if spec.get("statistics"):
            blocks = [block(i, b, name) for i, b in enumerate(spec["statistics"])]
        else:
            # A shared block applies to the layouts that have at least one of its columns; of a
            # column that was renamed over the years it lists every name.
            blocks = [block(i, b, name) for i, b in enumerate(shared)]
            blocks = [Block(b.key, b.kind, b.name, b.breakdown,
                            {p: [c for c in cols if c in readable] for p, cols in b.values.items()
                             if any(c in readable for c in cols)}, b.fixed, b.reports_on) for b in blocks]
            blocks = [b for b in blocks if b.values]
        for p in spec.get("dimensions") or {}:
            check_prop(p, f"layout {name!r}, dimensions")
        lay = Layout(name=name, title=spec.get("title", name), url=spec.get("url") or config.get("url", ""),
                     columns=columns, blocks=blocks, period=spec.get("period"), country=spec.get("country"),
                     dimensions=dict(spec.get("dimensions") or {}), describe=dict(spec.get("describe") or {}),
                     reports_on=_as_list(spec.get("reports_on", config.get("reports_on"))),
                     files=re.compile(spec["files"]) if spec.get("files") else None,
                     edition=_date_or_none(spec.get("edition")), handler=spec.get("handler"))
        unknown = lay.used_columns() - set(readable) - {None}
        if unknown and not lay.handler:
            raise SourceError(f"layout {name!r} reads column(s) {sorted(unknown)} that its header does not have",
                              where=where)
        out[name] = lay
    if not out:
        raise SourceError("declares no layouts", where=where)
    return out


@lru_cache(maxsize=None)
def _is_country_code(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2}", code)) and country_entity(code) is not None


class StatisticsSource:
    """Runs one transparency source: every file under ``ctx.paths`` through its layouts."""

    def __init__(self, ctx: Context, *, handlers: dict[str, Handler] | None = None,
                 readers: dict[str, Reader] | None = None):
        self.ctx = ctx
        self.config = ctx.config
        self.layouts = load_layouts(ctx.name, ctx.config)
        self.handlers = handlers or {}
        self.readers = readers or {}
        self.linker = RegistryLinker(ctx)
        self.resolver = Resolver.default()
        self.prefix = self.config.get("prefix", ctx.name)
        self.max_bad = float(self.config.get("max_bad_fraction", 0.05))
        self.missing = tuple(self.config.get("missing_values", MISSING))
        # cells the report fills with a sign for "not known" (Google's "?"): no figure is stored,
        # and the statistic says which column was unknown
        self.unknown = tuple(self.config.get("unknown_values") or ())
        self.countries = {str(k).strip().casefold(): v for k, v in (self.config.get("countries") or {}).items()}
        self.products = {str(k): v for k, v in (self.config.get("products") or {}).items()}
        self.product_patterns = [(re.compile(p["match"]), p.get("id"))
                                 for p in self.config.get("product_patterns") or []]
        self.onto_props = {p.name: p for p in ctx.onto.properties_of("RequestStatistic")}
        self.report: dict[str, dict] = {}
        self.unmapped_products: set[str] = set()

    # ------------------------------------------------------------------ files
    @staticmethod
    def suffixes(config: dict) -> tuple[str, ...]:
        return tuple(s.lower() for s in config.get("suffixes") or [".csv"])

    def files(self) -> list[Path]:
        return walk(self.ctx.paths, self.suffixes(self.config))

    @classmethod
    def claims(cls, config: dict, path: Path, source: str = "") -> bool:
        """Whether a CSV file's header (and name) matches one of the source's layouts; never raises."""
        try:
            if path.suffix.lower() != ".csv":
                return False
            header = csv_header(path)
            if not header:
                return False
            names = set(header_names(header))
            for spec in (config.get("layouts") or {}).values():
                if names == set(header_names(spec.get("columns") or [])) and (
                        not spec.get("files") or re.search(spec["files"], path.name)):
                    return True
        except Exception:  # a detector must never raise
            return False
        return False

    def run(self) -> None:
        for path in self.files():
            self.process(path)
        if self.unmapped_products:
            self.ctx.note("products without a platform", sorted(self.unmapped_products))
        self.ctx.note("files", self.report)

    # ------------------------------------------------------------------ one file
    def read(self, path: Path) -> tuple[Layout, list[CsvRow]]:
        by_name = {n: l for n, l in self.layouts.items() if l.files is None or l.files.search(path.name)}
        reader = self.readers.get(path.suffix.lower())
        if reader is not None:
            header, rows = reader(path)
            name = check_header(path, header, {n: l.columns for n, l in by_name.items()} or
                                {n: l.columns for n, l in self.layouts.items()})
            return self.layouts[name], rows
        if not by_name:
            raise SourceError(f"no layout of {self.ctx.name} reads a file named like this; the layouts "
                              f"with a file-name rule expect {[l.files.pattern for l in self.layouts.values() if l.files]}",
                              where=str(path))
        try:
            name, rows = read_csv(path, {n: l.columns for n, l in by_name.items()})
        except SourceError as exc:
            others = {n: l for n, l in self.layouts.items() if n not in by_name}
            header = csv_header(path) or []
            for n, l in others.items():
                if set(header_names(header)) == set(l.columns):
                    raise SourceError(f"has the columns of layout {n!r}, but its name does not match "
                                      f"{l.files.pattern!r}, which says which series the file holds",
                                      where=str(path), field="file name") from None
            if "unknown layout" in exc.reason:
                raise SourceError(f"{exc.reason}; layouts of {self.ctx.name}: {sorted(self.layouts)}",
                                  where=str(path), field="header") from None
            raise
        return self.layouts[name], rows

    def process(self, path: Path) -> None:
        info = {"layout": None, "rows": 0, "rejected_rows": 0, "statistics": 0, "stored": False}
        self.report[str(path)] = info
        try:
            layout, rows = self.read(path)
        except SourceError as exc:
            self.ctx.reject(exc)
            return
        info["layout"], info["rows"] = layout.name, len(rows)
        results: list[RowResult] = []
        errors: list[ValidationError] = []
        handler = self.handlers.get(layout.handler) if layout.handler else None
        for row in rows:
            try:
                extra = row.values.pop(None, None)
                if extra:  # more cells than the header: the row is misaligned (fewer = empty cells)
                    raise RowError("", f"has {len(layout.columns) + len(extra)} cells; "
                                        f"the header has {len(layout.columns)}")
                results.append(handler(self, layout, row) if handler else self.parse_row(layout, row))
            except RowError as exc:
                errors.append(ValidationError(exc.message, where=row.where, record=self._record(layout, row),
                                              field=exc.column))
            except CellError as exc:
                errors.append(ValidationError(str(exc), where=row.where, record=self._record(layout, row)))
            except ValidationError as exc:
                errors.append(exc)
        edition = layout.edition or max((s.props["periodEnd"] for r in results for s in r.stats
                                         if s.props.get("periodEnd")), default=None)
        seen: dict[str, RowResult] = {}
        good: list[RowResult] = []
        for r in results:
            r.built = [self._entity(layout, s, edition, r.where) for s in r.stats]
            ids = [e.id for e in (*r.built, *r.entities)]
            clash = next((seen[i] for i in ids if i in seen), None)
            if clash is not None:
                errors.append(ValidationError(
                    f"repeats the figures of line {clash.line} (same country, period and breakdown)",
                    where=r.where, record=self._record(layout, r.row) if r.row is not None else ""))
                continue
            seen.update((i, r) for i in ids)
            good.append(r)
        bad = len(errors)
        info["rejected_rows"] = bad
        if rows and bad / len(rows) > self.max_bad:
            first = "; ".join(f"{e.where} {e.field + ': ' if e.field else ''}{e.reason}" for e in errors[:5])
            self.ctx.reject(SourceError(
                f"{bad} of {len(rows)} rows ({bad / len(rows):.1%}) are bad, more than the "
                f"{self.max_bad:.0%} {self.ctx.name}.yml allows, so nothing of this file is stored. First: {first}",
                where=str(path)))
            return
        for err in errors:
            self.ctx.reject(err)
        source = self._source(path, layout)
        self.ctx.emit(source)
        for r in good:
            for s, e in zip(r.stats, r.built):
                e.sources = [source.id]
                self.ctx.emit(e)
                if s.jurisdiction and self.linker.ensure(s.jurisdiction):
                    self.ctx.emit_relation(Relation("IN_JURISDICTION", e.id, s.jurisdiction, {}, [source.id], r.where))
                for target in s.reports_on:
                    self._link(e.id, target, source.id, r.where)
            for link in r.links:
                self.linker.ensure(link)
            for e in r.entities:
                e.sources = [source.id]
                self.ctx.emit(e)
            for rel in r.relations:
                rel.sources = [source.id]
                self.ctx.emit_relation(rel)
            info["statistics"] += len(r.built) + len(r.entities)
        info["stored"] = True

    def _link(self, stat_id: str, target: str, source_id: str, where: str) -> None:
        if self.linker.ensure(target):
            self.ctx.emit_relation(Relation("REPORTS_ON", stat_id, target, {}, [source_id], where))
        else:
            self.ctx.reject(ValidationError(f"the registry has no entity {target!r} (named in {self.ctx.name}.yml)",
                                            where=where, record=stat_id, field="reports_on"))

    def _record(self, layout: Layout, row: CsvRow) -> str:
        """A row's country and period as written, to name it in messages."""
        cols = [layout.country.get(k) for k in ("name", "code")] if layout.country else []
        cols.append((layout.period or {}).get("column"))
        cells = [parse_text(self.cell(row, c)) for c in cols if c]
        return " ".join(c for c in cells if c) or f"{layout.name} row"

    def _source(self, path: Path, layout: Layout) -> Entity:
        retrieved = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date()
        publisher = self.config["publisher"]
        title = f"{self.config.get('title', publisher)}: {layout.title} ({path.name})"
        return file_source(self.prefix, path, title=title, publisher=publisher, url=layout.url,
                           retrievedDate=retrieved,
                           description=f"File {path.name}, read as layout {self.ctx.name}/{layout.name}.")

    # ------------------------------------------------------------------ one row
    def cell(self, row: CsvRow, column: str) -> str:
        return row.values.get(column) or ""

    def parse_row(self, layout: Layout, row: CsvRow) -> RowResult:
        """The statistics of one row: one per block that has a figure in the row (a row with no
        figure at all still yields its first block: the report lists the country)."""
        period = self._period(layout, row)
        jurisdiction, country_name, country_key = self._country(layout, row)
        if layout.country and "fixed" in layout.country:
            label = layout.country.get("label") or layout.country["fixed"]
        else:
            label = country_name or ("no country named" if layout.country else None)
        base: dict[str, Any] = {"layout": f"{self.ctx.name}/{layout.name}"}
        if period is not None:
            base.update(period=period.raw, periodStart=period.start, periodEnd=period.end, year=period.end.year)
        else:
            base["uncertain"] = "the file states no reporting period"
        if country_name:
            base["countryName"] = country_name
        for prop, col in layout.dimensions.items():
            value = parse_text(self.cell(row, col))
            if value is not None:
                base[prop] = value
        notes = [f"{title}: {parse_text(self.cell(row, col))}" for col, title in layout.describe.items()
                 if parse_text(self.cell(row, col))]
        if notes:
            base["description"] = "; ".join(notes)
        result = RowResult(row.line, row.where, row)
        for block in layout.blocks:
            values: dict[str, Any] = {}
            unknown = []
            for prop, cols in block.values.items():
                if self.cell(row, cols[0]).strip() in self.unknown:
                    unknown.append(f"{cols[0]}: {self.cell(row, cols[0]).strip()!r} in the report (not known)")
                    continue
                values.update(self._value(prop, cols[0], self.cell(row, cols[0])))
            if unknown:
                values["uncertain"] = "; ".join(unknown)
            if values:
                result.stats.append(self._stat(layout, block, base, values, period, label, jurisdiction, country_key))
        if not result.stats and layout.blocks:
            result.stats.append(self._stat(layout, layout.blocks[0], base, {}, period, label, jurisdiction,
                                           country_key))
        return result

    def _stat(self, layout: Layout, block: Block, base: dict, values: dict, period: Period | None,
              label: str | None, jurisdiction: str | None, country_key: str) -> Stat:
        props = {"kind": block.kind, "breakdown": block.breakdown, **base, **block.fixed, **values}
        props["name"] = self._name(block, period, label, props)
        targets = list(layout.reports_on if block.reports_on is None else block.reports_on)
        if props.get("product") is not None:
            pid = self._product(props["product"])
            if pid and pid not in targets:
                targets.append(pid)
        dims = sorted({*layout.dimensions, *block.fixed} & set(props))
        keys = (country_key, period.end if period else None, *(f"{k}={props[k]}" for k in dims))
        return Stat(block, props, jurisdiction, targets, keys)

    def _value(self, prop: str, column: str, text: str) -> dict[str, Any]:
        kind = self.onto_props[prop].kind
        try:
            if kind == "int":
                value = parse_count(text, self.missing)
                if isinstance(value, Band):
                    if f"{prop}Min" not in self.onto_props:
                        raise CellError(f"{text!r} is a band; this column takes a whole number")
                    return {f"{prop}Min": value.low, f"{prop}Max": value.high}
            elif kind == "float":
                value = parse_percent(text, self.missing)
            else:
                value = parse_text(text)
        except CellError as exc:
            raise RowError(column, str(exc)) from None
        return {} if value is None else {prop: value}

    def _period(self, layout: Layout, row: CsvRow) -> Period | None:
        spec = layout.period
        if not spec:
            return None
        if "file_name" in spec:
            name = Path(row.where.rsplit(":", 1)[0]).name
            m = re.search(spec["file_name"], name)
            if not m:
                raise RowError("file name", f"{name!r} does not say its period (expected {spec['file_name']!r})")
            return half_year(int(m["year"]), int(m["half"]), m[0])
        column = spec["column"]
        parse = PERIOD_FORMATS[spec["format"]]
        try:
            period = parse(self.cell(row, column))
            for key in ("start", "end"):  # stated first and last days must agree with the period
                if spec.get(key):
                    column = spec[key]
                    if us_date(self.cell(row, column)) != getattr(period, key):
                        raise CellError(f"{self.cell(row, column)!r} does not match period {period.raw!r}")
        except CellError as exc:
            raise RowError(column, str(exc)) from None
        return period

    def _country(self, layout: Layout, row: CsvRow) -> tuple[str | None, str | None, str]:
        """(jurisdiction id or None, the name as written, a key for ids)."""
        spec = layout.country
        if not spec:
            return None, None, ""
        if "fixed" in spec:
            cid = self._lookup_target(spec["fixed"])
            return cid, None, spec["fixed"]
        name = parse_text(self.cell(row, spec["name"])) if spec.get("name") else None
        code = parse_text(self.cell(row, spec["code"])) if spec.get("code") else None
        if code and _is_country_code(code):
            return country_id(code), name, code
        for value in (code, name):
            if value is not None and value.casefold() in self.countries:
                target = self.countries[value.casefold()]
                return (self._lookup_target(target) if target else None), name, f"={value}"
        if name is None and code is None:
            if "" in self.countries:
                target = self.countries[""]
                return (self._lookup_target(target) if target else None), None, "="
            raise RowError(spec.get("name") or spec.get("code"), "no country given")
        cid = self.resolver.jurisdiction(name) if name else None
        if cid is None:
            col = spec.get("name") or spec.get("code")
            raise RowError(col, f"unknown country {name or code!r}; add it to the countries lookup of "
                                 f"{self.ctx.name}.yml or to ingest/data/country_aliases.yaml")
        return cid, name, cid.removeprefix("country-").upper() if cid.startswith("country-") else cid

    @staticmethod
    def _lookup_target(value: str) -> str:
        """A lookup value: an ISO code ('KR') -> its country id; anything else is a registry id."""
        return country_id(value) if re.fullmatch(r"[A-Z]{2}", str(value)) else str(value)

    def _product(self, product: str) -> str | None:
        if product in self.products:
            return self.products[product]
        for pattern, pid in self.product_patterns:
            if pattern.search(product):
                return pid
        self.unmapped_products.add(product)
        return None

    def _name(self, block: Block, period: Period | None, country: str | None, props: dict) -> str:
        parts = [country] if country else []
        parts.append(period.label if period else "period not stated")
        for key in ("product", "justification", "requesterType", "legalProcess"):
            value = props.get(key)
            if value and value != "All":
                parts.append(str(value))
        if props.get("assistingCountry"):
            parts.append(f"via {props['assistingCountry']}")
        return f"{self.config.get('label', self.ctx.name)} {block.name}: {', '.join(parts)}"

    def _entity(self, layout: Layout, s: Stat, edition: dt.date | None, where: str) -> Entity:
        eid = make_id(self.prefix, layout.name, edition, s.block.key, *s.keys)
        props = dict(s.props)
        if edition is not None:
            props["editionDate"] = edition
        return Entity(eid, "RequestStatistic", props, [], where)
