"""Curated conflicts: the registry and the case files (format in ingest/data/README.md)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticError

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import walk
from ingest.event_ids import HELD_BY
from ingest.resolve import country_entity, country_id, iso_source
from ingest.source_quality import AGGREGATOR, meets_sourcing_rule, quality_table
from ingest.sources.cases_schema import CaseFile, ConflictRecord, EntityRecord, SourceRecord
from ingest.yamlio import load_yaml

__all__ = ["crawl", "case_files"]

_CONTAINED = ("Event", "CourtCase")  # classes linked to their file's conflict


def case_files(paths: list[Path]) -> list[Path]:
    return walk(paths, (".yaml", ".yml"))


def _pyd_error(exc: PydanticError, where: str, record: str) -> ValidationError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or ""
    return ValidationError(err["msg"], where=where, record=record, field=loc)


@dataclass
class _File:
    path: Path
    entities: list[Entity] = field(default_factory=list)
    relations: list[tuple[Any, str]] = field(default_factory=list)  # raw item, index label
    conflict: Entity | None = None
    involves: list[tuple[str, str | None]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)  # the file's id -> the event-level source's id


def _cast(ctx: Context, e: EntityRecord, where: str) -> dict[str, Any]:
    props = {}
    allowed = {p.name: p for p in ctx.onto.properties_of(e.cls)}
    for key, value in e.props.items():
        if key not in allowed:
            raise ValidationError(f"{e.cls} has no property {key!r} in ontology.ttl", where=where,
                                  record=e.id, field=key)
        prop = allowed[key]
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not prop.multi:
            raise ValidationError("takes one value, not a list", where=where, record=e.id, field=key)
        cast = []
        for v in values:
            if prop.kind == "date":
                if isinstance(v, dt.date):
                    cast.append(v)
                    continue
                try:
                    cast.append(dt.date.fromisoformat(str(v)))
                except ValueError:
                    raise ValidationError(f"{v!r} is not an ISO 8601 date (YYYY-MM-DD)", where=where,
                                          record=e.id, field=key) from None
            elif prop.kind == "string":
                if isinstance(v, (dict, list)):
                    raise ValidationError("must be text", where=where, record=e.id, field=key)
                cast.append(str(v))
            elif prop.kind == "int":
                if isinstance(v, bool) or not isinstance(v, int):
                    raise ValidationError(f"{v!r} is not a whole number", where=where, record=e.id, field=key)
                cast.append(v)
            else:
                cast.append(v)
        props[key] = cast if prop.multi else cast[0]
    return props


def _read_file(ctx: Context, path: Path) -> _File | None:
    where = str(path)
    try:
        raw = load_yaml(path)
    except SourceError as exc:
        ctx.reject(exc)
        return None
    if not isinstance(raw, dict):
        ctx.reject(SourceError("must be a mapping with conflict/sources/entities/relations", where=where))
        return None
    try:
        CaseFile.model_validate(raw)
    except PydanticError as exc:
        ctx.reject(_pyd_error(exc, where, ""))
        return None
    out = _File(path)
    for i, item in enumerate(raw.get("sources") or []):
        rid = item.get("id", f"sources[{i}]") if isinstance(item, dict) else f"sources[{i}]"
        try:
            rec = SourceRecord.model_validate(item)
        except PydanticError as exc:
            ctx.reject(_pyd_error(exc, where, rid), rid)
            continue
        props = rec.model_dump(exclude={"id"}, exclude_none=True)
        denied = quality_table().deny_reason(rec.url)
        if denied:
            ctx.reject(ValidationError(f"{denied}: cite the original outlet or the issuer instead",
                                       where=where, record=rec.id, field="url"), rec.id)
            continue
        props["quality"] = quality_table().tier(props)
        props["name"] = rec.title
        out.entities.append(Entity(rec.id, "Source", props, [rec.id], where))
    for i, item in enumerate(raw.get("entities") or []):
        rid = item.get("id", f"entities[{i}]") if isinstance(item, dict) else f"entities[{i}]"
        try:
            rec = EntityRecord.model_validate(item)
            ctx.onto.cls(rec.cls)
            props = _cast(ctx, rec, where)
        except PydanticError as exc:
            ctx.reject(_pyd_error(exc, where, rid), rid)
            continue
        except ValidationError as exc:
            ctx.reject(exc, rid)
            continue
        except Exception as exc:  # unknown class
            ctx.reject(ValidationError(str(exc), where=where, record=rid, field="class"), rid)
            continue
        eid = rec.id
        if rec.heldBy:
            (source, key), = rec.heldBy.items()
            make = HELD_BY.get(source)
            try:
                if make is None:
                    raise ValueError(f"{source!r} is not an event-level source (one of {', '.join(sorted(HELD_BY))})")
                eid = out.held[rec.id] = make(key)
            except ValueError as exc:
                ctx.reject(ValidationError(str(exc), where=where, record=rid, field="heldBy"), rid)
                continue
        out.entities.append(Entity(eid, rec.cls, props, rec.sources, where))
    if raw.get("conflict") is not None:
        item = raw["conflict"]
        rid = item.get("id", "conflict") if isinstance(item, dict) else "conflict"
        try:
            rec = ConflictRecord.model_validate(item)
        except PydanticError as exc:
            ctx.reject(_pyd_error(exc, where, rid), rid)
        else:
            props = rec.model_dump(exclude={"id", "countries", "involves", "sources"}, exclude_none=True)
            if not props.get("aliases"):
                props.pop("aliases", None)
            out.conflict = Entity(rec.id, "Conflict", props, rec.sources, where)
            out.countries = rec.countries
            out.involves = [(x, None) if isinstance(x, str) else (x.id, x.role) for x in rec.involves]
    out.relations = [(item, f"relations[{i}]") for i, item in enumerate(raw.get("relations") or [])]
    return out


_YEAR = r"(?:1[89]|20)\d\d"
_ID_YEAR = re.compile(rf"-({_YEAR})$")
_NAME_YEAR = re.compile(rf"\b({_YEAR})\b")
# The conflict's own period closing its name: "(September 2012 – January 2016)", "(2015–2016)".
_NAME_PERIOD = re.compile(rf"\((?:[A-Z][a-z]+\.?\s+)?{_YEAR}\s*[–—-]\s*(?:[A-Z][a-z]+\.?\s+)?({_YEAR})\)\s*$")


def disagreements(conflict: Entity, today: dt.date | None = None) -> list[ValidationError]:
    """Where a conflict's id, name, dates and status contradict each other.

    The year in an id or a name is a year the conflict was going on (the year it is best
    known by, not necessarily its first); a period in the name ends when ``endDate`` says;
    an ongoing conflict has no ``endDate``; a period closing the name ("(2015–2016)") is the
    conflict's own, so it ends in the year of ``endDate``.
    """
    where, rid, props = conflict.origin, conflict.id, conflict.props
    start, end, status = props.get("startDate"), props.get("endDate"), props.get("status")
    last = end.year if end else (today or dt.date.today()).year
    out = []

    def bad(message: str, field: str) -> None:
        out.append(ValidationError(message, where=where, record=rid, field=field))

    if status == "ongoing" and end is not None:
        bad(f"status is ongoing but endDate is {end}: drop endDate or set status resolved", "endDate")
    if status == "ongoing" and props.get("statusAsOf") is None:
        bad("status is ongoing but statusAsOf (the date it was last verified) is missing", "statusAsOf")
    if end is not None and start is not None and end < start:
        bad(f"endDate {end} is before startDate {start}", "endDate")
    if start is None:
        return out
    m = _ID_YEAR.search(rid)
    if m and not start.year <= int(m.group(1)) <= last:
        bad(f"the id's year {m.group(1)} is outside the conflict's dates ({start} to {end or 'now'})", "id")
    name = str(props.get("name", ""))
    for y in _NAME_YEAR.findall(name):
        if not start.year <= int(y) <= last:
            bad(f"the name's year {y} is outside the conflict's dates ({start} to {end or 'now'})", "name")
    for until in _NAME_PERIOD.findall(name):
        if end is None:
            bad(f"the name gives a period ending in {until} but the conflict has no endDate"
                + (" and is ongoing" if status == "ongoing" else ""), "name")
        elif int(until) != end.year:
            bad(f"the name gives a period ending in {until} but endDate is {end}", "name")
    return out


_OPEN_CASE = ("pending", "ongoing")


def _case_disagreements(e: Entity) -> list[ValidationError]:
    filed, ended = e.props.get("filedDate"), e.props.get("terminatedDate")
    out = []
    if filed and ended and ended < filed:
        out.append(ValidationError(f"terminatedDate {ended} is before filedDate {filed}", where=e.origin,
                                   record=e.id, field="terminatedDate"))
    if e.props.get("status") in _OPEN_CASE and e.props.get("statusAsOf") is None:
        out.append(ValidationError(f"status is {e.props['status']} but statusAsOf (the date it was last verified) "
                                   "is missing", where=e.origin, record=e.id, field="statusAsOf"))
    return out


def _sourcing(ctx: Context, defined: dict[str, Entity]) -> None:
    """Refuse records citing a source no file defines and events whose only support is
    aggregator/rewrite pages; note the dated events that have neither a primary source nor two
    independent reputable ones."""
    sources = {i: e.props for i, e in defined.items() if e.cls == "Source" and e.id}
    weak = {}
    for e in defined.values():
        # A case file's record cites sources of the run (its own file's, the registry's); a
        # registry record may cite a case file's source that a partial run does not include.
        missing = [s for s in e.sources if s not in sources]
        if e.id and missing and Path(e.origin).parent.name != "registry":
            ctx.reject(ValidationError(f"cites {', '.join(map(repr, missing))}, which no file defines as a source",
                                       where=e.origin, record=e.id, field="sources"), e.id)
            e.id = ""
        if not e.id or not ctx.onto.is_a(e.cls, "Event"):
            continue
        cited = [sources[s] for s in e.sources if s in sources]
        if cited and all(s["quality"] == AGGREGATOR for s in cited):
            ctx.reject(ValidationError("its only support is aggregator/rewrite pages "
                                       f"({', '.join(e.sources)}): cite the issuer or the original outlet",
                                       where=e.origin, record=e.id, field="sources"), e.id)
            e.id = ""
        elif not meets_sourcing_rule(cited):
            weak[e.id] = {"file": Path(e.origin).name, "sources": ", ".join(f"{s} ({sources[s]['quality']})"
                                                                            for s in e.sources if s in sources)}
    if weak:
        ctx.note(f"dated events with neither a primary source nor two independent reputable ones ({len(weak)})",
                 weak)


def _last_day(day: dt.date, precision: str | None) -> dt.date:
    """The last day a date stored as its period's first day may stand for (a month- or
    year-precise event in the month or year a conflict starts is not before it)."""
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return day


def _same_facts(a: Entity, b: Entity) -> bool:
    return a.cls == b.cls and a.props == b.props


def crawl(ctx: Context) -> None:
    files = [f for f in (_read_file(ctx, p) for p in case_files(ctx.paths)) if f is not None]
    # An event an event-level source holds takes that source's id; every file's references follow it.
    held: dict[str, str] = {}
    for f in files:
        for name, eid in f.held.items():
            if held.setdefault(name, eid) != eid:
                ctx.reject(ValidationError(f"id names another heldBy event elsewhere ({held[name]})",
                                           where=str(f.path), record=name, field="heldBy"), eid)
    for f in files:
        f.involves = [(held.get(x, x), role) for x, role in f.involves]
        f.relations = [(_renamed(item, held), label) for item, label in f.relations]
    # Index every definition; a second definition must agree on every fact.
    defined: dict[str, Entity] = {}
    for f in files:
        for e in [*f.entities, *([f.conflict] if f.conflict else [])]:
            prev = defined.get(e.id)
            if prev is None:
                defined[e.id] = e
            elif _same_facts(prev, e):
                prev.sources = sorted({*prev.sources, *e.sources})
            else:
                ctx.reject(ValidationError(
                    f"id already defined in {prev.origin} with other facts "
                    f"({prev.cls} {prev.props} vs {e.cls} {e.props})", where=e.origin, record=e.id, field="id"), None)
                e.id = ""  # keep the first definition; drop this one
    # Names, ids, dates and status must agree (a contradiction rejects the record).
    for e in list(defined.values()):
        errors = disagreements(e) if e.cls == "Conflict" else _case_disagreements(e) if e.cls == "CourtCase" else []
        for err in errors:
            ctx.reject(err, e.id)
        if errors:
            e.id = ""
    _sourcing(ctx, defined)
    early = {}
    for f in files:
        start = f.conflict.props.get("startDate") if f.conflict is not None and f.conflict.id else None
        before = sorted(e.id for e in f.entities if start and isinstance(e.props.get("date"), dt.date)
                        and _last_day(e.props["date"], e.props.get("datePrecision")) < start
                        and ctx.onto.is_a(e.cls, "Event"))
        if before:
            early[f.conflict.id] = {"startDate": start.isoformat(), "events dated before it": ", ".join(before)}
    if early:
        ctx.note("conflicts with events before their startDate (to review)", early)
    # Countries are created from their ISO code wherever they are referred to.
    referred: set[str] = set()
    for f in files:
        referred.update(country_id(c) for c in f.countries)
        for item, _ in f.relations:
            if isinstance(item, list) and len(item) >= 3:
                referred.update(x for x in (item[0], item[2]) if isinstance(x, str) and x.startswith("country-"))
    countries = {}
    for cid in sorted(referred - set(defined)):
        c = country_entity(cid.removeprefix("country-"))
        if c is not None:
            countries[cid] = c
    if countries:
        ctx.emit(iso_source())
        for c in countries.values():
            ctx.emit(c)
    all_ids = set(defined) | set(countries)
    for e in defined.values():
        if e.id:
            ctx.emit(e)
    for f in files:
        _emit_relations(ctx, f, all_ids, defined)


def _renamed(item: Any, held: dict[str, str]) -> Any:
    """A relation with its ends' file ids replaced by the event-level source's ids."""
    if isinstance(item, list) and len(item) >= 3:
        return [held.get(x, x) if i in (0, 2) and isinstance(x, str) else x for i, x in enumerate(item)]
    if isinstance(item, dict):
        return {k: held.get(v, v) if k in ("from", "to") and isinstance(v, str) else v for k, v in item.items()}
    return item


_RELATION_EXTRAS = ("role", "roleDetail", "validFrom", "validTo", "sources")


def _relation_span(extra: dict) -> dict[str, dt.date]:
    """A relation's own valid time (``validFrom`` / ``validTo``, YYYY-MM-DD), checked: the days
    the link itself holds, when it changes while both its ends last (ingest/data/README.md)."""
    span = {}
    for key in ("validFrom", "validTo"):
        value = extra.get(key)
        if value is None:
            continue
        if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
            raise ValidationError(f"{key} must be a date YYYY-MM-DD, got {value!r}", field=key)
        try:
            span[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{key} must be a date YYYY-MM-DD, got {value!r}", field=key) from None
    if len(span) == 2 and span["validFrom"] > span["validTo"]:
        raise ValidationError(f"validFrom ({span['validFrom']}) is after validTo ({span['validTo']})", field="validFrom")
    return span


def _emit_relations(ctx: Context, f: _File, all_ids: set[str], defined: dict[str, Entity]) -> None:
    where = str(f.path)
    local = {e.id: e for e in f.entities if e.id}
    for item, label in f.relations:
        if isinstance(item, dict):
            item = [item.get("from"), item.get("type"), item.get("to"), {k: v for k, v in item.items()
                                                                        if k not in ("from", "type", "to")}]
        if not isinstance(item, list) or len(item) not in (3, 4) or not all(isinstance(x, str) for x in item[:3]):
            ctx.reject(ValidationError("a relation is [from, TYPE, to] or [from, TYPE, to, {"
                                       + ", ".join(_RELATION_EXTRAS) + "}]",
                                       where=where, record=label, field="relations"))
            continue
        src, rtype, dst = item[:3]
        extra = item[3] if len(item) == 4 else {}
        record = f"{src} {rtype} {dst}"
        if not isinstance(extra, dict) or set(extra) - set(_RELATION_EXTRAS):
            ctx.reject(ValidationError("only " + ", ".join(f"'{k}'" for k in _RELATION_EXTRAS)
                                       + " may follow a relation", where=where, record=record, field="relations"))
            continue
        try:
            span = _relation_span(extra)
        except ValidationError as exc:
            ctx.reject(ValidationError(exc.reason, where=where, record=record, field=exc.field))
            continue
        missing = next((x for x in (src, dst) if x not in all_ids), None)
        if missing:
            ctx.reject(ValidationError(f"refers to unknown id {missing!r}", where=where, record=record,
                                       field="from" if missing == src else "to"))
            continue
        sources = extra.get("sources") or (local[src].sources if src in local else
                                           local[dst].sources if dst in local else [])
        if not sources:
            ctx.reject(ValidationError("needs sources (neither end is defined in this file)", where=where,
                                       record=record, field="sources"))
            continue
        props = {**{k: str(extra[k]) for k in ("role", "roleDetail") if extra.get(k)}, **span}
        ctx.emit_relation(Relation(rtype, src, dst, props, list(sources), where))
    c = f.conflict
    if c is None or not c.id:
        return
    for code in f.countries:
        if country_id(code) not in all_ids:
            ctx.reject(ValidationError(f"unknown ISO 3166-1 code {code!r}", where=where, record=c.id,
                                       field="countries"))
            continue
        ctx.emit_relation(Relation("IN_JURISDICTION", c.id, country_id(code), {}, c.sources, where))
    for eid, role in f.involves:
        if eid not in all_ids:
            ctx.reject(ValidationError(f"refers to unknown id {eid!r}", where=where, record=c.id, field="involves"))
            continue
        ctx.emit_relation(Relation("INVOLVES", c.id, eid, {"role": role} if role else {}, c.sources, where))
    for e in local.values():
        if any(ctx.onto.is_a(e.cls, k) for k in _CONTAINED):
            ctx.emit_relation(Relation("IN_CONFLICT", e.id, c.id, {}, e.sources, where))
