"""The RDF view of govplat records, derived through the ontology, written as a stream.

Mapping (every name comes from ``ontology.ttl``):

* an entity is the resource ``https://w3id.org/govplat/id/<id>``, typed with its class
  (``gp:<Class>``) and that class's ``gp:`` superclasses (as Neo4j labels are); each datatype property becomes a literal typed with the property's XSD
  range (one triple per value of a multi-valued property); each source that supports it is a
  link ``gp:source <https://w3id.org/govplat/id/<source-id>>`` (a Source supports itself and
  says nothing of it: the stores' ``sources`` list of a Source is its own id);
  a Wikidata id is also ``owl:sameAs wd:Q…``; the name is also ``rdfs:label`` and the
  description, written in govplat's own words and so in English, also
  ``dcterms:description "…"@en`` (language tags are given only where the language is known);
* a relationship is one triple ``<from> gp:<relation> <to>``; its sources (``gp:source`` links)
  and ``role`` are kept on a statement about that triple: an ``rdf:Statement`` named
  ``https://w3id.org/govplat/id/rel/<from>/<TYPE>/<to>`` (``relations="reified"``, the default)
  or an RDF-star annotation ``<< <from> gp:<relation> <to> >> gp:role "…"`` (``"rdf-star"``);
* in the quad formats (TriG, N-Quads) the default graph holds all of the above, and each
  record's triples are repeated in one named graph per source that supports it, named
  ``https://w3id.org/govplat/id/graph/<source-id>``; the default graph says of each such graph
  ``prov:wasDerivedFrom <https://w3id.org/govplat/id/<source-id>>``, so
  ``GRAPH ?g { ?s ?p ?o } ?g prov:wasDerivedFrom id:some-source`` is everything that source supports.

Exports stream: records are turned into triples as they are read from the store and written
at once, so memory stays flat however large the graph (Turtle and TriG group per subject).

>>> import io
>>> from graph.model import Entity
>>> buf = io.BytesIO()
>>> write([Entity("us-cbp", "Agency", {"name": "CBP"}, ["src-a"])], [], "nt", buf)
8
>>> b'<https://w3id.org/govplat/id/us-cbp> <https://w3id.org/govplat/ontology#name> "CBP" .' in buf.getvalue()
True
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from rdflib import OWL as _OWL, RDF as _RDF, Graph, Literal, Namespace, URIRef, BNode as _RBNode

from graph.errors import GovplatError
from graph.model import Entity, Relation, entity_uri
from graph.ontology import GP, GP_ID, Ontology, ontology
from graph.rdf.terms import DATATYPE, DCTERMS, OWL, RDF, RDFS, WD, XSD, BNode, IRI, Lit, Quoted, datatype_of
from graph.rdf.write import writer_for

__all__ = ["FORMATS", "RELATION_MODES", "Format", "entity_triples", "relation_triples", "to_graph", "write",
           "entity_statements", "property_statements",
           "groups", "quads", "node", "source_graph", "SOURCE_GRAPH", "statement", "literal", "TEXT_LANGUAGE",
           "ExportError"]

WD_NS = Namespace(WD)
TEXT_LANGUAGE = "en"  # govplat's own prose (gp:description, "in govplat's own words") is English
RELATION_MODES = ("reified", "rdf-star")
_WIKIDATA_ID = re.compile(r"^[QPL][1-9][0-9]*$")

A = IRI(RDF + "type")
_STATEMENT = IRI(RDF + "Statement")
_SUBJECT, _PREDICATE, _OBJECT = IRI(RDF + "subject"), IRI(RDF + "predicate"), IRI(RDF + "object")
_SAME_AS = IRI(OWL + "sameAs")
_LABEL = IRI(RDFS + "label")
_DESCRIPTION = IRI(DCTERMS + "description")
_GP = str(GP)
_GP_ID = str(GP_ID)
_SOURCE = IRI(_GP + "source")
_DERIVED_FROM = IRI("http://www.w3.org/ns/prov#wasDerivedFrom")
SOURCE_GRAPH = _GP_ID + "graph/"  # + source id: the named graph of what one source supports
ONTOLOGY_GRAPH = "https://w3id.org/govplat/ontology"  # ontology.ttl, where a dataset carries it
_ID = IRI(_GP + "id")
_IN_SCHEME = IRI("http://www.w3.org/2004/02/skos/core#inScheme")
_STATED = {"month": XSD + "gYearMonth", "year": XSD + "gYear"}  # datePrecision -> datatype as stated


class ExportError(GovplatError):
    """An export cannot be written as asked (unknown format, option the format cannot carry)."""


@dataclass(frozen=True)
class Format:
    name: str           # CLI name
    label: str
    media_type: str
    extension: str
    quads: bool         # named graphs (one per source)
    rdf_star: bool      # can carry RDF-star annotations


FORMATS: dict[str, Format] = {
    "ttl": Format("ttl", "Turtle", "text/turtle", ".ttl", False, True),
    "nt": Format("nt", "N-Triples", "application/n-triples", ".nt", False, True),
    "jsonld": Format("jsonld", "JSON-LD", "application/ld+json", ".jsonld", False, False),
    "trig": Format("trig", "TriG", "application/trig", ".trig", True, True),
    "nq": Format("nq", "N-Quads", "application/n-quads", ".nq", True, True),
}


# ---------------------------------------------------------------------------- terms
def node(entity_id: str) -> URIRef:
    """The rdflib URI of an entity (kept for callers that build rdflib graphs)."""
    return URIRef(entity_uri(entity_id))


def _node(entity_id: str) -> IRI:
    return IRI(_GP_ID + entity_id)


def statement(rel: Relation) -> URIRef:
    return URIRef(_statement(rel))


def _statement(rel: Relation) -> IRI:
    return IRI(f"{_GP_ID}rel/{rel.src}/{rel.type}/{rel.dst}")


def _double(value: float) -> str:
    """The canonical xsd:double lexical form (what JSON-LD produces too): 1.5 -> 1.5E0."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    mantissa, exponent = f"{value:.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def _decimal(value) -> str:
    """A canonical-ish xsd:decimal lexical form (never an exponent): 0.85, 3.0, -1.5."""
    text = format(decimal.Decimal(repr(float(value)) if isinstance(value, float) else str(value)), "f")
    if "." not in text:
        text += ".0"
    return text


def literal(value, kind: str, datatype: str | None = None) -> Lit:
    """A stored value as a literal of the property's XSD datatype (``datatype`` = the declared
    range when it differs from the kind's usual one: xsd:anyURI strings, xsd:decimal numbers,
    xsd:gYear integers)."""
    if datatype == XSD + "anyURI":
        return Lit(str(value), datatype)
    if datatype == XSD + "gYear":
        return Lit(f"{int(value):04d}", datatype)
    if datatype == XSD + "decimal":
        return Lit(_decimal(value), datatype)
    if kind == "string":
        return Lit(str(value))
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        text = value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()
        return Lit(text, DATATYPE["date"])
    if kind == "bool":
        if isinstance(value, str):
            value = value.strip().lower() in ("true", "1")
        return Lit("true" if value else "false", DATATYPE["bool"])
    if kind == "int":
        return Lit(str(int(value)), DATATYPE["int"])
    if kind == "float":
        return Lit(_double(float(value)), DATATYPE["float"])
    raise ValueError(f"unknown value kind {kind!r}")


_PLANS: dict[int, tuple[Ontology, dict]] = {}


def _plan(onto: Ontology) -> dict:
    """Per-class property order and relation IRIs, computed once per ontology."""
    cached = _PLANS.get(id(onto))
    if cached is not None and cached[0] is onto:
        return cached[1]
    _PLANS[id(onto)] = (onto, plan := _make_plan(onto))
    return plan


def _make_plan(onto: Ontology) -> dict:
    props = {cls: [p for p in onto.properties_of(cls) if p.name not in ("id", "uri", "sources")]
             for cls in onto.classes}
    return {
        "props": props,
        "datatype": {name: datatype_of(p, onto) for name, p in onto.properties.items()},
        "class_iri": {cls: IRI(_GP + cls) for cls in onto.classes},
        # The class and its gp: superclasses, as Neo4j keeps them as labels: `?x a gp:Event` then
        # finds every event without a reasoner (import keeps the most specific class).
        "types": {cls: [IRI(_GP + c) for c in (cls, *onto.ancestors(cls))] for cls in onto.classes},
        "prop_iri": {name: IRI(str(p.uri)) for name, p in onto.properties.items()},
        "rel_iri": {t: IRI(str(r.uri)) for t, r in onto.relations.items()},
        # classes whose instances are concepts of a scheme (gp:conceptClass): LegalDoctrine
        "in_scheme": {c: IRI(str(scheme)) for scheme, cls in onto.graph.subject_objects(GP.conceptClass)
                      for c in onto.subclasses(str(cls)[len(_GP):])},
        "concepts": {},  # (property, class or relationship type) -> (gp:<p>Concept, {notation: IRI}) or None
        # gp:dateAsStated and its kin: the date at the precision its sources state
        "as_stated": {name: IRI(_GP + name + "AsStated") for name in onto.properties
                      if (GP[name + "AsStated"], None, None) in onto.graph},
    }


# ---------------------------------------------------------------------------- records -> triples
def entity_statements(e: Entity, onto: Ontology | None = None) -> list[tuple]:
    """(predicate, object) pairs of one entity, in a stable order."""
    onto = onto or ontology()
    plan = _plan(onto)
    if e.cls not in plan["class_iri"]:
        onto.cls(e.cls)  # raises OntologyError naming the known classes
    pos: list[tuple] = [(A, c) for c in plan["types"][e.cls]]
    pos.append((_ID, Lit(e.id)))
    if e.cls in plan["in_scheme"]:
        pos.append((_IN_SCHEME, plan["in_scheme"][e.cls]))
    pos.extend((_SOURCE, _node(src)) for src in e.sources if src != e.id)  # a Source does not cite itself
    props = plan["props"][e.cls]
    known = {p.name for p in props}
    extra = sorted(n for n in e.props if n not in known and n not in ("id", "uri", "sources"))
    if extra:  # outside the class's domain: still exported (SHACL judges it), unknown names raise
        props = [*props, *(onto.prop(n) for n in extra)]
    precision = e.props.get("datePrecision")
    for p in props:
        value = e.props.get(p.name)
        if value is None or value == []:
            continue
        pos.extend(property_statements(onto, e.cls, p, value, precision))
    return pos


def property_statements(onto: Ontology, cls: str, p, value, precision: str | None = None) -> list[tuple]:
    """(predicate, object) pairs one value (or list of values) of property ``p`` gives an entity
    of class ``cls`` whose ``datePrecision`` is ``precision``; ``value`` is not None nor []."""
    plan = _plan(onto)
    pos: list[tuple] = []
    iri, datatype = plan["prop_iri"][p.name], plan["datatype"][p.name]
    for v in (value if isinstance(value, (list, tuple)) else [value]):
        if v is not None:
            pos.append((iri, literal(v, p.kind, datatype)))
    stated = plan["as_stated"].get(p.name) if precision in _STATED else None
    if stated is not None and not isinstance(value, (list, tuple)):
        day = literal(value, "date").lexical
        pos.append((stated, Lit(day[:7] if precision == "month" else day[:4], _STATED[precision])))
    concept = _concept(onto, plan, p.name, cls, value)
    if concept is not None:
        pos.append(concept)
    if p.name == "wikidata" and _WIKIDATA_ID.match(str(value)):
        pos.append((_SAME_AS, IRI(WD + str(value))))
    elif p.name == "name":
        pos.append((_LABEL, Lit(str(value))))
    elif p.name == "description":
        pos.append((_DESCRIPTION, Lit(str(value), RDF + "langString", TEXT_LANGUAGE)))
    return pos


def _concept(onto: Ontology, plan: dict, prop: str, on: str, value) -> tuple | None:
    """``(gp:<prop>Concept, concept IRI)`` for a value a SKOS scheme controls on a class or
    relationship type, else None (the value was checked against the scheme at ingest)."""
    key = (prop, on)
    if key not in plan["concepts"]:
        vocab = onto.vocabulary_for(prop, on)
        link = IRI(_GP + prop + "Concept")
        plan["concepts"][key] = (link, {n: IRI(c.iri) for n, c in vocab.concepts.items()}) \
            if vocab is not None and (GP[prop + "Concept"], None, None) in onto.graph else None
    found = plan["concepts"][key]
    if found is None or not isinstance(value, str) or value not in found[1]:
        return None
    return found[0], found[1][value]


def relation_statements(r: Relation, onto: Ontology | None = None, mode: str = "reified") -> list[tuple]:
    """Subject groups ``(subject, [(p, o), ...])`` of one relationship: the triple itself, then
    the statement about it that carries its sources and role."""
    onto = onto or ontology()
    plan = _plan(onto)
    if r.type not in plan["rel_iri"]:
        onto.relation(r.type)  # raises OntologyError naming the known types
    s, p, o = _node(r.src), plan["rel_iri"][r.type], _node(r.dst)
    notes: list[tuple] = [(_SOURCE, _node(src)) for src in r.sources]
    for name in sorted(r.props):
        value = r.props[name]
        if value is None or name == "sources":
            continue
        prop = onto.prop(name)
        for v in (value if isinstance(value, (list, tuple)) else [value]):
            notes.append((plan["prop_iri"][name], literal(v, prop.kind, plan["datatype"][name])))
        concept = _concept(onto, plan, name, r.type, value)
        if concept is not None:
            notes.append(concept)
    if mode == "rdf-star":
        return [(s, [(p, o)]), (Quoted(s, p, o), notes)]
    if mode != "reified":
        raise ExportError(f"unknown relations mode {mode!r}; use one of {', '.join(RELATION_MODES)}")
    return [(s, [(p, o)]),
            (_statement(r), [(A, _STATEMENT), (_SUBJECT, s), (_PREDICATE, p), (_OBJECT, o), *notes])]


def groups(entities: Iterable[Entity], relations: Iterable[Relation] = (), *, mode: str = "reified",
           named_graphs: bool = False, onto: Ontology | None = None) -> Iterator[tuple]:
    """Every record as ``(graph, subject, [(p, o), ...])`` groups, streaming.

    ``graph`` is None for the default graph; with ``named_graphs`` each group is repeated in
    the named graph of every source of its record.
    """
    onto = onto or ontology()
    graphs: set[str] = set()  # source ids whose named graph is already linked to its source

    def graph_of(src: str) -> Iterator[tuple]:
        g = source_graph(src)
        if src not in graphs:
            graphs.add(src)
            yield None, g, [(_DERIVED_FROM, _node(src))]

    for e in entities:
        pos = entity_statements(e, onto)
        s = _node(e.id)
        yield None, s, pos
        if named_graphs:
            for src in e.sources:
                yield from graph_of(src)
                yield source_graph(src), s, pos
    for r in relations:
        subject_groups = relation_statements(r, onto, mode)
        for s, pos in subject_groups:
            yield None, s, pos
        if named_graphs:
            for src in r.sources:
                yield from graph_of(src)
                g = source_graph(src)
                for s, pos in subject_groups:
                    yield g, s, pos


def source_graph(source_id: str) -> IRI:
    """The IRI of the named graph holding what one source supports."""
    return IRI(SOURCE_GRAPH + source_id)


def quads(entities: Iterable[Entity], relations: Iterable[Relation] = (), *, mode: str = "reified",
          named_graphs: bool = True, onto: Ontology | None = None) -> Iterator[tuple]:
    """Every statement as ``(s, p, o, g)`` (g None for the default graph)."""
    for g, s, pos in groups(entities, relations, mode=mode, named_graphs=named_graphs, onto=onto):
        for p, o in pos:
            yield s, p, o, g



# ---------------------------------------------------------------------------- rdflib compatibility
def _to_rdflib(term):
    if type(term) is IRI:
        return URIRef(term)
    if type(term) is Lit:
        if term.lang:
            return Literal(term.lexical, lang=term.lang)
        if term.datatype == XSD + "string":
            return Literal(term.lexical)
        return Literal(term.lexical, datatype=URIRef(term.datatype))
    if type(term) is BNode:
        return _RBNode(term)
    raise TypeError(f"rdflib has no form for {term!r}")


def entity_triples(e: Entity, onto: Ontology | None = None) -> Iterator[tuple]:
    """The entity's triples as rdflib terms (SHACL validation builds an rdflib graph of them)."""
    s = node(e.id)
    for p, o in entity_statements(e, onto):
        yield s, URIRef(p), _to_rdflib(o)


def relation_triples(r: Relation, onto: Ontology | None = None) -> Iterator[tuple]:
    """The relationship's triples (reified form) as rdflib terms."""
    for s, pos in relation_statements(r, onto, "reified"):
        for p, o in pos:
            yield _to_rdflib(s), URIRef(p), _to_rdflib(o)


def to_graph(entities: Iterable[Entity], relations: Iterable[Relation] = ()) -> Graph:
    """An rdflib Graph of the records (small data only: exports stream instead)."""
    onto = ontology()
    g = Graph()
    g.bind("gp", GP)
    g.bind("id", GP_ID)
    g.bind("owl", _OWL)
    g.bind("rdf", _RDF)
    g.bind("wd", WD_NS)
    for e in entities:
        for t in entity_triples(e, onto):
            g.add(t)
    for r in relations:
        for t in relation_triples(r, onto):
            g.add(t)
    return g


# ---------------------------------------------------------------------------- writing
def write(entities: Iterable[Entity], relations: Iterable[Relation], fmt: str, out: IO[bytes], *,
          relations_mode: str = "reified", with_ontology: bool = False) -> int:
    """Serialise records to ``out`` as they come; returns the number of statements written
    (triples, or quads in TriG/N-Quads). ``with_ontology`` (TriG/N-Quads) adds ontology.ttl in
    the named graph ONTOLOGY_GRAPH, as the SPARQL endpoint holds it."""

    info = FORMATS.get(fmt)
    if info is None:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if relations_mode not in RELATION_MODES:
        raise ExportError(f"unknown relations mode {relations_mode!r}; use one of {', '.join(RELATION_MODES)}")
    if relations_mode == "rdf-star" and not info.rdf_star:
        raise ExportError(f"{info.label} cannot carry RDF-star annotations; use --relations reified "
                          "or another format (ttl, nt, trig, nq)")
    if with_ontology and not info.quads:
        raise ExportError(f"{info.label} has no named graphs to carry the ontology in; use trig or nq")
    w = writer_for(fmt, out)
    w.start()
    for g, s, pos in groups(entities, relations, mode=relations_mode, named_graphs=info.quads):
        w.group(g, s, pos)
    w.finish()
    return w.count + (_write_ontology_graph(fmt, out) if with_ontology else 0)


def _write_ontology_graph(fmt: str, out: IO[bytes]) -> int:
    import pyoxigraph as ox

    from graph.ontology import ONTOLOGY_PATH

    g = ox.NamedNode(ONTOLOGY_GRAPH)
    quads = [ox.Quad(t.subject, t.predicate, t.object, g)
             for t in ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE)]
    ox.serialize(quads, out, ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG)
    return len(quads)
