"""The named-query registry: every query text lives in the YAML files beside this module.

A query is written once in the Cypher both engines run. A class in a node pattern
(``(d:Demand)``) is rendered per engine: Neo4j stores every superclass as a label, so the
text runs as written; Ladybug has one label per node, so the class becomes the union of its
concrete subclasses (``(d:InformationRequest:RemovalRequest:...)``). Where an engine needs
another form, the query holds ``cypher_ladybug`` / ``cypher_neo4j`` side by side and a test
proves both return the same rows.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import QueryError
from graph.ontology import Ontology

__all__ = ["Param", "NamedQuery", "Registry", "registry", "render_classes"]

_DIR = Path(__file__).parent
_CASTS = {
    "string": str,
    "int": int,
    "float": float,
    "date": lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)),
    "list": lambda v: v if isinstance(v, list) else [s.strip() for s in str(v).split(",") if s.strip()],
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    default: Any = None
    required: bool = True
    example: Any = None

    def cast(self, value: Any) -> Any:
        try:
            return _CASTS[self.type](value)
        except (ValueError, TypeError) as exc:
            raise QueryError(f"parameter {self.name!r} must be a {self.type}: {value!r} ({exc})") from None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    cypher: str
    forms: dict[str, str] = field(default_factory=dict)  # engine -> engine-specific text
    file: str = ""

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter(s) {', '.join(sorted(unknown))}; "
                             f"it takes: {', '.join(sorted(known)) or 'none'}")
        bound = {}
        for p in self.params:
            if p.name in values and values[p.name] is not None:
                bound[p.name] = p.cast(values[p.name])
            elif p.default is not None or not p.required:
                bound[p.name] = p.cast(p.default) if p.default is not None else None
            else:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.description})")
        return bound

    def render(self, engine: str, onto: Ontology) -> str:
        text = self.forms.get(engine, self.cypher)
        return render_classes(text, onto) if engine == "ladybug" else text

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "description": p.description,
                            "required": p.required and p.default is None, "default": p.default,
                            "example": p.example} for p in self.params],
                "engines": sorted({"ladybug", "neo4j"} | set(self.forms))}


def render_classes(text: str, onto: Ontology) -> str:
    """Rewrite ``:Class`` in node patterns as the union of its concrete subclasses."""
    def sub(m: re.Match) -> str:
        return ":" + ":".join(onto.concrete_subclasses(m.group(1)))
    names = sorted((c for c in onto.classes if onto.concrete_subclasses(c) != [c]), key=len, reverse=True)
    if not names:
        return text
    return re.sub(r"(?<=[\w(]):(%s)\b" % "|".join(names), sub, text)


class Registry:
    def __init__(self, queries: dict[str, NamedQuery]):
        self.queries = queries

    def get(self, name: str) -> NamedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise QueryError(f"no named query {name!r}; `govplat query --list` shows them") from None

    def __iter__(self):
        return iter(sorted(self.queries.values(), key=lambda q: q.name))


def load(directory: Path = _DIR) -> Registry:
    queries: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("sparql_"):
            continue  # SPARQL examples (graph/rdf_examples.py), not Cypher
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            name = item["name"]
            if name in queries:
                raise QueryError(f"{path.name}: query {name!r} is defined twice")
            params = tuple(
                Param(pname, spec.get("type", "string"), spec.get("description", ""), spec.get("default"),
                      spec.get("required", True), spec.get("example"))
                for pname, spec in (item.get("params") or {}).items())
            forms = {k.removeprefix("cypher_"): v for k, v in item.items() if k.startswith("cypher_")}
            queries[name] = NamedQuery(name, item["description"], params, item.get("cypher", ""), forms, path.name)
    return Registry(queries)


@lru_cache(maxsize=1)
def registry() -> Registry:
    return load()
