"""The ontology, loaded once from ``ontology.ttl``: the single list of classes and relations.

Every other module asks this one which classes exist, which are concrete, which
properties a class has and which relationship types join which classes.

>>> from graph.ontology import ontology
>>> ontology().relation("PART_OF").name
'partOf'
>>> "Agency" in ontology().concrete_subclasses("GovernmentBody")
True
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from graph.errors import OntologyError

__all__ = ["GP", "GP_ID", "ROOT", "Ontology", "Vocabulary", "Concept", "ontology", "ONTOLOGY_PATH", "SHAPES_PATH"]

ROOT = Path(__file__).resolve().parents[1]


def _beside_or_installed(name: str) -> Path:
    """A top-level file of the project: beside the packages in a checkout, under
    ``<prefix>/share/govplat`` when installed from a wheel (pyproject's data-files)."""
    here = ROOT / name
    return here if here.exists() else Path(sys.prefix) / "share" / "govplat" / name


ONTOLOGY_PATH = _beside_or_installed("ontology.ttl")
SHAPES_PATH = _beside_or_installed("shapes.ttl")
GP = Namespace("https://w3id.org/govplat/ontology#")
GP_ID = Namespace("https://w3id.org/govplat/id/")

# XSD datatype -> the value type stores and validators work with.
_XSD_KINDS = {
    XSD.string: "string",
    XSD.anyURI: "string",
    XSD.date: "date",
    XSD.integer: "int",
    XSD.decimal: "float",
    XSD.double: "float",
    XSD.boolean: "bool",
    XSD.gYear: "int",  # a year: an integer in the stores
}


def rel_type(local_name: str) -> str:
    """``partOf`` -> ``PART_OF``: the relationship type of an object property."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", local_name).upper()


@dataclass(frozen=True)
class ClassInfo:
    name: str
    label: str
    comment: str
    abstract: bool
    parents: tuple[str, ...]


@dataclass(frozen=True)
class DataProperty:
    name: str
    label: str
    comment: str
    kind: str  # string | date | int | float | bool
    multi: bool
    domain: str
    on_relation: bool

    @property
    def uri(self) -> URIRef:
        return GP[self.name]


@dataclass(frozen=True)
class Relation:
    name: str  # ontology local name, e.g. partOf
    type: str  # relationship type, e.g. PART_OF
    label: str
    comment: str
    domain: tuple[str, ...]
    range: tuple[str, ...]

    @property
    def uri(self) -> URIRef:
        return GP[self.name]


@dataclass(frozen=True)
class Concept:
    notation: str
    label: str
    definition: str
    side: str | None = None  # party roles: the notation of their gp:PartySides concept
    iri: str = ""  # the concept's IRI (gp:role-plaintiff...)


@dataclass(frozen=True)
class Vocabulary:
    """A SKOS concept scheme that controls one property on one relationship type or class."""
    name: str  # e.g. PartyRoles
    label: str
    comment: str
    prop: str  # the controlled datatype property, e.g. role
    on: tuple[str, ...]  # relationship types (PARTY_TO) or class names (Ruling, CourtCase)
    on_relation: bool
    concepts: dict[str, Concept]  # by notation

    def check(self, value) -> None:
        """Raise OntologyError when ``value`` is not one of the scheme's notations."""
        if value not in self.concepts:
            import difflib

            close = difflib.get_close_matches(str(value), list(self.concepts), n=1)
            raise OntologyError(
                f"{value!r} is not a {self.label[:-1] if self.label.endswith('s') else self.label} declared in "
                f"ontology.ttl (gp:{self.name})" + (f"; did you mean {close[0]!r}?" if close else "")
                + f"; use one of: {', '.join(self.concepts)}")


@dataclass
class Ontology:
    graph: Graph
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    properties: dict[str, DataProperty] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)  # by relationship type
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)  # SKOS schemes, by name
    # Answers of the lookups below, computed once: writers ask them per record.
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ classes
    def cls(self, name: str) -> ClassInfo:
        try:
            return self.classes[name]
        except KeyError:
            raise OntologyError(f"unknown class {name!r}; known: {', '.join(sorted(self.concrete_classes()))}") from None

    def ancestors(self, name: str) -> list[str]:
        """The class's superclasses inside the ontology, nearest first (excluding itself)."""
        return self._memoised(("ancestors", name), lambda: self._ancestors(name))

    def _memoised(self, key: tuple, compute) -> list:
        if key not in self._memo:
            self._memo[key] = compute()
        return list(self._memo[key])  # a copy: callers may change what they get

    def _ancestors(self, name: str) -> list[str]:
        out: list[str] = []
        todo = list(self.cls(name).parents)
        while todo:
            parent = todo.pop(0)
            if parent not in out:
                out.append(parent)
                todo.extend(self.classes[parent].parents)
        return out

    def is_a(self, name: str, ancestor: str) -> bool:
        return name == ancestor or ancestor in self.ancestors(name)

    def subclasses(self, name: str) -> list[str]:
        """The class and every class below it."""
        self.cls(name)
        return sorted(c for c in self.classes if self.is_a(c, name))

    def concrete_subclasses(self, name: str) -> list[str]:
        return [c for c in self.subclasses(name) if not self.classes[c].abstract]

    def concrete_classes(self) -> list[str]:
        return sorted(c for c, info in self.classes.items() if not info.abstract)

    # --------------------------------------------------------------- properties
    def prop(self, name: str) -> DataProperty:
        try:
            return self.properties[name]
        except KeyError:
            raise OntologyError(f"unknown property {name!r}") from None

    def properties_of(self, cls: str) -> list[DataProperty]:
        """Datatype properties a class has (its own and inherited), id first."""
        return self._memoised(("properties_of", cls), lambda: self._properties_of(cls))

    def _properties_of(self, cls: str) -> list[DataProperty]:
        lineage = {cls, *self.ancestors(cls)}
        # A property of relationships with a domain (sources, validFrom, validTo) is also the entity's.
        props = [p for p in self.properties.values() if p.domain in lineage]
        return sorted(props, key=lambda p: (p.name != "id", p.name))

    def uri_properties(self) -> frozenset[str]:
        """Names of the datatype properties whose range is xsd:anyURI."""
        key = ("uri_properties",)
        if key not in self._memo:  # a frozenset needs no defensive copy
            self._memo[key] = frozenset(name for name, p in self.properties.items()
                                        if self.graph.value(p.uri, RDFS.range) == XSD.anyURI)
        return self._memo[key]

    def relation_properties(self) -> list[DataProperty]:
        return sorted((p for p in self.properties.values() if p.on_relation), key=lambda p: p.name)

    def relation(self, rtype: str) -> Relation:
        try:
            return self.relations[rtype]
        except KeyError:
            raise OntologyError(
                f"unknown relation type {rtype!r}; known: {', '.join(sorted(self.relations))}"
            ) from None

    def allows(self, rtype: str, src_cls: str, dst_cls: str) -> bool:
        rel = self.relation(rtype)
        return any(self.is_a(src_cls, d) for d in rel.domain) and any(self.is_a(dst_cls, r) for r in rel.range)

    def endpoint_pairs(self, rtype: str) -> list[tuple[str, str]]:
        """Concrete (FROM, TO) class pairs a relationship type may join."""
        rel = self.relation(rtype)
        srcs = sorted({c for d in rel.domain for c in self.concrete_subclasses(d)})
        dsts = sorted({c for r in rel.range for c in self.concrete_subclasses(r)})
        return [(s, d) for s in srcs for d in dsts]

    # ------------------------------------------------------------ vocabularies
    def vocabulary_for(self, prop: str, on: str) -> Vocabulary | None:
        """The scheme controlling ``prop`` on a relationship type or on a class (or its superclasses)."""
        key = ("vocabulary_for", prop, on)
        if key not in self._memo:  # asked per value at ingest
            self._memo[key] = next((v for v in self.vocabularies.values() if v.prop == prop and (
                on in v.on or (not v.on_relation and on in self.classes
                               and any(self.is_a(on, c) for c in v.on)))), None)
        return self._memo[key]

    def most_specific(self, labels: set[str] | list[str]) -> str:
        """The concrete class among a node's labels (Neo4j stores superclasses too)."""
        known = [l for l in labels if l in self.classes]
        for name in known:
            if not any(other != name and self.is_a(other, name) for other in known):
                return name
        raise OntologyError(f"no ontology class among labels {sorted(labels)}")


def _local(uri: URIRef) -> str:
    text = str(uri)
    if not text.startswith(str(GP)):
        raise OntologyError(f"{text} is outside the govplat namespace")
    return text[len(str(GP)):]


def _classes_of(g: Graph, node) -> tuple[str, ...]:
    """A domain/range: one class or an owl:unionOf list of them."""
    union = g.value(node, OWL.unionOf)
    members = list(Collection(g, union)) if union is not None else [node]
    return tuple(_local(m) for m in members)


def _domain_of(g: Graph, p: URIRef) -> str:
    """A datatype property's domain class (``gp:storedOn`` for a relationship property entities
    carry too); "" for a relationship property (role, side...), which describes statements about
    relationships and so declares none."""
    domain = g.value(p, RDFS.domain) or g.value(p, GP.storedOn)  # storedOn: validFrom/validTo
    if domain is None:
        if g.value(p, GP.onRelation) != Literal(True):
            raise OntologyError(f"{p}: no rdfs:domain (only properties of relationships may omit it)")
        return ""
    return _local(domain)


def load(path: Path = ONTOLOGY_PATH) -> Ontology:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise OntologyError(f"{path}: cannot parse: {exc}") from exc
    onto = Ontology(graph=g)
    for c in g.subjects(RDF.type, OWL.Class):
        if not isinstance(c, URIRef) or not str(c).startswith(str(GP)):
            continue
        parents = tuple(_local(p) for p in g.objects(c, RDFS.subClassOf)
                        if isinstance(p, URIRef) and str(p).startswith(str(GP)))
        onto.classes[_local(c)] = ClassInfo(
            name=_local(c),
            label=str(g.value(c, RDFS.label) or ""),
            comment=str(g.value(c, RDFS.comment) or ""),
            abstract=g.value(c, GP.abstract) == Literal(True),
            parents=parents,
        )
    functional = set(g.subjects(RDF.type, OWL.FunctionalProperty))
    for p in g.subjects(RDF.type, OWL.DatatypeProperty):
        if not str(p).startswith(str(GP)):
            continue  # an outside term declared for OWL 2 DL (skos:notation): not a store property
        if g.value(p, GP.rdfView) == Literal(True):
            continue  # RDF view only (dates as stated): derived by the exporter, not stored
        rng = g.value(p, RDFS.range)
        if rng not in _XSD_KINDS:
            raise OntologyError(f"{p}: range {rng} is not a supported XSD datatype")
        onto.properties[_local(p)] = DataProperty(
            name=_local(p),
            label=str(g.value(p, RDFS.label) or ""),
            comment=str(g.value(p, RDFS.comment) or ""),
            kind=_XSD_KINDS[rng],
            multi=p not in functional,
            domain=_domain_of(g, p),
            on_relation=g.value(p, GP.onRelation) == Literal(True),
        )
    for p in g.subjects(RDF.type, OWL.ObjectProperty):
        if not str(p).startswith(str(GP)):
            continue  # an outside term declared for OWL 2 DL (skos:inScheme): not a relationship type
        if g.value(p, GP.rdfView) == Literal(True):
            continue  # RDF view only (gp:source): no relationship type in the stores
        name = _local(p)
        onto.relations[rel_type(name)] = Relation(
            name=name,
            type=rel_type(name),
            label=str(g.value(p, RDFS.label) or ""),
            comment=str(g.value(p, RDFS.comment) or ""),
            domain=_classes_of(g, g.value(p, RDFS.domain)),
            range=_classes_of(g, g.value(p, RDFS.range)),
        )
    _load_vocabularies(g, onto)
    for info in onto.classes.values():
        for parent in info.parents:
            if parent not in onto.classes:
                raise OntologyError(f"class {info.name}: unknown superclass {parent}")
    return onto


def _load_vocabularies(g: Graph, onto: Ontology) -> None:
    """SKOS concept schemes with gp:controls / gp:controlsOn: the enumerated values."""
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        prop, on = g.value(scheme, GP.controls), g.value(scheme, GP.controlsOn)
        if prop is None or on is None:
            continue
        name, prop_name = _local(scheme), _local(prop)
        if prop_name not in onto.properties:
            raise OntologyError(f"scheme {name}: gp:controls {prop_name} is not a datatype property")
        ons = sorted(_local(o) for o in g.objects(scheme, GP.controlsOn))  # one or more classes, or relationships
        on_relation = ons[0] not in onto.classes
        for on_name in ons:
            if (on_name not in onto.classes) != on_relation or (on_relation and rel_type(on_name) not in onto.relations):
                raise OntologyError(f"scheme {name}: gp:controlsOn {on_name} is not a class, or mixes classes "
                                    "and object properties")
        concepts = {}
        for c in sorted(g.subjects(SKOS.inScheme, scheme)):
            notation = g.value(c, SKOS.notation)
            if notation is None:
                raise OntologyError(f"concept {c} of {name} has no skos:notation")
            side = g.value(c, GP.partySide)
            concepts[str(notation)] = Concept(str(notation), str(g.value(c, SKOS.prefLabel) or notation),
                                              str(g.value(c, SKOS.definition) or ""),
                                              str(g.value(side, SKOS.notation)) if side is not None else None,
                                              str(c))
        onto.vocabularies[name] = Vocabulary(name, str(g.value(scheme, RDFS.label) or name),
                                             str(g.value(scheme, RDFS.comment) or ""), prop_name,
                                             tuple(rel_type(o) for o in ons) if on_relation else tuple(ons),
                                             on_relation, concepts)


@lru_cache(maxsize=1)
def ontology() -> Ontology:
    return load()
