"""Tables of transparency reports -> RequestStatistic records.

:class:`StatisticsSource` is a declarative mapping from the ``layouts`` and ``statistics``
blocks of a source's YAML to RequestStatistic entities, shared by the transparency sources
(google_transparency, meta_requests, apple_transparency, wikimedia_transparency) and free for
any other tabular source. Cells and periods are parsed by :mod:`ingest.sources.cells`. The
YAML holds every exact header set; the code holds no column names. Per file it

* picks the layout whose header matches exactly (else SourceError naming the file, the
  missing and unexpected columns and the layouts it expected; nothing of it stored);
* maps the rows column by column (:meth:`StatisticsSource.map_rows`: each distinct cell value
  of a column parsed once); a bad row (unparseable number, unknown country) becomes a
  ValidationError ``where=file:line, field=column`` and is skipped, and when more than
  ``max_bad_fraction`` of a file's rows are bad the whole file is rejected;
* only then emits the file's Source and the registry records the statistics link to, and the
  statistics as one table (``Context.emit_table``: ids from
  ``make_id(prefix, layout, edition, natural keys)``, so re-runs change nothing) with their
  ``IN_JURISDICTION`` country and ``REPORTS_ON`` company/platform links. The table is checked
  against the shapes row by row, column-wise, and goes to the store as columns: staged as
  Arrow tables on the bulk path, written as records on the transactional one.

A layout with a ``handler`` (Google's released national security letters, GitHub's banded
national-security table) is read row by row: the handler yields records of its own, or
adjusts the statistics :meth:`StatisticsSource.parse_row` maps for one row.

The YAML keys StatisticsSource reads (see google_transparency.yml for a full example)::

    prefix, label, publisher, url, max_bad_fraction, reports_on, countries, products,
    product_patterns, statistics (shared blocks), layouts: {name: {title, url, columns,
    files, period, country, dimensions, describe, edition, reports_on, statistics, handler}}
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from graph.arrow_types import arrow_type
from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context, make_ids
from ingest.detect import CsvRow, check_header, csv_header, header_names, read_csv, walk
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.sources.cells import (MISSING, PERIOD_FORMATS, Band, CellError, Period, half_year, parse_count,
                                  parse_percent, parse_text, us_date)
from ingest.resolve import Resolver, country_entity, country_id

__all__ = ["StatisticsSource", "RowResult", "RowError", "Layout", "Stats"]


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
    """One statistic of one row, for a handler that adjusts it (Stats.stat, Stats.extend)."""
    block: Block
    props: dict[str, Any]
    jurisdiction: str | None
    reports_on: list[str]
    keys: tuple


@dataclass
class Stats:
    """The statistics of a file's rows as columns: per statistic its row (an index into the
    file's rows), block, a value per property (None where it has none), natural keys (for its
    id), jurisdiction and REPORTS_ON targets."""
    rows: list[int]
    blocks: list[Block]
    props: dict[str, list]
    keys: list[tuple]
    jurisdiction: list[str | None]
    targets: list[list[str]]

    @classmethod
    def empty(cls) -> Stats:
        return cls([], [], {}, [], [], [])

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list:
        return self.props.get(name) or [None] * len(self.rows)

    def row_errors(self, errors: list) -> list:
        return [errors[i] for i in self.rows]

    def stat(self, k: int) -> Stat:
        return Stat(self.blocks[k], {n: c[k] for n, c in self.props.items() if c[k] is not None},
                    self.jurisdiction[k], list(self.targets[k]), self.keys[k])

    def extend(self, row: int, stats: list[Stat]) -> None:
        for s in stats:
            for name in s.props:
                self.props.setdefault(name, [None] * len(self.rows))
            for name, col in self.props.items():
                col.append(s.props.get(name))
            self.rows.append(row)
            self.blocks.append(s.block)
            self.keys.append(s.keys)
            self.jurisdiction.append(s.jurisdiction)
            self.targets.append(s.reports_on)

    def make_ids(self, prefix: str, layout: str, edition: dt.date | None) -> list[str]:
        """Stable ids: ``make_id(prefix, layout, edition, block key, natural keys)``."""
        return make_ids(prefix, (layout, edition), [(b.key, *keys) for b, keys in zip(self.blocks, self.keys)])


@dataclass
class RowResult:
    """What one row of a layout with a ``handler`` yields: statistics (ids made once the file's
    edition is known) and finished entities and relations plus registry ids to emit."""
    line: int | str
    where: str
    row: Any = None  # the CsvRow, to name the record in a message
    stats: list[Stat] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    index: int = -1  # the row's place in the file


@dataclass(frozen=True)
class _Failed:
    """A cell that cannot be read: its RowError or CellError."""
    exc: Exception


@dataclass(frozen=True)
class _Unknown:
    """A cell the report marks as not known (unknown_values)."""
    note: str


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
        self._product_ids: dict[str, str | None] = {}

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
        handler = self.handlers.get(layout.handler) if layout.handler else None
        results: list[RowResult] = []
        if handler:  # a few records of their own per row: row by row
            errors, stats = [None] * len(rows), Stats.empty()
            for i, row in enumerate(rows):
                try:
                    self._aligned(layout, row)
                    result = handler(self, layout, row)
                except (RowError, CellError, ValidationError) as exc:
                    errors[i] = self._row_error(layout, row, exc)
                    continue
                result.index = i
                results.append(result)
                stats.extend(i, result.stats)
        else:
            errors, stats = self.map_rows(layout, rows)
        edition = layout.edition or max((e for e, err in zip(stats.column("periodEnd"), stats.row_errors(errors))
                                         if e is not None and err is None), default=None)
        ids = stats.make_ids(self.prefix, layout.name, edition)
        # a row whose figures another row of the file already gave is refused (same country,
        # period and breakdown: the same ids)
        by_row: dict[int, list[int]] = defaultdict(list)
        for k, i in enumerate(stats.rows):
            by_row[i].append(k)
        extra = {r.index: [e.id for e in r.entities] for r in results}
        seen: dict[str, int] = {}
        repeats: list[ValidationError] = []
        for i, row in enumerate(rows):
            if errors[i] is not None:
                continue
            mine = [ids[k] for k in by_row.get(i, ())] + extra.get(i, [])
            clash = next((seen[x] for x in mine if x in seen), None)
            if clash is not None:
                errors[i] = ValidationError(
                    f"repeats the figures of line {rows[clash].line} (same country, period and breakdown)",
                    where=row.where, record=self._record(layout, row))
                repeats.append(errors[i])
                continue
            seen.update((x, i) for x in mine)
        bad = [e for e in errors if e is not None and e not in repeats] + repeats
        info["rejected_rows"] = len(bad)
        if rows and len(bad) / len(rows) > self.max_bad:
            first = "; ".join(f"{e.where} {e.field + ': ' if e.field else ''}{e.reason}" for e in bad[:5])
            self.ctx.reject(SourceError(
                f"{len(bad)} of {len(rows)} rows ({len(bad) / len(rows):.1%}) are bad, more than the "
                f"{self.max_bad:.0%} {self.ctx.name}.yml allows, so nothing of this file is stored. First: {first}",
                where=str(path)))
            return
        for err in bad:
            self.ctx.reject(err)
        source = self._source(path, layout)
        self.ctx.emit(source)
        keep = [k for k, i in enumerate(stats.rows) if errors[i] is None]
        self._emit_stats(layout, stats, keep, ids, edition, source.id, [rows[stats.rows[k]].where for k in keep])
        for r in results:
            if errors[r.index] is not None:
                continue
            for link in r.links:
                self.linker.ensure(link)
            for e in r.entities:
                e.sources = [source.id]
                self.ctx.emit(e)
            for rel in r.relations:
                rel.sources = [source.id]
                self.ctx.emit_relation(rel)
            info["statistics"] += len(r.entities)
        info["statistics"] += len(keep)
        info["stored"] = True

    def _aligned(self, layout: Layout, row: CsvRow) -> None:
        extra = row.values.pop(None, None)
        if extra:  # more cells than the header: the row is misaligned (fewer = empty cells)
            raise RowError("", f"has {len(layout.columns) + len(extra)} cells; the header has {len(layout.columns)}")

    def _row_error(self, layout: Layout, row: CsvRow, exc: Exception) -> ValidationError:
        if isinstance(exc, RowError):
            return ValidationError(exc.message, where=row.where, record=self._record(layout, row), field=exc.column)
        if isinstance(exc, CellError):
            return ValidationError(str(exc), where=row.where, record=self._record(layout, row))
        return exc  # a ValidationError as it is

    def _emit_stats(self, layout: Layout, stats: "Stats", keep: list[int], ids: list[str], edition,
                    source_id: str, origins: list[str]) -> None:
        """The statistics of the good rows as one table, with their IN_JURISDICTION and
        REPORTS_ON links (Context.emit_table); the registry records they link to first."""
        if not keep:
            return
        every = len(keep) == len(stats)
        jurisdictions = stats.jurisdiction if every else [stats.jurisdiction[k] for k in keep]
        linked = {j: bool(self.linker.ensure(j)) for j in sorted(set(filter(None, jurisdictions)))}
        targets = stats.targets if every else [stats.targets[k] for k in keep]
        known = {t: bool(self.linker.ensure(t)) for t in sorted({t for ts in targets for t in ts})}
        stat_ids = ids if every else [ids[k] for k in keep]
        cols: dict[str, Any] = {"id": stat_ids, "sources": [[source_id]] * len(keep)}
        for name, values in stats.props.items():
            if values.count(None) < len(values):  # a column with no value at all is left out
                cols[name] = values if every else [values[k] for k in keep]
        if edition is not None:
            cols["editionDate"] = [edition] * len(keep)
        types = {p: arrow_type(self.onto_props[p]) for p in cols if p in self.onto_props}
        table = pa.table({n: pa.array(v, types.get(n)) for n, v in cols.items()})
        j_rows = [n for n, j in enumerate(jurisdictions) if j and linked[j]]
        rels = {"IN_JURISDICTION": ({"from": [stat_ids[n] for n in j_rows], "to": [jurisdictions[n] for n in j_rows]},
                                    [origins[n] for n in j_rows])}
        r_from, r_to, r_where = [], [], []
        for n, ts in enumerate(targets):
            for t in ts:
                if known[t]:
                    r_from.append(stat_ids[n])
                    r_to.append(t)
                    r_where.append(origins[n])
                else:
                    self.ctx.reject(ValidationError(f"the registry has no entity {t!r} (named in {self.ctx.name}.yml)",
                                                    where=origins[n], record=stat_ids[n], field="reports_on"))
        rels["REPORTS_ON"] = ({"from": r_from, "to": r_to}, r_where)
        relations = {}
        for rtype, (c, where) in rels.items():
            if c["from"]:
                relations[rtype] = (pa.table({**c, "sources": [[source_id]] * len(c["from"])}), where)
        self.ctx.emit_table("RequestStatistic", table, origins, relations)

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

    # ------------------------------------------------------------------ a file's rows, column-wise
    def cell(self, row: CsvRow, column: str) -> str:
        return row.values.get(column) or ""

    def parse_row(self, layout: Layout, row: CsvRow) -> RowResult:
        """The statistics of one row (for a handler that adjusts them), as :meth:`map_rows` maps it;
        a bad cell raises its ValidationError."""
        errors, stats = self.map_rows(layout, [row])
        if errors[0] is not None:
            raise errors[0]
        return RowResult(row.line, row.where, row, stats=[stats.stat(k) for k in range(len(stats))])

    def map_rows(self, layout: Layout, rows: list[CsvRow]) -> tuple[list[ValidationError | None], Stats]:
        """Every row of a file mapped column by column: each cell parsed once per distinct value,
        each row's first bad cell (in the order period, country, the blocks' values) its
        ValidationError ``file:line, field=column``, and the statistics of the good rows: one
        per block that has a figure in the row (a row with no figure at all still yields its
        first block: the report lists the country)."""
        n = len(rows)
        failed: list[Exception | None] = [None] * n
        for i, row in enumerate(rows):
            try:
                self._aligned(layout, row)
            except RowError as exc:
                failed[i] = exc
        columns: dict[str, list[str]] = {}

        def cells(column: str) -> list[str]:
            if column not in columns:
                columns[column] = [r.values.get(column) or "" for r in rows]
            return columns[column]

        def per_value(texts: list, parse) -> list:
            """``parse`` of each distinct value once; a bad one becomes the row's error."""
            done = {}
            for t in set(texts):
                try:
                    done[t] = parse(t)
                except (RowError, CellError) as exc:
                    done[t] = _Failed(exc)
            out = [done[t] for t in texts]
            if any(type(v) is _Failed for v in done.values()):
                for i, v in enumerate(out):
                    if type(v) is _Failed and failed[i] is None:
                        failed[i] = v.exc
            return out

        spec = layout.period
        if not spec:
            periods = [None] * n
        elif "file_name" in spec:
            name = Path(rows[0].where.rsplit(":", 1)[0]).name if rows else ""
            periods = per_value([name] * n, lambda t: self._file_period(spec, t))
        else:
            stated = [k for k in ("start", "end") if spec.get(k)]
            texts = list(zip(*(cells(c) for c in [spec["column"], *(spec[k] for k in stated)])))
            periods = per_value(texts, lambda t: self._period_of(spec, stated, t))
        spec = layout.country
        if not spec:
            countries = [(None, None, "")] * n
        elif "fixed" in spec:
            countries = [(self._lookup_target(spec["fixed"]), None, spec["fixed"])] * n
        else:
            names = cells(spec["name"]) if spec.get("name") else [""] * n
            codes = cells(spec["code"]) if spec.get("code") else [""] * n
            countries = per_value(list(zip(names, codes)), lambda t: self._country_of(spec, *t))
        block_values = [[per_value(cells(cols[0]), lambda t, p=prop, c=cols[0]: self._fragment(p, c, t))
                         for prop, cols in block.values.items()] for block in layout.blocks]
        errors = [None if exc is None else self._row_error(layout, rows[i], exc) for i, exc in enumerate(failed)]

        # the statistics: (row, block) of the good rows, row by row
        stat_rows: list[int] = []
        stat_blocks: list[int] = []
        for i in range(n):
            if failed[i] is not None:
                continue
            chosen = [b for b, frags in enumerate(block_values) if any(f[i] for f in frags)]
            if not chosen and layout.blocks:
                chosen = [0]
            stat_rows.extend([i] * len(chosen))
            stat_blocks.extend(chosen)
        blocks = [layout.blocks[b] for b in stat_blocks]
        values: list[dict] = []  # per statistic: the values of its block's columns in its row
        for i, b in zip(stat_rows, stat_blocks):
            v: dict[str, Any] = {}
            unknown = []
            for frags in block_values[b]:
                x = frags[i]
                if type(x) is _Unknown:
                    unknown.append(x.note)
                elif x:
                    v.update(x)
            if unknown:
                v["uncertain"] = "; ".join(unknown)
            values.append(v)

        # per row: what every statistic of the row has (the base), as columns over the rows
        base: dict[str, list] = {"layout": [f"{self.ctx.name}/{layout.name}"] * n}
        if layout.period:
            base["period"] = [p.raw if type(p) is Period else None for p in periods]
            base["periodStart"] = [p.start if type(p) is Period else None for p in periods]
            base["periodEnd"] = [p.end if type(p) is Period else None for p in periods]
            base["year"] = [p.end.year if type(p) is Period else None for p in periods]
        else:
            base["uncertain"] = ["the file states no reporting period"] * n
        if layout.country and "fixed" not in layout.country:
            base["countryName"] = [c[1] if type(c) is tuple else None for c in countries]
        for prop, col in layout.dimensions.items():
            base[prop] = per_value(cells(col), parse_text)
        if layout.describe:
            described = [(title, per_value(cells(col), parse_text)) for col, title in layout.describe.items()]
            base["description"] = ["; ".join(f"{t}: {v[i]}" for t, v in described if v[i]) or None for i in range(n)]

        # the statistics' columns: a value of its block over a fixed value over the base
        fixed_names = {k for b in layout.blocks for k in b.fixed}
        value_names = {k for v in values for k in v}
        props: dict[str, list] = {"kind": [b.kind for b in blocks], "breakdown": [b.breakdown for b in blocks]}
        for name in [*base, *sorted((fixed_names | value_names) - set(base))]:
            col = base.get(name)
            if name not in fixed_names and name not in value_names:
                props[name] = [col[i] for i in stat_rows]
                continue
            out = []
            for i, b, v in zip(stat_rows, blocks, values):
                x = v.get(name)
                if x is None:
                    x = b.fixed[name] if name in b.fixed else (col[i] if col is not None else None)
                out.append(x)
            props[name] = out
        none = [None] * len(stat_rows)
        get = lambda name: props.get(name, none)  # noqa: E731
        label_of = [self._label(layout, c) if type(c) is tuple else None for c in countries]
        props["name"] = [self._name(b, periods[i] if layout.period else None, label_of[i], product, justification,
                                    requester, process, assisting)
                         for i, b, product, justification, requester, process, assisting in zip(
                             stat_rows, blocks, get("product"), get("justification"), get("requesterType"),
                             get("legalProcess"), get("assistingCountry"))]
        # natural keys: country, period end, then "dimension=value" of the block's dimensions
        # (the layout's and the block's fixed ones, sorted) that the statistic has
        dims = {id(b): {*layout.dimensions, *b.fixed} for b in layout.blocks}
        pairs = [[f"{d}={v}" if v is not None and d in dims[id(b)] else None for v, b in zip(props[d], blocks)]
                 for d in sorted(set().union(*dims.values())) if d in props]
        keys = [(countries[i][2], periods[i].end if periods[i] is not None else None, *[x for x in more if x])
                for i, *more in zip(stat_rows, *pairs)]
        products = get("product")
        targets = []
        for b, product in zip(blocks, products):
            found = list(layout.reports_on if b.reports_on is None else b.reports_on)
            if product is not None:
                pid = self._product(product)
                if pid and pid not in found:
                    found.append(pid)
            targets.append(found)
        return errors, Stats(stat_rows, blocks, props, keys, [countries[i][0] for i in stat_rows], targets)

    def _fragment(self, prop: str, column: str, text: str):
        """A cell of a block's column: its values ({} when empty), or a note when the report
        marks it as not known."""
        if text.strip() in self.unknown:
            return _Unknown(f"{column}: {text.strip()!r} in the report (not known)")
        return self._value(prop, column, text)

    def _label(self, layout: Layout, country: tuple) -> str | None:
        if layout.country and "fixed" in layout.country:
            return layout.country.get("label") or layout.country["fixed"]
        return country[1] or ("no country named" if layout.country else None)

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

    def _file_period(self, spec: dict, name: str) -> Period:
        m = re.search(spec["file_name"], name)
        if not m:
            raise RowError("file name", f"{name!r} does not say its period (expected {spec['file_name']!r})")
        return half_year(int(m["year"]), int(m["half"]), m[0])

    def _period_of(self, spec: dict, stated: list[str], cells: tuple) -> Period:
        """The period of a row's period cell; its stated first and last days must agree with it."""
        column = spec["column"]
        try:
            period = PERIOD_FORMATS[spec["format"]](cells[0])
            for key, text in zip(stated, cells[1:]):
                column = spec[key]
                if us_date(text) != getattr(period, key):
                    raise CellError(f"{text!r} does not match period {period.raw!r}")
        except CellError as exc:
            raise RowError(column, str(exc)) from None
        return period

    def _country_of(self, spec: dict, name_cell: str, code_cell: str) -> tuple[str | None, str | None, str]:
        """(jurisdiction id or None, the name as written, a key for ids) of a row's country cells."""
        name = parse_text(name_cell)
        code = parse_text(code_cell)
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
        if product not in self._product_ids:
            self._product_ids[product] = self._product_id(product)
        return self._product_ids[product]

    def _product_id(self, product: str) -> str | None:
        if product in self.products:
            return self.products[product]
        for pattern, pid in self.product_patterns:
            if pattern.search(product):
                return pid
        self.unmapped_products.add(product)
        return None

    def _name(self, block: Block, period: Period | None, country: str | None, *details) -> str:
        """'<label> <block name>: <country>, <period>, <product, reason, requester, process>, via <country>'."""
        parts = [country] if country else []
        parts.append(period.label if period else "period not stated")
        *named, assisting = details
        parts.extend(str(v) for v in named if v and v != "All")
        if assisting:
            parts.append(f"via {assisting}")
        return f"{self.config.get('label', self.ctx.name)} {block.name}: {', '.join(parts)}"
