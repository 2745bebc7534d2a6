"""The named-query registry: every query text lives in the YAML files beside this module.

Besides its text, a query may declare (all optional):

* for each parameter, ``kind: id`` (an entity id, checked to exist) or ``kind: code`` (an ISO
  3166 code in capitals, checked to exist), and an ``example`` for its help;
* ``precision: {column: column}``: the column holding each date column's datePrecision, so
  dates print as ``2025-01`` or ``2005`` rather than a made-up first day;
* ``internal: [column, ...]``: columns that exist only to order or compute (``sort_key``);
* ``limit: PARAM``: the parameter that caps the rows, so a result cut by it says so;
* ``needs: [Class, ...]`` and ``sources: [source, ...]``: classes the query reads and the
  sources that load them, so an empty answer on a store without them says which source to
  load instead of printing an empty table.

* ``HOLDS(var)`` in its text: the query reads the graph as of a date. It then takes the
  parameters of ``params.yaml`` (``as_of``, or ``from``/``to`` for a range), and ``HOLDS(var)``
  keeps the records whose stored valid time (``validFrom``/``validTo``, graph/valid_time.py)
  holds on ``as_of`` or at some day from ``from`` to ``to``; with none of them, everything.
  Put it on every node the answer shows and on every relationship it follows: a relationship
  holds while both its ends hold and within its own validFrom/validTo when the case format
  states them (HOLDS(r) on a relationship variable reads those). On a variable-length path
  every node and relationship must hold (paths.yaml says how each engine writes that); with
  from/to each holds at some day of the range, not necessarily the same one.

A query is written once in the Cypher both engines run. A class in a node pattern
(``(d:Demand)``) is rendered per engine: Neo4j stores every superclass as a label, so the
text runs as written; Ladybug has one label per node, so the class becomes the union of its
concrete subclasses (``(d:InformationRequest:RemovalRequest:...)``). Where an engine needs
another form, the query holds ``cypher_ladybug`` / ``cypher_neo4j`` side by side and a test
proves both return the same rows.
"""
from __future__ import annotations

import datetime as dt
import difflib
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
_SHARED = "params.yaml"  # parameters several queries share (as_of, from, to)
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
    kind: str | None = None  # id | code | None (free value)

    def cast(self, value: Any) -> Any:
        try:
            return _CASTS[self.type](value)
        except (ValueError, TypeError) as exc:
            form = " (YYYY-MM-DD)" if self.type == "date" else ""
            raise QueryError(f"parameter {self.name!r} must be a {self.type}{form}: {value!r} ({exc})") from None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    cypher: str
    forms: dict[str, str] = field(default_factory=dict)  # engine -> engine-specific text
    file: str = ""
    precision: dict[str, str] = field(default_factory=dict)  # date column -> its precision column
    internal: tuple[str, ...] = ()
    limit: str | None = None  # the parameter that caps the rows
    needs: tuple[str, ...] = ()  # classes the query reads
    sources: tuple[str, ...] = ()  # ingest sources that load them

    @property
    def hidden(self) -> set[str]:
        """Columns a person never sees: precision companions and internal helpers."""
        return set(self.internal) | set(self.precision.values())

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def example_command(self) -> str:
        args = "".join(f" -p {p.name}={p.example if p.example is not None else p.default}"
                       for p in self.params if p.example is not None or (p.required and p.default is None))
        return f"govplat query {self.name}{args}"

    @property
    def timed(self) -> bool:
        """Takes ``as_of`` / ``from`` / ``to`` (its text uses ``HOLDS(var)``)."""
        return any("HOLDS(" in t for t in (self.cypher, *self.forms.values()))

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            hints = [f"{u!r} (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(u, known, n=1)) else repr(u)
                     for u in sorted(unknown)]
            raise QueryError(f"query {self.name!r} has no parameter {', '.join(hints)}; "
                             f"it takes: {', '.join(sorted(known)) or 'none'} (govplat query {self.name} --help)")
        bound = {}
        for p in self.params:
            if p.name in values and values[p.name] is not None:
                bound[p.name] = p.cast(values[p.name])
            elif p.default is not None or not p.required:
                bound[p.name] = p.cast(p.default) if p.default is not None else None
            else:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.description})")
        return _bind_time(self, bound) if self.timed else bound

    def render(self, engine: str, onto: Ontology) -> str:
        text = render_holds(render_class_of(self.forms.get(engine, self.cypher), engine, onto))
        return render_classes(text, onto) if engine == "ladybug" else text

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "kind": p.kind, "description": p.description,
                            "required": p.required and p.default is None, "default": p.default,
                            "example": p.example} for p in self.params],
                "example": self.example_command(),
                "engines": sorted({"ladybug", "neo4j"} | set(self.forms))}


# ---------------------------------------------------------------------------- as of a date
_TIME_PARAMS = ("as_of", "from", "to")
_HOLDS = re.compile(r"\bHOLDS\((\w+)\)")


def render_holds(text: str) -> str:
    """``HOLDS(n)``: n's valid interval meets [$valid_since, $valid_until] (an unknown start is
    always before, an unknown end still holds); the same text on both engines."""
    return _HOLDS.sub(lambda m: f"(({m[1]}.validFrom IS NULL OR {m[1]}.validFrom <= $valid_until) AND "
                                f"({m[1]}.validTo IS NULL OR {m[1]}.validTo >= $valid_since))", text)


def _bind_time(query: "NamedQuery", bound: dict[str, Any]) -> dict[str, Any]:
    """as_of / from / to as the two dates HOLDS compares with; no date reads the whole graph."""
    as_of, since, until = (bound.pop(k, None) for k in _TIME_PARAMS)
    if as_of is not None and (since is not None or until is not None):
        raise QueryError(f"query {query.name!r}: give as_of (one day) or from/to (a range), not both")
    if as_of is not None:
        since = until = as_of
    if since is not None and until is not None and since > until:
        raise QueryError(f"query {query.name!r}: from ({since}) is after to ({until})")
    return {**bound, "valid_since": since or dt.date.min, "valid_until": until or dt.date.max}


_CLASS_OF = re.compile(r"\bCLASS_OF\((\w+)\)")


def render_class_of(text: str, engine: str, onto: Ontology) -> str:
    """``CLASS_OF(n)``: the node's concrete class, as one string on both engines (Ladybug has one
    label per node; Neo4j keeps the superclasses too, so the most specific label is picked)."""
    if "CLASS_OF(" not in text:
        return text
    if engine == "ladybug":
        return _CLASS_OF.sub(r"label(\1)", text)
    order = sorted(onto.concrete_classes(), key=lambda c: (-len(onto.ancestors(c)), c))
    listed = ", ".join(f"'{c}'" for c in order)
    return _CLASS_OF.sub(lambda m: f"head([c IN [{listed}] WHERE c IN labels({m.group(1)})])", text)


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
            close = difflib.get_close_matches(name, list(self.queries), n=3)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            raise QueryError(f"no named query {name!r}; {hint}`govplat query --list` shows them") from None

    def __iter__(self):
        return iter(sorted(self.queries.values(), key=lambda q: q.name))


def _param(name: str, spec: dict) -> Param:
    return Param(name, spec.get("type", "string"), spec.get("description", ""), spec.get("default"),
                 spec.get("required", True), spec.get("example"), spec.get("kind"))


def load(directory: Path = _DIR) -> Registry:
    queries: dict[str, NamedQuery] = {}
    shared = yaml.safe_load((directory / _SHARED).read_text(encoding="utf-8")) if (directory / _SHARED).exists() else {}
    time_params = tuple(_param(n, shared[n]) for n in _TIME_PARAMS if n in shared)
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("sparql_") or path.name == _SHARED:
            continue  # SPARQL examples (graph/sparql/examples.py) and shared parameters, not queries
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            name = item["name"]
            if name in queries:
                raise QueryError(f"{path.name}: query {name!r} is defined twice")
            params = tuple(_param(pname, spec) for pname, spec in (item.get("params") or {}).items())
            forms = {k.removeprefix("cypher_"): v for k, v in item.items() if k.startswith("cypher_")}
            if any("HOLDS(" in t for t in (item.get("cypher", ""), *forms.values())):
                if len(time_params) != len(_TIME_PARAMS):
                    raise QueryError(f"{path.name}: query {name!r} uses HOLDS() but {_SHARED} does not define "
                                     f"{', '.join(_TIME_PARAMS)}")
                params += time_params
            queries[name] = NamedQuery(name, item["description"], params, item.get("cypher", ""), forms, path.name,
                                       dict(item.get("precision") or {}), tuple(item.get("internal") or ()),
                                       item.get("limit"), tuple(item.get("needs") or ()),
                                       tuple(item.get("sources") or ()))
            bad = [p.name for p in params if p.kind not in (None, "id", "code")]
            if bad or (queries[name].limit and queries[name].limit not in {p.name for p in params}):
                raise QueryError(f"{path.name}: query {name!r}: kind must be id or code ({bad}); "
                                 f"limit must name a parameter")
    return Registry(queries)


@lru_cache(maxsize=1)
def registry() -> Registry:
    return load()


# ---------------------------------------------------------------------------- answers that cannot be right
_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def _run(store, text: str, params: dict) -> list[dict]:
    if store.engine == "ladybug":
        text = render_classes(text, store.onto)
    return store.run(text, params).rows


def check_arguments(store, query: NamedQuery, bound: dict[str, Any]) -> None:
    """Refuse an argument that can only give an empty answer: an id no entity has, a country
    code not written in capitals or that no jurisdiction has. Raises QueryError saying so."""
    for p in query.params:
        value = bound.get(p.name)
        if value is None or p.kind is None or (p.default is not None and value == p.cast(p.default)):
            continue
        if p.kind == "code":
            if not _CODE.match(str(value)):
                hint = f"; did you mean {str(value).upper()!r}?" if _CODE.match(str(value).upper()) else ""
                raise QueryError(f"parameter {p.name!r}: {value!r} is not a country code: write ISO 3166-1 "
                                 f"alpha-2 codes in capitals, e.g. US{hint}")
            if not _run(store, "MATCH (j:Jurisdiction {countryCode: $code}) RETURN j.id AS id LIMIT 1", {"code": value}):
                raise QueryError(f"parameter {p.name!r}: no country or jurisdiction with code {value!r} in the store")
        elif p.kind == "id":
            if _run(store, "MATCH (n:Entity {id: $id}) RETURN n.id AS id", {"id": value}):
                continue
            near = _run(store, "MATCH (n:Entity) WHERE n.id STARTS WITH $start RETURN n.id AS id LIMIT 5000",
                        {"start": str(value)[:2]})
            close = difflib.get_close_matches(str(value), [r["id"] for r in near], n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else \
                "; find ids with `govplat query search -p text=...`"
            raise QueryError(f"parameter {p.name!r}: no entity with id {value!r} in the store{hint}")


def why_empty(store, query: NamedQuery) -> str | None:
    """When a query found nothing because the store lacks the data it reads: a sentence saying so."""
    if not query.needs:
        return None
    counts = store.counts()["entities"]
    onto = store.onto
    missing = [c for c in query.needs if not any(counts.get(s) for s in onto.concrete_subclasses(c))]
    if not missing:
        return None
    load = f"; load {' or '.join(query.sources)} (`govplat ingest --list`)" if query.sources else ""
    return (f"query {query.name!r} reads {', '.join(missing)} records and the store has none{load}")
