"""Derived JSON tables of krMaynard/transparency-report-api (layouts in transparency_api.yml):
DSA Member State orders (vlop-dsa.json, table t3) and Korean law-enforcement requests to
Naver and Kakao (korea-transparency.json) -> RequestStatistics marked as derived.

    govplat ingest transparency_api vlop-dsa.json korea-transparency.json
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import head_json, walk
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, country_entity, country_id
from ingest.sources.cells import half_year
from ingest.textfile import read_json

__all__ = ["crawl", "detect"]

PREFIX = "tapi"


def _kind(doc: Any, config: dict) -> str | None:
    if not isinstance(doc, dict):
        return None
    if set(config["dsa"]["keys"]) <= set(doc):
        return "dsa"
    for kind in ("korea", "github"):
        if doc.get("columns") == config[kind]["columns"] and isinstance(doc.get("rows"), list):
            return kind
    return None


def detect(path: Path, config: dict) -> bool:
    return path.suffix.lower() == ".json" and _kind(head_json(path), config) is not None


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    files = ctx.counters.notes.setdefault("files", {})
    unmapped: set[str] = set()
    for path in walk(ctx.paths, (".json",)):
        try:
            doc = read_json(path)
            kind = _kind(doc, ctx.config)
            if kind is None:
                raise SourceError("unknown layout: expected vlop-dsa.json (meta, services, ..., t3) or a "
                                  f"{{source, coverage, columns, rows}} table with columns "
                                  f"{ctx.config['korea']['columns']}", where=str(path), field="top level")
        except SourceError as exc:
            ctx.reject(exc)
            continue
        if kind == "github":
            reason = " ".join(ctx.config["github"]["reason"].split())
            ctx.skip(reason, len(doc["rows"]))
            files[str(path)] = {"layout": kind, "rows": len(doc["rows"]), "skipped": reason}
            continue
        source = file_source(PREFIX, path, title=f"{ctx.config['title']}: {path.name}",
                             publisher=ctx.config["publisher"], url=ctx.config["url"], secondary=True,
                             compiler=ctx.config["compiler"])
        ctx.emit(source)
        rows, stats = (_dsa if kind == "dsa" else _korea)(ctx, linker, path, doc, source.id, unmapped)
        files[str(path)] = {"layout": kind, "rows": rows, "statistics": stats}
    if unmapped:
        ctx.note("services without a platform", sorted(unmapped))


def _stat(ctx: Context, linker: RegistryLinker, sid: str, props: dict, where: str, country: str | None,
          target: str | None, source_id: str, law: str | None = None) -> None:
    ctx.emit(Entity(sid, "RequestStatistic", {k: v for k, v in props.items() if v is not None}, [source_id], where))
    if country and linker.ensure(country):
        ctx.emit_relation(Relation("IN_JURISDICTION", sid, country, {}, [source_id], where))
    if target and linker.ensure(target):
        ctx.emit_relation(Relation("REPORTS_ON", sid, target, {}, [source_id], where))
    if law and linker.ensure(law):
        ctx.emit_relation(Relation("CITES_LAW", sid, law, {}, [source_id], where))


# ----------------------------------------------------------------------------- DSA, table t3
def _dsa(ctx: Context, linker: RegistryLinker, path: Path, doc: dict, source_id: str,
         unmapped: set[str]) -> tuple[int, int]:
    spec = ctx.config["dsa"]
    try:
        start, end = (dt.date.fromisoformat(x) for x in doc["meta"]["period"].split("/"))
    except (KeyError, ValueError, AttributeError):
        ctx.reject(ValidationError(f"meta.period {doc.get('meta')!r} is not 'YYYY-MM-DD/YYYY-MM-DD'",
                                   where=str(path), field="meta.period"))
        return 0, 0
    dims = {k: doc[k] for k in ("services", "service_platforms", "categories", "scopes")}
    labels = doc.get("category_labels") or {}
    resolver = Resolver.default()
    stats = 0
    seen: dict[tuple, int] = {}  # (service, category, scope) -> rows so far: X reports several
    # rows the conversion filed under one category (KEYWORD_OTHER); each stays a statistic
    for i, row in enumerate(doc["t3"]):
        where = f"{path}:t3[{i}]"
        try:
            if not isinstance(row, list) or len(row) != len(spec["row"]):
                raise ValidationError(f"has {len(row) if isinstance(row, list) else 'no'} cells; t3 rows are "
                                      f"{spec['row']}", where=where, field="t3")
            values = dict(zip(spec["row"], row))
            names = {}
            for key, table in (("service", "services"), ("category", "categories"), ("scope", "scopes")):
                idx = values[key]
                if not isinstance(idx, int) or not 0 <= idx < len(dims[table]):
                    raise ValidationError(f"{idx!r} is not an index into {table} (0-{len(dims[table]) - 1})",
                                          where=where, field=key)
                names[key] = dims[table][idx]
            for key in ("orders_to_act", "items", "orders_to_provide_info"):
                if values[key] is not None and (not isinstance(values[key], int) or values[key] < 0):
                    raise ValidationError(f"{values[key]!r} is not a count", where=where, field=key)
        except ValidationError as exc:
            ctx.reject(exc)
            continue
        service, company = names["service"], dims["service_platforms"][values["service"]]
        nth = seen[(service, names["category"], names["scope"])] = seen.get((service, names["category"], names["scope"]), -1) + 1
        target = resolver.entity(service) or resolver.entity(company)
        if target is None:
            unmapped.add(service)
        scope = names["scope"].strip()
        code = spec["scopes"].get(scope, scope)
        country = country_id(code) if re.fullmatch(r"[A-Z]{2}", code) and country_entity(code) else None
        category = names["category"]
        base = {"period": doc["meta"]["period"], "periodStart": start, "periodEnd": end, "year": end.year,
                "layout": "transparency_api/dsa-t3", "product": service,
                "justification": labels.get(category, category), "breakdown": "Member State, category",
                "countryName": None if country else scope,
                "description": f"row {nth + 1} the compilation gives for this service, category and scope" if nth else None,
                "uncertain": "derived: a third party's index-coded conversion of the platform's DSA report"}
        where_name = country_entity(code).props["name"] if country else scope
        for kind, law_art, plural, values_map in (
                ("removal", "Art. 9 order to act", "Art. 9 orders to act",
                 {"requests": values["orders_to_act"], "itemsSpecified": values["items"]}),
                ("user_data", "Art. 10 order to provide information", "Art. 10 orders to provide information",
                 {"requests": values["orders_to_provide_info"]})):
            if all(v is None for v in values_map.values()):
                continue
            sid = ctx.make_id(PREFIX, "dsa-t3", service, category, scope, kind, *([nth] if nth else []))
            props = {**base, **values_map, "kind": kind, "legalProcess": f"DSA {law_art}",
                     "name": f"DSA {plural} to {service}: {where_name}, {labels.get(category, category)}, H2 {end.year}"}
            _stat(ctx, linker, sid, props, where, country, target, source_id, spec["law"])
            stats += 1
    return len(doc["t3"]), stats


# ----------------------------------------------------------------------------- Korea
def _korea(ctx: Context, linker: RegistryLinker, path: Path, doc: dict, source_id: str,
           unmapped: set[str]) -> tuple[int, int]:
    spec = ctx.config["korea"]
    groups: dict[tuple, dict] = {}
    for i, row in enumerate(doc["rows"]):
        where = f"{path}:rows[{i}]"
        try:
            if not isinstance(row, list) or len(row) != len(spec["columns"]):
                raise ValidationError(f"is not a row of {len(spec['columns'])} cells", where=where, field="rows")
            v = dict(zip(spec["columns"], row))
            m = re.fullmatch(r"(\d{4})-H([12])", str(v["period"]))
            if not m:
                raise ValidationError(f"{v['period']!r} is not a half-year such as '2012-H1'", where=where,
                                      field="period")
            if v["category"] not in spec["categories"]:
                raise ValidationError(f"unknown category {v['category']!r}; known: {sorted(spec['categories'])}",
                                      where=where, field="category")
            if not isinstance(v["value"], (int, float)) or (v["value"] < 0 and v["value"] not in spec["not_reported"]):
                raise ValidationError(f"{v['value']!r} is not a figure", where=where, field="value")
        except ValidationError as exc:
            ctx.reject(exc)
            continue
        prop = spec["metrics"].get(f"{v['metric']}/{v['unit']}")
        if prop is None:
            ctx.skip(f"{v['metric']} ({v['unit']}): a ratio of figures that are stored")
            continue
        key = (v["platform"], v["service"] or "", m.group(0), v["category"])
        g = groups.setdefault(key, {"where": where, "period": half_year(int(m[1]), int(m[2]), str(v["period"])),
                                    "unknown": []})
        if v["value"] in spec["not_reported"]:
            g["unknown"].append(f"{v['metric']} not reported")
        else:
            g[prop] = v["value"] if prop == "complianceRate" else int(v["value"])
    for (platform, service, _, category), g in groups.items():
        period, where, unknown = g.pop("period"), g.pop("where"), g.pop("unknown")
        who = f"{platform}/{service}"
        target = spec["reports_on"].get(who)
        if target is None:
            unmapped.add(who)
        label = f"{platform}{' (' + service + ')' if service and service != platform else ''}"
        props = {**g, "kind": "user_data", "breakdown": "legal process",
                 "legalProcess": spec["categories"][category], "period": period.raw,
                 "periodStart": period.start, "periodEnd": period.end, "year": period.end.year,
                 "product": label, "layout": "transparency_api/korea",
                 "name": f"{label} law-enforcement requests: Korea, {period.label}, {spec['categories'][category]}",
                 "uncertain": "derived: a third party's tidy table of the platform's Korean transparency statistics"
                              + "".join(f"; {u}" for u in unknown)}
        _stat(ctx, linker, ctx.make_id(PREFIX, "korea", platform, service, period.raw, category), props, where,
              "country-kr", target, source_id)
    return len(doc["rows"]), len(groups)
