"""Access Now #KeepItOn STOP shutdown data (metadata, layout and lookups in keepiton.yml).

Each row -> a dated BlockingOrder:
  IN_JURISDICTION its country; MADE_BY the ordering body of that country (the registry's
  government where one resolves, else ``gov-<iso2>-<key>`` from the ``ordered_by`` lookup);
  TARGETS the platforms flagged TRUE when particular services were blocked, AFFECTS them
  when the whole network was shut down or throttled.
The file is a Source, and so is every news link a row cites.

    govplat ingest keepiton shutdown-data.csv
"""
from __future__ import annotations


from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import CsvRow, read_csv, walk
from ingest.provenance import file_source, urls_in, web_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, country_entity
from ingest.sources.cells import CellError, us_date

__all__ = ["crawl"]

PREFIX = "keepiton"


class _Row:
    """One row's cleaned values; ValidationError names the column that is wrong."""

    def __init__(self, ctx: Context, row: CsvRow):
        self.row, self.look = row, ctx.config["lookups"]

    def get(self, col: str) -> str:
        return (self.row.values.get(col) or "").strip()

    def fail(self, col: str, message: str):
        raise ValidationError(message, where=self.row.where, record=f"ID {self.get('ID') or '?'}", field=col)

    def lookup(self, table: str, col: str):
        value = self.get(col).lower()
        if value not in self.look[table]:
            self.fail(col, f"unknown value {self.get(col)!r}; known: {sorted(k for k in self.look[table] if k)}")
        return self.look[table][value]


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    for path in walk(ctx.paths, (".csv",)):
        try:
            layout, rows = read_csv(path, {s["layout"]: s["headers"] for s in ctx.config["detect"]})
        except SourceError as exc:
            ctx.reject(exc)
            continue
        source = file_source(PREFIX, path, title=f"{ctx.config['title']} ({path.name})",
                             publisher=ctx.config["publisher"], url=ctx.config["url"])
        ctx.emit(source)
        for row in rows:
            try:
                _emit_row(ctx, linker, source, _Row(ctx, row))
            except ValidationError as exc:
                ctx.reject(exc)


def _emit_row(ctx: Context, linker: RegistryLinker, source: Entity, r: _Row) -> None:
    if None in r.row.values:  # read_csv: the extra cells, or [] for a short row
        width, extra = len(r.row.values) - 1, r.row.values[None]
        r.fail("header", f"has {width + len(extra)} cells where the header has {width}" if extra
               else f"has fewer cells than the header's {width}")
    # -- everything is checked before anything of the row is emitted
    rid = r.get("ID") or r.fail("ID", "is empty")
    try:
        start = us_date(r.get("start_date"))
    except CellError:
        r.fail("start_date", f"{r.get('start_date')!r} is not a date (M/D/YYYY)")
    end = None
    if r.get("end_date").lower() not in r.look["open_end"]:
        try:
            end = us_date(r.get("end_date"))
        except CellError:
            r.fail("end_date", f"{r.get('end_date')!r} is not a date (M/D/YYYY), unknown or ongoing")
    country = Resolver.default().country(r.get("country"))
    if country is None:
        r.fail("country", f"{r.get('country')!r} is not a country name govplat knows")
    measure = r.lookup("shutdown_type", "shutdown_type_new")
    scope = r.lookup("scope", "full or service-based")
    body_spec = r.lookup("ordered_by", "ordered_by")
    flags = {col: r.lookup("booleans", col) for col in r.look["platforms"]}
    kind = "throttle" if measure == "throttle" else ("service-based" if scope == "service-based" else "shutdown")

    cname = country_entity(country.removeprefix("country-")).props["name"]
    links = urls_in(r.get("news_link"))
    legal = r.get("legal_method")
    if legal.startswith("http"):  # a link where the legal basis should be: keep it as a source
        links += [u for u in urls_in(legal) if u not in links]
        legal = ""
    web = [web_source(u, "Access Now #KeepItOn", r.row.where) for u in links]
    sources = [source.id, *(w.id for w in web)]
    area = " ".join(r.get("area_name").split())
    justification = "; ".join(x for x in (r.get("official_just"), r.get("other_just_details"))
                              if x and x.lower() not in ("other", "unknown", "none"))
    ordered = "; ".join(dict.fromkeys(x for x in (r.get("ordered_by"), r.get("decision_maker")) if x))
    props = {
        "name": f"{kind.capitalize()} in {area + ', ' if area and area.lower() != 'national' else ''}{cname}"
                f" from {start.isoformat()}",
        "kind": kind, "date": start, "datePrecision": "day",
        "description": f"{r.get('shutdown_type_new')} ({r.get('full or service-based').lower()}; "
                       f"{r.get('affected_network').lower() or 'network not stated'})"
                       + (f", {r.get('duration')} day(s)" if r.get("duration") else ""),
        "liftedDate": end, "area": area or None, "legalBasis": " ".join(legal.split()) or None,
        "justification": justification or None, "orderedBy": ordered or None,
    }
    order_id = ctx.make_id(PREFIX, rid, start.isoformat(), country)
    # -- emit
    for w in web:
        ctx.emit(w)
    linker.ensure(country)
    ctx.emit(Entity(order_id, "BlockingOrder", {k: v for k, v in props.items() if v is not None},
                    sources, r.row.where))
    rel = lambda t, dst, **p: ctx.emit_relation(Relation(t, order_id, dst, p, sources, r.row.where))  # noqa: E731
    rel("IN_JURISDICTION", country)
    body = _body(ctx, linker, body_spec, country, cname, source, r)
    if body:
        rel("MADE_BY", body, role=r.get("ordered_by").lower() or None)
    else:
        ctx.skip("MADE_BY not linked: ordered by a non-government actor or not known")
    for col, pid in r.look["platforms"].items():
        if flags[col]:
            linker.ensure(pid)
            rel("TARGETS" if kind == "service-based" else "AFFECTS", pid)


def _body(ctx: Context, linker: RegistryLinker, spec: dict | None, country: str, cname: str,
          source: Entity, r: _Row) -> str | None:
    """The ordering body's id: a registry entity when one resolves, else one node per country."""
    if not spec:
        return None
    resolver = Resolver.default()
    for name in (r.get("decision_maker"), spec.get("registry", "").format(country=cname)):
        eid = resolver.entity(name) if name else None
        if eid and ctx.onto.is_a(resolver.classes.get(eid) or "Entity", "GovernmentBody"):
            return linker.ensure(eid)
    iso = country.removeprefix("country-")
    bid = f"gov-{iso}-{spec['key']}"
    if linker.first(bid):
        ctx.emit(Entity(bid, spec["class"], {"name": spec["name"].format(country=cname)}, [source.id], r.row.where))
        ctx.emit_relation(Relation("IN_JURISDICTION", bid, country, {}, [source.id], r.row.where))
    return bid
