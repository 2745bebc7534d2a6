"""Government bodies named in a notice, recognised through ``data/agency_aliases.yaml``
(patterns in the notices' languages, and the publisher's file names) and never guessed.

>>> AgencyTable.default().sender("ФЕДЕРАЛЬНАЯ СЛУЖБА ПО НАДЗОРУ В СФЕРЕ СВЯЗИ ...", "x.md").id
'ru-roskomnadzor'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.model import Entity, Relation
from ingest.context import Context
from ingest.registry import RegistryLinker, registry_records
from ingest.resolve import DATA, country_id
from ingest.yamlio import load_yaml

__all__ = ["Agency", "AgencyTable", "ensure_agency"]


@dataclass(frozen=True)
class Agency:
    id: str
    country: str
    cls: str | None
    name: str | None
    patterns: tuple[re.Pattern, ...]
    file_patterns: tuple[re.Pattern, ...]


class AgencyTable:
    def __init__(self, agencies: list[Agency]):
        self.agencies = agencies

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> AgencyTable:
        doc = load_yaml(DATA / "agency_aliases.yaml") or {}
        out = []
        for item in doc.get("agencies") or []:
            if item["id"] not in registry_records() and not (item.get("name") and item.get("class")):
                raise ValueError(f"agency_aliases.yaml: {item['id']} is not in the registry and has no name/class")
            flags = re.IGNORECASE | re.DOTALL
            out.append(Agency(item["id"], item["country"].upper(), item.get("class"), item.get("name"),
                              tuple(re.compile(p, flags) for p in item.get("patterns") or []),
                              tuple(re.compile(p, flags) for p in item.get("file_patterns") or [])))
        return cls(out)

    def sender(self, text: str, file_name: str) -> Agency | None:
        """The first agency the text names, else the first the file name names, else None."""
        for agency in self.agencies:
            if any(p.search(text) for p in agency.patterns):
                return agency
        stem = re.sub(r"[-_]+", " ", file_name)
        return next((a for a in self.agencies if any(p.search(stem) for p in a.file_patterns)), None)

    def named_in_text(self, agency: Agency, text: str) -> bool:
        return any(p.search(text) for p in agency.patterns)


def ensure_agency(ctx: Context, linker: RegistryLinker, agency: Agency, source_id: str, origin: str) -> str:
    """The agency's id: the registry record, or a node citing ``source_id`` (emitted once per run)."""
    if linker.ensure(agency.id):
        return agency.id
    if linker.first(agency.id):
        ctx.emit(Entity(agency.id, agency.cls or "Agency", {"name": agency.name}, [source_id], origin))
        cid = linker.ensure(country_id(agency.country))
        if cid:
            ctx.emit_relation(Relation("IN_JURISDICTION", agency.id, cid, {}, [source_id], origin))
    return agency.id
