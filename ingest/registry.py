"""Registry entities for bulk sources: a source that links to ``twitter`` or ``court-us-cand``
emits that registry record (and the Source records it cites) itself, so that
``govplat ingest SOURCE FILE`` works on an empty store as well as after ``govplat ingest``.

The records are read with the curated-cases loader, so they are exactly the facts the
``cases`` source stores: re-emitting them changes nothing (MERGE on id, lists unioned).

>>> from ingest.registry import registry_records
>>> registry_records()["us-dhs"].cls
'Agency'
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graph.model import Entity, Relation
from ingest.context import Context
from ingest.resolve import DATA, country_entity, iso_source

__all__ = ["RegistryLinker", "registry_records", "registry_jurisdictions", "platform_operators"]


@lru_cache(maxsize=1)
def registry_records() -> dict[str, Entity]:
    """Every entity and source defined in ``ingest/data/registry/*.yaml``, by id."""
    from ingest.sources.cases import _read_file  # the one reader of the curated format

    scratch = Context("registry", None, check_only=True)
    out: dict[str, Entity] = {}
    for path in sorted((DATA / "registry").glob("*.yaml")):
        f = _read_file(scratch, Path(path))
        for e in (f.entities if f else []):
            out.setdefault(e.id, e)
    return out


@lru_cache(maxsize=1)
def platform_operators() -> frozenset[str]:
    """Registry companies that OPERATE a platform (from the registry's relations)."""
    from ingest.yamlio import load_yaml

    out = set()
    for path in sorted((DATA / "registry").glob("*.yaml")):
        for rel in (load_yaml(path) or {}).get("relations") or []:
            if isinstance(rel, list) and len(rel) >= 3 and rel[1] == "OPERATES":
                out.add(rel[0])
    return frozenset(out)


@lru_cache(maxsize=1)
def registry_jurisdictions() -> dict[str, list[tuple[str, list[str]]]]:
    """Registry IN_JURISDICTION links by entity id: (jurisdiction id, sources). A bulk source that
    links to a registry government takes its jurisdiction with it, so a demand's country (the
    jurisdiction of the body that made it) is known whichever source was loaded first."""
    from ingest.yamlio import load_yaml

    out: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted((DATA / "registry").glob("*.yaml")):
        for rel in (load_yaml(path) or {}).get("relations") or []:
            if isinstance(rel, list) and len(rel) >= 3 and rel[1] == "IN_JURISDICTION":
                extra = rel[3] if len(rel) == 4 and isinstance(rel[3], dict) else {}
                out.setdefault(rel[0], []).append((rel[2], list(extra.get("sources") or [])))
    return out


class RegistryLinker:
    """Emits, once per run, the registry and country records a bulk source links to."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._done: set[str] = set()

    def ensure(self, entity_id: str) -> str | None:
        """Emit the registry record (or ISO country) ``entity_id``; its id, or None if unknown."""
        if entity_id in self._done:
            return entity_id
        if entity_id.startswith("country-"):
            country = country_entity(entity_id.removeprefix("country-"))
            if country is None or country.id != entity_id:
                return None
            self._emit_once(iso_source())
            self._emit_once(country)
            return entity_id
        rec = registry_records().get(entity_id)
        if rec is None:
            return None
        for sid in rec.sources:
            src = registry_records().get(sid)
            if src is not None:
                self._emit_once(src)
        self._emit_once(rec)
        for where, sources in registry_jurisdictions().get(entity_id, []):
            target = self.ensure(where)
            if target:
                self.ctx.emit_relation(Relation("IN_JURISDICTION", entity_id, target, {}, sources or list(rec.sources),
                                                rec.origin))
        return entity_id

    def country(self, code_or_name: str | None) -> str | None:
        from ingest.resolve import Resolver

        cid = Resolver.default().country(code_or_name)
        return self.ensure(cid) if cid else None

    def first(self, entity_id: str) -> bool:
        """True the first time a source asks about an id it creates itself (emit it then)."""
        if entity_id in self._done:
            return False
        self._done.add(entity_id)
        return True

    def _emit_once(self, e: Entity) -> None:
        if e.id in self._done:
            return
        self._done.add(e.id)
        self.ctx.emit(Entity(e.id, e.cls, dict(e.props), list(e.sources), e.origin))
