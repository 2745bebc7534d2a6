"""The RDF view of govplat records, derived through the ontology.

Entities become resources ``https://w3id.org/govplat/id/<id>`` typed with their class;
datatype properties become typed literals (one triple per value of a multi-valued property);
Wikidata ids also become ``owl:sameAs``. A relationship becomes one triple, and its sources
and role are kept on an ``rdf:Statement`` that reifies it, named
``https://w3id.org/govplat/id/rel/<from>/<TYPE>/<to>``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import IO

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef

from graph.model import Entity, Relation, entity_uri
from graph.ontology import GP, GP_ID, Ontology, ontology

__all__ = ["entity_triples", "relation_triples", "to_graph", "FORMATS", "write", "node", "statement"]

WD = Namespace("http://www.wikidata.org/entity/")
FORMATS = {"ttl": "turtle", "nt": "nt"}
_XSD = {"string": XSD.string, "date": XSD.date, "int": XSD.integer, "float": XSD.double, "bool": XSD.boolean}


def node(entity_id: str) -> URIRef:
    return URIRef(entity_uri(entity_id))


def statement(rel: Relation) -> URIRef:
    return URIRef(f"{GP_ID}rel/{rel.src}/{rel.type}/{rel.dst}")


def _literal(value, kind: str) -> Literal:
    if kind == "string":
        return Literal(str(value))
    if kind == "date" and isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return Literal(value, datatype=_XSD[kind])


def entity_triples(e: Entity, onto: Ontology | None = None) -> Iterator[tuple]:
    onto = onto or ontology()
    s = node(e.id)
    yield s, RDF.type, GP[e.cls]
    yield s, GP.id, _literal(e.id, "string")
    for src in e.sources:
        yield s, GP.sources, _literal(src, "string")
    for name, value in e.props.items():
        if value is None or name in ("id", "uri", "sources"):
            continue
        prop = onto.prop(name)
        for v in (value if isinstance(value, list) else [value]):
            yield s, prop.uri, _literal(v, prop.kind)
        if name == "wikidata":
            yield s, OWL.sameAs, WD[str(value)]


def relation_triples(r: Relation, onto: Ontology | None = None) -> Iterator[tuple]:
    onto = onto or ontology()
    s, p, o = node(r.src), onto.relation(r.type).uri, node(r.dst)
    yield s, p, o
    st = statement(r)
    yield st, RDF.type, RDF.Statement
    yield st, RDF.subject, s
    yield st, RDF.predicate, p
    yield st, RDF.object, o
    for src in r.sources:
        yield st, GP.sources, _literal(src, "string")
    for name, value in r.props.items():
        if value is not None:
            yield st, onto.prop(name).uri, _literal(value, onto.prop(name).kind)


def to_graph(entities: Iterable[Entity], relations: Iterable[Relation] = ()) -> Graph:
    onto = ontology()
    g = Graph()
    g.bind("gp", GP)
    g.bind("id", GP_ID)
    g.bind("owl", OWL)
    for e in entities:
        for t in entity_triples(e, onto):
            g.add(t)
    for r in relations:
        for t in relation_triples(r, onto):
            g.add(t)
    return g


def write(entities: Iterable[Entity], relations: Iterable[Relation], fmt: str, out: IO[bytes]) -> int:
    """Serialise to ``out``; returns the number of triples."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    g = to_graph(entities, relations)
    out.write(g.serialize(format=FORMATS[fmt]).encode("utf-8"))
    return len(g)
