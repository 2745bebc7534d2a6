"""CourtListener / Juriscraper court records (metadata, case criteria and lookups in courtlistener.yml).

    govplat ingest courtlistener court_data.json dockets/ opinions.compare.json

Courts -> Court nodes (one per CourtListener court id, registry courts reused). Cases that
involve at least one platform and at least one government -> CourtCase (HEARD_BY its court,
PARTY_TO with role), opinions -> Ruling (DECIDES the case, MADE_BY the court). Other cases
are skipped and counted by reason.
"""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from graph.xmlsafe import refuse_dtd
from ingest.context import Context
from ingest.detect import head_json, head_text, walk
from ingest.textfile import read_json, read_text
from ingest.provenance import file_source
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, normalise

__all__ = ["crawl", "detect", "layout_of"]

PREFIX = "courtlistener"
_OPINION_KEYS = {"case_dates", "case_names", "docket_numbers", "download_urls"}


def layout_of(doc: Any) -> str | None:
    """Which CourtListener/Juriscraper layout a parsed JSON document has."""
    if isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc):
        if all(x.get("model") == "search.court" for x in doc):
            return "court-registry"
        if all(_OPINION_KEYS <= set(x) for x in doc):
            return "opinions"
    if isinstance(doc, dict):
        if {"docket_number", "court_id", "case_name"} <= set(doc):
            return "pacer-docket"
        if {"court_id", "appellate", "dockets"} <= set(doc):
            return "pacer-nda"
        if isinstance(doc.get("payload"), dict) and "webhook" in doc:
            return "webhook"
        if {"supreme_court_cases", "cases"} <= set(doc):
            return "bigcases"
        if "opinion_clusters" in doc:
            return "citation-network"
    return None


def detect(path: Path, config: dict) -> bool:
    if path.suffix.lower() == ".xml":
        head = head_text(path, 4096) or ""
        return "<gov_uscourts_docket" in head
    return layout_of(head_json(path)) is not None


def _files(paths: list[Path]) -> list[Path]:
    # courts first, so that cases in the same run find their court by id or citation
    return sorted(walk(paths, (".json", ".xml")),
                  key=lambda f: (layout_of(head_json(f)) != "court-registry", str(f)))


def _docket_key(docket: str) -> str:
    """A docket number without the judges' initials PACER appends ('4:14-cv-04480-YGR')."""
    return re.sub(r"(-[A-Z]{2,4})+$", "", " ".join(str(docket).split()))


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class _Run:
    def __init__(self, ctx: Context):
        self.ctx, self.look = ctx, ctx.config["lookups"]
        self.linker = RegistryLinker(ctx)
        self.resolver = Resolver.default()
        self.courts: dict[str, str] = {}  # court id, citation or name (normalised) -> node id
        self.court_kind: dict[str, str] = {}  # node id -> jurisdiction code
        self.existing = self._existing_cases()

    def _existing_cases(self) -> dict[tuple[str, str], str]:
        """(court node id, docket number) -> id of a case already in the store."""
        if self.ctx.store is None:
            return {}
        store = self.ctx.store
        dockets = dict(zip(*store.node_table("CourtCase", ["docketNumber"]).to_pydict().values()))
        heard = store.link_table("HEARD_BY", "CourtCase", "Court")
        # this source's own cases are re-derived from their files, so that a re-run is identical
        return {(court, _docket_key(dockets[case])): case
                for case, court in sorted(zip(heard["from"].to_pylist(), heard["to"].to_pylist()))
                if dockets.get(case) and not case.startswith(f"{PREFIX}-")}

    # ------------------------------------------------------------------ courts
    def court_registry(self, path: Path, doc: list, source: Entity) -> None:
        seen: set[str] = set()
        for i, rec in enumerate(doc):
            pk, f = rec.get("pk"), rec.get("fields") or {}
            if not isinstance(pk, str) or not f.get("full_name"):
                self.ctx.reject(ValidationError("a court needs a pk and fields.full_name", where=str(path),
                                                record=f"[{i}]", field="pk" if not isinstance(pk, str) else "full_name"))
                continue
            if pk in seen:
                self.ctx.skip("courtlistener: court listed twice in court_data.json (one node kept)")
                continue
            seen.add(pk)
            names = [pk, f.get("short_name"), f.get("citation_string")]
            eid = self.resolver.entity(pk, "Court")
            if eid:
                self.linker.ensure(eid)
            else:
                eid = f"court-us-{pk}"
                props = {"name": f["full_name"], "aliases": sorted({n for n in names if n and n != f["full_name"]}),
                         "citation": f.get("citation_string") or None, "url": f.get("url") or None}
                if f.get("notes"):
                    props["description"] = f["notes"]
                self.ctx.emit(Entity(eid, "Court", {k: v for k, v in props.items() if v}, [source.id], str(path)))
                self.ctx.emit_relation(Relation("IN_JURISDICTION", eid, self.linker.country("US"), {},
                                                [source.id], str(path)))
            for n in [*names, f["full_name"]]:
                if n:
                    self.courts.setdefault(normalise(n), eid)
            self.court_kind[eid] = f.get("jurisdiction") or ""

    def court(self, ref: str, where: str, source: Entity) -> str:
        """A court node for a CourtListener court id or a citation such as 'N.D. Cal.'."""
        key = normalise(ref)
        if key in self.courts:
            return self.courts[key]
        eid = self.resolver.entity(ref, "Court")
        if eid:
            self.linker.ensure(eid)
        else:  # not in this run's court registry: a node holding only the id we were given
            eid = f"court-us-{re.sub(r'[^a-z0-9]+', '-', ref.lower()).strip('-')}"
            self.ctx.emit(Entity(eid, "Court", {"name": ref, "aliases": [ref], "uncertain":
                                 "known only by its CourtListener id or citation; ingest court_data.json for its name"},
                                 [source.id], where))
        self.courts[key] = eid
        return eid

    # ------------------------------------------------------------------ parties
    def party(self, name: str, where: str, source: Entity) -> tuple[str | None, str]:
        """(node id or None, 'platform' | 'government' | 'other') for a party name."""
        name = re.sub(r",?\s+et al\.?$", "", " ".join(name.split()), flags=re.I).strip(" ,;")
        spec = self.look["platform_parties"].get(name)
        if spec:
            return self._made(spec, where, source), "platform"
        spec = self.look["government_parties"].get(name)
        if spec:
            return self._made(spec, where, source), "government"
        for pattern, eid, label in self.look["government_patterns"]:
            if re.search(pattern, name.lower()):
                eid = eid or f"gov-us-{normalise(name).replace(' ', '-')}"
                return self._made({"id": eid, "class": "Government", "name": label or name.title()}, where,
                                  source), "government"
        eid = self.resolver.entity(name)
        if eid and self.linker.ensure(eid):
            cls = self.resolver.classes.get(eid) or ""
            onto = self.ctx.onto
            if cls == "Platform" or (cls == "Company" and self._operates(eid)):
                return eid, "platform"
            if onto.is_a(cls, "GovernmentBody") or cls == "Official":
                return eid, "government"
            return eid, "other"
        return None, "other"

    def _operates(self, company: str) -> bool:
        from ingest.registry import platform_operators

        return company in platform_operators()

    def _made(self, spec: Any, where: str, source: Entity) -> str:
        if isinstance(spec, str):
            self.linker.ensure(spec)
            return spec
        if self.linker.ensure(spec["id"]):
            return spec["id"]
        if self.linker.first(spec["id"]):
            props = {k: v for k, v in spec.items() if k in ("name", "description")}
            self.ctx.emit(Entity(spec["id"], spec["class"], props, [source.id], where))
            if spec.get("operates") and self.linker.ensure(spec["operates"]):
                self.ctx.emit_relation(Relation("OPERATES", spec["id"], spec["operates"], {}, [source.id], where))
            if spec["class"] in ("Government", "Regulator"):
                self.ctx.emit_relation(Relation("IN_JURISDICTION", spec["id"], self.linker.country("US"), {},
                                                [source.id], where))
        return spec["id"]

    # ------------------------------------------------------------------ cases
    def case(self, *, caption: str, docket: str, court: str, where: str, sources: list[Entity],
             parties: list[tuple[str, str]] | None = None, props: dict | None = None) -> str | None:
        """Emit a case if it involves a platform and a government; its id, or None (skipped)."""
        source = sources[0]
        existing = self.existing.get((court, _docket_key(docket)))
        if existing:
            self.ctx.skip("courtlistener: case already in the store (curated); rulings linked, parties kept")
            return existing
        if parties is None:
            parts = re.split(r"\s+v(?:s)?\.?\s+", caption, maxsplit=1, flags=re.I)
            if len(parts) != 2:
                self.ctx.skip("courtlistener: caption names no opposing parties ('In re ...')")
                return None
            roles = (self.look["scotus_roles"] if court == "scotus" else
                     self.look["caption_roles"].get(self.court_kind.get(court, ""), self.look["caption_roles"]["default"]))
            parties = list(zip(parts, roles))
        resolved = [(self.party(n, where, source), role) for n, role in parties]
        kinds = {k for (_, k), _ in resolved}
        if "platform" not in kinds or "government" not in kinds:
            self.ctx.skip("courtlistener: case without both a platform and a government party"
                          if kinds - {"other"} else "courtlistener: case with neither a platform nor a government party")
            return None
        cid = self.ctx.make_id(PREFIX, court, docket.strip())
        ids = [s.id for s in sources]
        base = {"name": caption, "docketNumber": docket.strip(), **(props or {})}
        self.ctx.emit(Entity(cid, "CourtCase", {k: v for k, v in base.items() if v not in (None, "", [])}, ids, where))
        self.ctx.emit_relation(Relation("HEARD_BY", cid, court, {}, ids, where))
        for (pid, _), role in resolved:
            if pid:
                self.ctx.emit_relation(Relation("PARTY_TO", pid, cid, _role_props(role), ids, where))
        unresolved = [n for ((pid, _), _), (n, _) in zip(resolved, parties) if not pid]
        if unresolved:
            self.ctx.skip("courtlistener: party not linked (not in the registry or lookups)", len(unresolved))
        self.existing[(court, _docket_key(docket))] = cid
        return cid


def crawl(ctx: Context) -> None:
    run = _Run(ctx)
    for path in _files(ctx.paths):
        try:
            if path.suffix.lower() == ".xml":
                layout, doc = "recap-xml", _parse_xml(path)
            else:
                doc = read_json(path)
                layout = layout_of(doc)
                if layout is None:
                    raise SourceError(
                        "unknown layout: expected a CourtListener court registry (list of search.court), a "
                        "Juriscraper opinion list (objects with case_names, case_dates, docket_numbers, "
                        "download_urls), a PACER docket (case_name, docket_number, court_id), an NDA "
                        "(court_id, appellate, dockets), a webhook payload (payload, webhook), a Big Cases "
                        "list (supreme_court_cases, cases) or a citation network (opinion_clusters); found "
                        f"{sorted(doc)[:12] if isinstance(doc, dict) else type(doc).__name__}", where=str(path))
            if layout == "opinions":
                _opinion_court(ctx.config["lookups"], path)  # fail before anything of the file is stored
        except SourceError as exc:
            ctx.reject(exc)
            continue
        repo = ctx.config["repos"]["courtlistener" if layout in ("court-registry", "citation-network") else
                                   "bigcases" if layout in ("webhook", "bigcases") else "juriscraper"]
        source = file_source(PREFIX, path, title=f"{ctx.config['title']}: {path.name} ({layout})",
                             publisher=ctx.config["publisher"], url=repo)
        ctx.emit(source)
        try:
            _HANDLERS[layout](run, path, doc, source)
        except ValidationError as exc:
            ctx.reject(exc)


def _parse_xml(path: Path) -> ET.Element:
    data = read_text(path).encode("utf-8")  # the size limit and encoding check of every source file
    refuse_dtd(data, str(path), allow_external_doctype=True)  # no entity is ever expanded, no DTD read
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError(f"malformed XML: {exc}", where=str(path)) from None
    if root.tag != "gov_uscourts_docket" or root.find("case_details") is None:
        raise SourceError(f"unknown layout: root <{root.tag}>; expected a RECAP docket <gov_uscourts_docket> "
                          "with <case_details>", where=str(path))
    return root


def _opinion_court(look: dict, path: Path) -> str:
    """The court of a Juriscraper opinion list, from its scraper's name in the file name."""
    module = re.sub(r"_example.*$", "", path.name.split("__")[-1])
    court_id = look["opinion_modules"].get(module)
    if not court_id:
        raise SourceError(f"cannot tell the court from the file name (scraper {module!r}); name it "
                          "[...__]<scraper>_example.compare.json with a scraper of lookups.opinion_modules "
                          f"({', '.join(sorted(look['opinion_modules']))})", where=str(path), field="file name")
    return court_id


def _opinions(run: _Run, path: Path, doc: list, source: Entity) -> None:
    court = run.court(_opinion_court(run.look, path), str(path), source)
    for i, op in enumerate(doc):
        where = f"{path}[{i}]"
        date = _date(op.get("case_dates"))
        if not date or not op.get("case_names") or not op.get("docket_numbers"):
            run.ctx.reject(ValidationError("an opinion needs case_dates (ISO), case_names and docket_numbers",
                                           where=where, record=str(op.get("docket_numbers") or ""), field="case_dates"
                                           if not date else "case_names"))
            continue
        cid = run.case(caption=op["case_names"], docket=op["docket_numbers"], court=court, where=where,
                       sources=[source])
        if not cid:
            continue
        rid = run.ctx.make_id(f"{PREFIX}-ruling", court, op["docket_numbers"], date.isoformat())
        props = {"name": f"Opinion in {op['case_names']} ({date.isoformat()})", "date": date, "datePrecision":
                 "day", "kind": "opinion", "description": f"{op.get('precedential_statuses') or ''} opinion".strip(),
                 "citation": op.get("citations") or None, "judges": [op["judges"]] if op.get("judges") else None,
                 "url": op.get("download_urls") or None}
        if op.get("date_filed_is_approximate"):
            props["uncertain"] = "the court's listing gives an approximate date"
        run.ctx.emit(Entity(rid, "Ruling", {k: v for k, v in props.items() if v}, [source.id], where))
        run.ctx.emit_relation(Relation("DECIDES", rid, cid, {}, [source.id], where))
        run.ctx.emit_relation(Relation("MADE_BY", rid, court, {}, [source.id], where))


def _parties(run: _Run, items: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """(name, role): the party type mapped to a party role of ontology.ttl; a type the lookup does
    not know is kept as written and becomes the relation's roleDetail (see _role_props)."""
    out = [(n, run.look["party_types"].get(t.strip().lower(), t.strip().lower())) for n, t in items if n]
    return out or None


def _role_props(role: str) -> dict:
    """A party role of gp:PartyRoles as ``role``; any other wording as ``roleDetail`` only."""
    from graph.ontology import ontology

    vocab = ontology().vocabulary_for("role", "PARTY_TO")
    if role in vocab.concepts:
        return {"role": role}
    return {"roleDetail": role} if role else {}


def _docket_props(cause: str | None, nos: str | None, filed, terminated, judge: str | None) -> dict:
    return {"legalBasis": cause or None, "natureOfSuit": nos or None, "filedDate": _date(filed),
            "terminatedDate": _date(terminated), "judges": [judge] if judge else None}


def _pacer(run: _Run, path: Path, doc: dict, source: Entity) -> None:
    court = run.court(doc["court_id"], str(path), source)
    run.case(caption=doc["case_name"], docket=doc["docket_number"], court=court, where=str(path), sources=[source],
             parties=_parties(run, [(p.get("name"), p.get("type") or "") for p in doc.get("parties") or []]),
             props=_docket_props(doc.get("cause"), doc.get("nature_of_suit"), doc.get("date_filed"),
                                 doc.get("date_terminated"), doc.get("assigned_to_str")))


def _recap(run: _Run, path: Path, root: ET.Element, source: Entity) -> None:
    d = root.find("case_details")
    t = lambda el, tag: (el.findtext(tag) or "").strip()  # noqa: E731
    court = run.court(t(d, "court"), str(path), source)
    parties = [(t(p, "name"), t(p, "type")) for p in root.iter("party")]
    judge = re.sub(r"^(Magistrate )?Judge\s+", "", t(d, "assigned_to")) or None
    run.case(caption=t(d, "case_name"), docket=t(d, "docket_num"), court=court, where=str(path), sources=[source],
             parties=_parties(run, parties),
             props=_docket_props(t(d, "case_cause"), t(d, "nature_of_suit"), t(d, "date_case_filed"),
                                 t(d, "date_case_terminated"), judge))


def _nda(run: _Run, path: Path, doc: dict, source: Entity) -> None:
    court = run.court(doc["court_id"], str(path), source)
    for i, dk in enumerate(doc.get("dockets") or []):
        if dk.get("case_name") and dk.get("docket_number"):
            run.case(caption=dk["case_name"], docket=dk["docket_number"], court=court, where=f"{path}[{i}]",
                     sources=[source], props={"filedDate": _date(dk.get("date_filed"))})


def _webhook(run: _Run, path: Path, doc: dict, source: Entity) -> None:
    # A docket-alert payload carries entries and documents, not the case's caption or parties.
    n = len(doc["payload"].get("results") or [])
    run.ctx.skip("courtlistener: webhook docket entries (no caption or parties in the payload)", n)


def _bigcases(run: _Run, path: Path, doc: dict, source: Entity) -> None:
    items = [("scotus", c) for c in doc.get("supreme_court_cases") or []] + \
            [(c.get("court") or "", c) for c in doc.get("cases") or []]
    for i, (court_ref, c) in enumerate(items):
        if not (court_ref and c.get("name") and c.get("case_number")):
            run.ctx.reject(ValidationError("a case needs court, name and case_number", where=f"{path}[{i}]",
                                           record=str(c.get("name") or ""), field="court"))
            continue
        run.case(caption=c["name"], docket=c["case_number"], court=run.court(court_ref, str(path), source),
                 where=f"{path}[{i}]", sources=[source])


def _citations(run: _Run, path: Path, doc: dict, source: Entity) -> None:
    run.ctx.skip("courtlistener: citation-network opinion clusters (no parties; not platform cases)",
                 len(doc.get("opinion_clusters") or []))


_HANDLERS = {"court-registry": lambda r, p, d, s: r.court_registry(p, d, s), "opinions": _opinions,
             "pacer-docket": _pacer, "recap-xml": _recap, "pacer-nda": _nda, "webhook": _webhook,
             "bigcases": _bigcases, "citation-network": _citations}
