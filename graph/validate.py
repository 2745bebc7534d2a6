"""SHACL validation of a batch of records against shapes.ttl (plus datatype shapes generated
from ontology.ttl), before anything is written. Failures come back per record."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pyshacl import validate as shacl_validate
from rdflib import OWL, RDFS, BNode, Graph, Literal, Namespace, RDF, URIRef
from rdflib.collection import Collection

from graph.errors import ValidationError
from graph.model import Entity
from graph.ontology import GP, GP_ID, SHAPES_PATH, ontology
from graph.rdf.terms import IRI, XSD_STRING, Lit, datatype_of
from graph.settings import SHAPE_CHECK_MEMO_MAX
from graph.rdf.view import _to_rdflib, entity_statements, entity_triples, property_statements

__all__ = ["shapes_graph", "check_entities", "compiled_shapes", "prop_check", "PropCheck", "ShapeCheck", "SH"]

SH = Namespace("http://www.w3.org/ns/shacl#")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(SHAPES_PATH, format="turtle")
    onto = ontology()
    for p in onto.properties.values():
        if p.on_relation:
            continue  # sources are gp:source links in the RDF view (shapes.ttl checks them)
        shape = URIRef(f"https://w3id.org/govplat/shapes#datatype-{p.name}")
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetClass, GP[p.domain]))
        prop = BNode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, p.uri))
        g.add((prop, SH.datatype, URIRef(datatype_of(p, onto))))  # the declared rdfs:range
        if not p.multi:
            g.add((prop, SH.maxCount, Literal(1)))
    # Enumerated values of a class's property: sh:in from the ontology's SKOS concept schemes.
    for v in onto.vocabularies.values():
        if v.on_relation:
            continue  # relationship values are checked where relations are emitted (ingest.context)
        shape = URIRef(f"https://w3id.org/govplat/shapes#vocabulary-{v.name}")
        g.add((shape, RDF.type, SH.NodeShape))
        for on in v.on:
            g.add((shape, SH.targetClass, GP[on]))
        prop = BNode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, GP[v.prop]))
        members = BNode()
        Collection(g, members, [Literal(n) for n in v.concepts])
        g.add((prop, SH["in"], members))
        g.add((prop, SH.message, Literal(f"{v.prop} of a {' or '.join(v.on)} is one of the notations of gp:{v.name} in "
                                         f"ontology.ttl: {', '.join(v.concepts)}")))
    # Target each concrete class directly, so validation needs no subclass reasoning over the
    # ontology (3x faster than passing ont_graph; same results).
    for shape, cls in list(g.subject_objects(SH.targetClass)):
        name = str(cls).split("#")[-1]
        if name in onto.classes:
            g.remove((shape, SH.targetClass, cls))
            for concrete in onto.concrete_subclasses(name):
                g.add((shape, SH.targetClass, GP[concrete]))
    return g


def check_entities(entities: list[Entity]) -> dict[str, list[ValidationError]]:
    """Validate entities; returns {entity id: errors} for the ones that fail."""
    if not entities:
        return {}
    onto = ontology()
    sure = _certainly_conforming(entities, onto)
    entities = [e for e in entities if e.id not in sure]
    if not entities:
        return {}
    data = Graph()
    for e in entities:
        for t in entity_triples(e, onto):
            data.add(t)
    conforms, report, _ = shacl_validate(
        data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True)
    if conforms:
        return {}
    by_uri = {str(GP_ID) + e.id: e for e in entities}
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage) or "does not conform")
        e = by_uri.get(focus)
        if e is None:
            continue
        field = str(path).split("#")[-1] if isinstance(path, URIRef) else ""
        errors[e.id].append(ValidationError(message, where=e.origin, record=e.id, field=field))
    return dict(errors)


# ---------------------------------------------------------------------------- fast path
# pyshacl spends milliseconds per record, and bulk sources emit 100k records. The shapes are
# compiled once into checks of the few constraint components they use; a record whose own
# triples pass them all certainly conforms and skips pyshacl. Everything else - another
# component or target, a non-IRI path, a failed check - goes to pyshacl, which alone decides
# and words the errors. The compiled components look only at the focus node's own values,
# so validating the remaining records apart gives pyshacl's results for them unchanged.
_XSD_NS = Namespace("http://www.w3.org/2001/XMLSchema#")
_PY_TYPES = {_XSD_NS.string: str, _XSD_NS.anyURI: str, _XSD_NS.integer: int, _XSD_NS.decimal: Decimal,
             _XSD_NS.double: float, _XSD_NS.float: float, _XSD_NS.boolean: bool, _XSD_NS.date: dt.date}
_NOTES = {SH.message, SH.name, SH.description, SH.order, SH.group}
_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


class _Unsupported(Exception):
    pass


@dataclass(frozen=True)
class PropCheck:
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    pattern: re.Pattern | None = None
    min_length: int | None = None
    max_length: int | None = None
    allowed: frozenset | None = None  # Literal hashes agree with Literal equality
    has_value: object = None


@dataclass(frozen=True)
class ShapeCheck:
    targets: frozenset
    props: tuple
    alternatives: tuple  # sh:or lists: each a tuple of PropCheck, one of which must pass


def _int(g: Graph, node, pred) -> int | None:
    value = g.value(node, pred)
    return None if value is None else int(value)


def prop_check(g: Graph, node) -> PropCheck:
    allowed_preds = {RDF.type, SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.pattern, SH.flags,
                     SH.minLength, SH.maxLength, SH["in"], SH.hasValue, SH.severity, *_NOTES}
    for p, o in g.predicate_objects(node):
        if p not in allowed_preds or (p == SH.severity and o != SH.Violation):
            raise _Unsupported(str(p))
    path = g.value(node, SH.path)
    if not isinstance(path, URIRef):
        raise _Unsupported("path")
    flags = 0
    for ch in str(g.value(node, SH.flags) or ""):
        if ch not in _FLAGS:
            raise _Unsupported("flags")
        flags |= _FLAGS[ch]
    pattern = g.value(node, SH.pattern)
    members = g.value(node, SH["in"])
    return PropCheck(path, _int(g, node, SH.minCount), _int(g, node, SH.maxCount), g.value(node, SH.datatype),
                      re.compile(str(pattern), flags) if pattern is not None else None,
                      _int(g, node, SH.minLength), _int(g, node, SH.maxLength),
                      frozenset(Collection(g, members)) if members is not None else None,
                      g.value(node, SH.hasValue))


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[ShapeCheck, ...] | None:
    """The shapes as checks, or None when one uses something the fast path does not evaluate."""
    g = shapes_graph()
    node_preds = {RDF.type, SH.targetClass, SH.property, SH["or"], SH.severity, *_NOTES}
    out = []
    try:
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.targetClass, None))
        for other in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            if any(True for _ in g.subject_objects(other)):
                raise _Unsupported(str(other))
        for shape in shapes:
            if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
                raise _Unsupported("implicit class target")
            if g.value(shape, SH.path) is not None:  # a property shape with its own target
                props = [prop_check(g, shape)]
            else:
                for p, o in g.predicate_objects(shape):
                    if p not in node_preds or (p == SH.severity and o != SH.Violation):
                        raise _Unsupported(str(p))
                props = [prop_check(g, ps) for ps in g.objects(shape, SH.property)]
            alternatives = tuple(tuple(prop_check(g, alt) for alt in Collection(g, lst))
                                 for lst in g.objects(shape, SH["or"]))
            out.append(ShapeCheck(frozenset(g.objects(shape, SH.targetClass)), tuple(props), alternatives))
    except (_Unsupported, ValueError, TypeError):
        return None
    return tuple(out)


_LEXICAL = {_XSD_NS.gYear: re.compile(r"^-?[0-9]{4,}$")}  # datatypes rdflib keeps as text


def _value_ok(check: PropCheck, v) -> bool:
    if check.datatype in _LEXICAL:
        if not (isinstance(v, Literal) and v.datatype == check.datatype and _LEXICAL[check.datatype].match(str(v))):
            return False
    elif check.datatype is not None:
        if not isinstance(v, Literal) or getattr(v, "ill_typed", None) is True:
            return False
        dtype = v.datatype if v.datatype is not None else (_XSD_NS.string if v.language is None else None)
        py = _PY_TYPES.get(check.datatype)
        if dtype != check.datatype or py is None or not isinstance(v.value, py) or \
                (py is int and isinstance(v.value, bool)):
            return False
    if check.pattern is not None or check.min_length is not None or check.max_length is not None:
        if isinstance(v, BNode) or not _text_ok(check, str(v)):
            return False
    return check.allowed is None or v in check.allowed


def _text_ok(check: PropCheck, text: str) -> bool:
    """A value's text against the check's sh:pattern, sh:minLength and sh:maxLength."""
    return ((check.pattern is None or check.pattern.search(text) is not None)
            and (check.min_length is None or len(text) >= check.min_length)
            and (check.max_length is None or len(text) <= check.max_length))


def _applicable(checks: tuple[ShapeCheck, ...], rdf_types: frozenset, onto) -> tuple[tuple, tuple]:
    """The property checks and sh:or alternatives that target a record with these rdf:types
    (superclasses added, as pyshacl would find them with the ontology)."""
    types = set(rdf_types)
    for t in rdf_types:
        name = str(t).split("#")[-1]
        if str(t).startswith(str(GP)) and name in onto.classes:
            types.update(GP[a] for a in onto.ancestors(name))
    props = tuple(c for shape in checks if shape.targets & types for c in shape.props)
    alternatives = tuple(alts for shape in checks if shape.targets & types for alts in shape.alternatives)
    return props, alternatives


# A value's verdict depends on the value alone, and bulk records repeat most of their values
# (kinds, years, countries, counts): each value is judged once per set of checks, on the rdflib
# term pyshacl would see, and remembered. Bounded: cleared when it grows past this.
_VERDICTS_MAX = 500_000
_verdicts: dict[tuple, bool] = {}


@dataclass(frozen=True)
class _ClassChecks:
    """The checks that apply to one class, arranged so a record is checked by the predicates
    it has: counts per path, value checks per path, and the sh:or alternatives."""
    required: tuple  # (path, least number of values) of paths with sh:minCount
    at_most: dict  # path -> fewest sh:maxCount over the checks of that path
    value_checks: dict  # path -> the checks with a value constraint
    alternatives: tuple


@lru_cache(maxsize=None)
def _class_checks(rdf_types: frozenset) -> _ClassChecks:
    """Cached, so its check tuples live as long as the compiled shapes and key the verdicts."""
    props, alternatives = _applicable(compiled_shapes(), rdf_types, ontology())
    required: dict[str, int] = {}
    at_most: dict[str, int] = {}
    value_checks: dict[str, list] = defaultdict(list)
    for c in props:
        path = str(c.path)
        if c.min_count:
            required[path] = max(required.get(path, 0), c.min_count)
        if c.max_count is not None:
            at_most[path] = min(at_most.get(path, c.max_count), c.max_count)
        if c.datatype is not None or c.pattern is not None or c.min_length is not None or \
                c.max_length is not None or c.allowed is not None:
            value_checks[path].append(c)
    return _ClassChecks(tuple(required.items()), at_most, {p: tuple(cs) for p, cs in value_checks.items()},
                        alternatives)


_XSD_STRING = _XSD_NS.string  # an rdflib Namespace makes a new term on every attribute access
_PLAIN_MEMBERS: dict[int, tuple] = {}  # id(check) -> (check, the lexical forms of its plain-string sh:in members)


def _plain_members(check: PropCheck) -> frozenset:
    made = _PLAIN_MEMBERS.get(id(check))
    if made is None or made[0] is not check:
        made = _PLAIN_MEMBERS[id(check)] = (check, frozenset(
            str(m) for m in check.allowed if isinstance(m, Literal) and m.datatype is None and m.language is None))
    return made[1]


def _plain_ok(check: PropCheck, text: str) -> bool:
    """_value_ok for a plain string literal (xsd:string, no language), without making the rdflib
    term: most values a record has only once (ids, names, descriptions) are such strings."""
    if check.datatype is not None and check.datatype != _XSD_STRING:
        return False
    return _text_ok(check, text) and (check.allowed is None or text in _plain_members(check))


def _value_passes(checks: tuple, term) -> bool:
    if type(term) is Lit and term.lang is None and term.datatype == XSD_STRING:
        return all(_plain_ok(c, term.lexical) for c in checks)
    key = (id(checks), type(term), term)
    verdict = _verdicts.get(key)
    if verdict is None:
        if len(_verdicts) >= _VERDICTS_MAX:
            _verdicts.clear()
        value = _to_rdflib(term)
        verdict = _verdicts[key] = all(_value_ok(c, value) for c in checks)
    return verdict


def _prop_ok(check: PropCheck, values: dict) -> bool:
    """Whether a record's values (its graph.rdf_terms terms by predicate IRI) pass one check."""
    vals = values.get(str(check.path), ())
    if check.min_count is not None and len(vals) < check.min_count:
        return False
    if check.max_count is not None and len(vals) > check.max_count:
        return False
    if check.has_value is not None and str(check.has_value) not in {str(v) for v in vals}:
        return False
    if check.datatype is None and check.pattern is None and check.min_length is None and \
            check.max_length is None and check.allowed is None:
        return True  # no value constraint: _value_ok passes every value
    return all(_value_ok(check, _to_rdflib(v)) for v in vals)


@dataclass(frozen=True)
class _RecordPlan:
    """One class's checks arranged for records of that class: what every record of it states
    (its rdf:types, skos:inScheme; judged once), and per value of a property what that value
    states, judged once and remembered (``seen``) - a record is then the sum of its values."""
    checks: _ClassChecks
    head_ok: bool  # the statements every record of the class has pass their value checks
    head_counts: dict  # path -> how many of them; gp:id counts one (each record has its id)
    head_alternatives: dict  # path -> the terms of them the sh:or alternatives look at
    id_checks: tuple | None  # value checks of gp:id, run on each record's id
    source_checks: tuple | None  # ... of gp:source, on each source link
    props: dict  # property name -> ontology property of the class
    alternative_paths: frozenset
    alternative_terms: frozenset  # of those, the paths whose values (not only their number) are looked at
    seen: dict  # (property, value key, precision) -> (counts, alternative terms) or None (fails)


_ID_PATH, _SOURCE_PATH, _GP_ID = str(GP) + "id", str(GP) + "source", str(GP_ID)


_RECORD_PLANS: dict[str, tuple] = {}  # class -> (the ontology it was made with, its plan)


def _record_plan(onto, cls: str) -> _RecordPlan:
    made = _RECORD_PLANS.get(cls)
    if made is None or made[0] is not onto:
        made = _RECORD_PLANS[cls] = (onto, _make_record_plan(onto, cls))
    return made[1]


def _make_record_plan(onto, cls: str) -> _RecordPlan:
    head: dict[str, list] = defaultdict(list)
    for p, o in entity_statements(Entity("", cls, {}, []), onto):
        if str(p) != _ID_PATH:
            head[str(p)].append(o)
    plan = _class_checks(frozenset(URIRef(t) for t in head.get(str(RDF.type), ())))
    head_ok = all(_value_passes(plan.value_checks[p], o) for p, terms in head.items() if p in plan.value_checks
                  for o in terms)
    counts = {p: len(terms) for p, terms in head.items()}
    counts[_ID_PATH] = 1
    alternative_paths = frozenset(str(c.path) for alts in plan.alternatives for c in alts)
    return _RecordPlan(plan, head_ok, counts, {p: tuple(head[p]) for p in alternative_paths if p in head},
                       plan.value_checks.get(_ID_PATH), plan.value_checks.get(_SOURCE_PATH),
                       {p.name: p for p in onto.properties_of(cls) if p.name not in ("id", "uri", "sources")},
                       alternative_paths, frozenset(
                           str(c.path) for alts in plan.alternatives for c in alts
                           if c.has_value is not None or c.datatype is not None or c.pattern is not None or
                           c.min_length is not None or c.max_length is not None or c.allowed is not None), {})


_UNSEEN = object()


def _contribution(plan: _RecordPlan, onto, cls: str, prop, value, precision):
    """What one value of a property adds to a record: (path counts, terms the sh:or alternatives
    look at), or None when one of its statements fails a value check (or cannot be made);
    remembered in ``plan.seen`` under (name, type, value, precision) - the type tells 1, 1.0
    and True apart, as their statements do."""
    kind = type(value)
    try:
        key = (prop.name, kind, tuple((type(v), v) for v in value) if kind is list or kind is tuple else value, precision)
        hash(key)
    except TypeError:
        key = None
    try:
        statements = property_statements(onto, cls, prop, value, precision)
    except Exception:  # let pyshacl's path report whatever is wrong with it
        return None
    counts: dict[str, int] = defaultdict(int)
    alternatives: dict[str, list] = defaultdict(list)
    out = None
    for p, o in statements:
        path = str(p)
        checks = plan.checks.value_checks.get(path)
        if checks and not _value_passes(checks, o):
            break
        counts[path] += 1
        if path in plan.alternative_paths:
            alternatives[path].append(o)
    else:
        out = tuple(counts.items()), tuple((p, tuple(ts)) for p, ts in alternatives.items())
    if key is not None:
        if len(plan.seen) >= SHAPE_CHECK_MEMO_MAX:
            plan.seen.clear()
        plan.seen[key] = out
    return out


def _record_conforms(plan: _RecordPlan, e: Entity, onto) -> bool:
    """Whether a record's statements (graph.rdf.view.entity_statements) pass every compiled
    check of its class; a value outside the class's own properties is left to pyshacl."""
    if not plan.head_ok:
        return False
    if plan.id_checks and not all(_plain_ok(c, e.id) for c in plan.id_checks):  # an id is a plain string
        return False
    counts = dict(plan.head_counts)
    alternatives = {p: list(ts) for p, ts in plan.head_alternatives.items()}
    links = [s for s in e.sources if s != e.id]  # a Source does not cite itself
    if links:
        counts[_SOURCE_PATH] = counts.get(_SOURCE_PATH, 0) + len(links)
        if plan.source_checks or _SOURCE_PATH in plan.alternative_terms:
            terms = [IRI(_GP_ID + s) for s in links]
            if plan.source_checks and not all(_value_passes(plan.source_checks, t) for t in terms):
                return False
            alternatives.setdefault(_SOURCE_PATH, []).extend(terms)
        elif _SOURCE_PATH in plan.alternative_paths:  # only counted there
            alternatives.setdefault(_SOURCE_PATH, []).extend(links)
    precision = e.props.get("datePrecision")
    seen = plan.seen
    for name, value in e.props.items():
        if value is None or value == [] or name in ("id", "uri", "sources"):
            continue
        kind = type(value)
        try:
            found = seen.get((name, kind, tuple((type(v), v) for v in value) if kind is list or kind is tuple else value, precision),
                             _UNSEEN)
        except TypeError:  # an unhashable value
            found = _UNSEEN
        if found is _UNSEEN:
            prop = plan.props.get(name)
            if prop is None:
                return False
            found = _contribution(plan, onto, e.cls, prop, value, precision)
        if found is None:
            return False
        for path, n in found[0]:
            counts[path] = counts.get(path, 0) + n
        for path, terms in found[1]:
            alternatives.setdefault(path, []).extend(terms)
    checks = plan.checks
    for path, least in checks.required:
        if counts.get(path, 0) < least:
            return False
    for path, n in counts.items():
        most = checks.at_most.get(path)
        if most is not None and n > most:
            return False
    return all(any(_prop_ok(c, alternatives) for c in alts) for alts in checks.alternatives)


def _certainly_conforming(entities: list[Entity], onto) -> set[str]:
    """Ids of the entities that pass every compiled check (the rest need pyshacl)."""
    if compiled_shapes() is None:
        return set()
    sure = set()
    for e in entities:
        try:
            plan = _record_plan(onto, e.cls)
        except Exception:  # an unknown class: pyshacl's path reports it
            continue
        if _record_conforms(plan, e, onto):
            sure.add(e.id)
    return sure
