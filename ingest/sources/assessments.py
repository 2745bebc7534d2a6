"""Index assessments (layouts, editions and indicators in assessments.yml): Ranking Digital
Rights company and service scores on the indicators about government demands, OpenNet
Initiative country filtering scores -> Assessment nodes ASSESSES company/platform/country,
IN_EDITION their index edition.

    govplat ingest assessments ranking-digital-rights/ opennet-initiative/
"""
from __future__ import annotations

import re
from pathlib import Path

from graph.errors import ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import CsvRow, csv_layouts
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, normalise

__all__ = ["crawl"]

PREFIX = "assess"


class _Run:
    def __init__(self, ctx: Context):
        self.ctx, self.config = ctx, ctx.config
        self.linker = RegistryLinker(ctx)
        self.resolver = Resolver.default()
        self.unresolved: set[str] = set()

    # -- shared
    def edition(self, key: str, source_id: str) -> str:
        eid = f"edition-{key}"
        if self.linker.first(eid):
            spec = self.config["editions"][key]
            self.ctx.emit(Entity(eid, "IndexEdition", {"name": spec["name"], "url": spec["url"]}, [source_id]))
        return eid

    def company(self, name: str, source_id: str, where: str) -> str:
        eid = self.resolver.entity(name)
        if eid and self.linker.ensure(eid):
            return eid
        cid = f"rdr-company-{re.sub(r'[^a-z0-9]+', '-', normalise(name)).strip('-')}"
        self.unresolved.add(name)
        self.ctx.emit(Entity(cid, "Company", {"name": name}, [source_id], where))
        return cid

    def platform(self, service: str) -> str | None:
        eid = self.resolver.entity(service)
        if eid and self.ctx.onto.is_a(self.resolver.classes.get(eid) or "Entity", "Platform"):
            return self.linker.ensure(eid)
        return None

    def score(self, row: CsvRow, col: str) -> float | None:
        text = (row.values.get(col) or "").strip()
        if text in self.config["not_applicable"]:
            return None
        try:
            return float(text)
        except ValueError:
            raise ValidationError(f"{text!r} is not a score (a number or NA)", where=row.where, field=col) from None

    def emit(self, key: tuple, props: dict, target: str, edition: str, source_id: str, where: str) -> None:
        aid = self.ctx.make_id(PREFIX, *key)
        self.ctx.emit(Entity(aid, "Assessment", {k: v for k, v in props.items() if v is not None}, [source_id], where))
        self.ctx.emit_relation(Relation("ASSESSES", aid, target, {}, [source_id], where))
        self.ctx.emit_relation(Relation("IN_EDITION", aid, edition, {}, [source_id], where))

    # -- Ranking Digital Rights
    def rdr_row(self, row: CsvRow, edition_key: str, company: str, klass: str, service: str,
                scores: dict[str, float], source_id: str) -> int:
        edition = self.edition(edition_key, source_id)
        is_company = klass in self.config["company_classes"]
        target = (None if is_company else self.platform(service)) or self.company(company, source_id, row.where)
        written = None if is_company else f"{klass}: {service}".strip()
        for indicator, value in scores.items():
            name = f"{company}{' ' + service if written else ''}: RDR {indicator} ({self.config['editions'][edition_key]['name'].split()[-1]})"
            self.emit((edition_key, company, klass, service, indicator),
                      {"name": name, "indicator": indicator, "score": value, "scaleMax": 100.0, "service": written},
                      target, edition, source_id, row.where)
        return len(scores)


def crawl(ctx: Context) -> None:
    run = _Run(ctx)
    files = ctx.counters.notes.setdefault("files", {})
    wanted = re.compile(ctx.config["rdr_indicators"])
    for path, layout, rows in csv_layouts(ctx, ctx.config["skip"]):
        source = file_source(PREFIX, path, title=f"{ctx.config['title']}: {path.name}",
                             publisher="OpenNet Initiative" if layout == "oni-profiles" else "Ranking Digital Rights",
                             url=ctx.config["editions"]["oni-profiles" if layout == "oni-profiles" else
                                                        "rdr-index-2019" if layout == "rdr2019-summary" else
                                                        "rdr-bigtech-2022"]["url"])
        ctx.emit(source)
        n, not_applicable = 0, 0
        for row in rows:
            try:
                if layout == "rdr2019-summary":
                    scores = {c: run.score(row, c) for c in row.values if c and wanted.match(c)}
                    not_applicable += sum(v is None for v in scores.values())
                    v = row.values
                    if v["Company"].strip().lower() == "all companies":
                        ctx.skip("the all-companies average row (not a company)")
                        continue
                    n += run.rdr_row(row, "rdr-index-2019", v["Company"].strip(), v["Class"].strip(),
                                     v["Service_Name"].strip(), {k: s for k, s in scores.items() if s is not None},
                                     source.id)
                elif layout == "rdr2022-levels":
                    v = row.values
                    if not wanted.match(v["Indicator"].strip()):
                        ctx.skip("indicator not about government demands (not F5-F7, P10-P11)")
                        continue
                    edition = ctx.config["rdr2022_index"].get(v["Index"].strip())
                    if edition is None:
                        raise ValidationError(f"unknown index {v['Index']!r}; known: "
                                              f"{sorted(ctx.config['rdr2022_index'])}", where=row.where, field="Index")
                    value = run.score(row, "Score")
                    if value is None:
                        not_applicable += 1
                        continue
                    n += run.rdr_row(row, edition, v["Company"].strip(), v["Class"].strip(), v["Service"].strip(),
                                     {v["Indicator"].strip(): value}, source.id)
                else:
                    n += _oni_row(run, row, source.id)
            except ValidationError as exc:
                ctx.reject(exc)
        if not_applicable:
            ctx.skip("score NA (indicator not applicable to the company or service)", not_applicable)
        files[str(path)] = {"layout": layout, "rows": len(rows), "assessments": n}
    if run.unresolved:
        ctx.note("companies not in the registry (created from the index)", sorted(run.unresolved))


def _oni_row(run: _Run, row: CsvRow, source_id: str) -> int:
    v = row.values
    country = run.linker.country(v["country_code"].strip()) or run.linker.country(v["country"].strip())
    if country is None:
        raise ValidationError(f"unknown country {v['country_code']!r} / {v['country']!r}", where=row.where,
                              field="country_code")
    edition = run.edition("oni-profiles", source_id)
    n = 0
    for indicator, (score_col, label_col) in run.config["oni_indicators"].items():
        value = run.score(row, score_col)
        if value is None:
            continue
        desc = f"tested {v['testing_date'].strip()}; transparency {v['transparency'].strip()}, consistency " \
               f"{v['consistency'].strip()}; profile {v['url'].strip()}"
        run.emit(("oni", v["country_code"].strip(), indicator),
                 {"name": f"{v['country'].strip()}: ONI {indicator} filtering", "indicator": indicator,
                  "score": value, "scaleMax": 4.0, "scoreLabel": v[label_col].strip() or None, "description": desc},
                 country, edition, source_id, row.where)
        n += 1
    return n
