"""The example SPARQL queries (``graph/queries/sparql_examples.yaml``), each mirroring a named
Cypher query, with parameter binding and a way to read their answers as plain rows.

>>> q = get("search")
>>> q.mirrors
'search'
>>> 'LCASE("ALT_uscis")' in q.bind({"text": "ALT_uscis"})
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from graph.errors import QueryError

__all__ = ["Example", "examples", "get", "EXAMPLES_PATH", "sparql_literal", "LIST_SEPARATOR"]

EXAMPLES_PATH = Path(__file__).parents[1] / "queries" / "sparql_examples.yaml"
LIST_SEPARATOR = "|"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b")


def sparql_literal(value, kind: str = "string") -> str:
    """A value as a SPARQL literal; strings are escaped so a parameter can never change the query."""
    if kind == "int":
        return str(int(value))
    if kind == "date":  # checked as a day, typed so that it compares with the stored xsd:date values
        import datetime as dt

        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f'"{day.isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'
    text = str(value)
    text = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))
    return f'"{text}"'


@dataclass(frozen=True)
class Example:
    name: str
    mirrors: str
    description: str
    sparql: str
    params: dict
    lists: tuple[str, ...]

    def defaults(self) -> dict:
        """Example values for every parameter (what the docs and the parity test use)."""
        return {k: spec.get("example", spec.get("default")) for k, spec in self.params.items()}

    def bind(self, values: dict | None = None) -> str:
        values = {**{k: spec.get("default") for k, spec in self.params.items() if "default" in spec},
                  **(values or {})}
        unknown = set(values) - set(self.params)
        if unknown:
            raise QueryError(f"example {self.name!r} has no parameter(s) {', '.join(sorted(unknown))}")

        def sub(m: re.Match) -> str:
            name = m.group(1)
            if name not in self.params:
                return m.group(0)
            if values.get(name) is None:
                raise QueryError(f"example {self.name!r} needs parameter {name!r}")
            try:
                return sparql_literal(values[name], self.params[name].get("type", "string"))
            except (TypeError, ValueError):
                raise QueryError(f"parameter {name!r} must be a {self.params[name].get('type')}") from None

        return _PARAM.sub(sub, self.sparql)

    def rows(self, bindings: list[dict]) -> list[dict]:
        """SELECT bindings ({var: term}) as plain rows: lexical values, list columns split."""
        out = []
        for b in bindings:
            row = {}
            for k, v in b.items():
                text = v.lexical if hasattr(v, "lexical") else str(v)
                row[k] = sorted(x for x in text.split(LIST_SEPARATOR) if x) if k in self.lists else text
            out.append(row)
        return out


@lru_cache(maxsize=1)
def _load() -> dict[str, Example]:
    items = yaml.safe_load(EXAMPLES_PATH.read_text(encoding="utf-8")) or []
    out = {}
    for item in items:
        ex = Example(item["name"], item["mirrors"], item["description"], item["sparql"],
                     dict(item.get("params") or {}), tuple(item.get("lists") or ()))
        if ex.name in out:
            raise QueryError(f"{EXAMPLES_PATH.name}: example {ex.name!r} is defined twice")
        out[ex.name] = ex
    return out


def examples() -> list[Example]:
    return list(_load().values())


def get(name: str) -> Example:
    try:
        return _load()[name]
    except KeyError:
        raise QueryError(f"no SPARQL example {name!r}; known: {', '.join(_load())}") from None
