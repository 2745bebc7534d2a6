"""Laws named in free text (a legal-basis cell, a notice), recognised through the table in
``data/law_aliases.yaml`` and never guessed.

>>> [law.id for law in LawTable.default().find("Section-144 of CrPC", "IN")]
['law-in-crpc-s144']
>>> LawTable.default().find("Section-144 of CrPC", "DE")
[]
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

__all__ = ["Law", "LawTable", "link_laws"]


@dataclass(frozen=True)
class Law:
    id: str
    country: str  # ISO alpha-2
    name: str | None
    citation: str | None
    patterns: tuple[re.Pattern, ...]


class LawTable:
    def __init__(self, laws: list[Law]):
        self.laws = laws

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> LawTable:
        doc = load_yaml(DATA / "law_aliases.yaml") or {}
        laws = []
        for item in doc.get("laws") or []:
            if item["id"] not in registry_records() and not item.get("name"):
                raise ValueError(f"law_aliases.yaml: {item['id']} is not in the registry and has no name")
            laws.append(Law(item["id"], item["country"].upper(), item.get("name"), item.get("citation"),
                            tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in item["patterns"])))
        return cls(laws)

    def find(self, text: str | None, country: str | None) -> list[Law]:
        """The laws of ``country`` (ISO alpha-2) that ``text`` names, in table order."""
        if not text or not country:
            return []
        return [law for law in self.laws if law.country == country.upper()
                and any(p.search(text) for p in law.patterns)]


def link_laws(ctx: Context, linker: RegistryLinker, src_id: str, text: str | None, country: str | None,
              sources: list[str], origin: str) -> list[str]:
    """Emit CITES_LAW from ``src_id`` to each law ``text`` names; the law ids linked.

    A law the registry does not have becomes a Law node citing ``sources[0]`` (the data file
    that names it), IN_JURISDICTION its country, once per run."""
    found = LawTable.default().find(text, country)
    for law in found:
        if not linker.ensure(law.id) and linker.first(law.id):
            props = {"name": law.name, "citation": law.citation}
            ctx.emit(Entity(law.id, "Law", {k: v for k, v in props.items() if v}, sources[:1], origin))
            cid = linker.ensure(country_id(law.country))
            if cid:
                ctx.emit_relation(Relation("IN_JURISDICTION", law.id, cid, {}, sources[:1], origin))
        ctx.emit_relation(Relation("CITES_LAW", src_id, law.id, {}, list(sources), origin))
    return [law.id for law in found]
