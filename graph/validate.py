"""SHACL validation of a batch of records against shapes.ttl (plus datatype shapes generated
from ontology.ttl), before anything is written. Failures come back per record."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, RDF, URIRef

from graph.errors import ValidationError
from graph.model import Entity
from graph.ontology import GP, GP_ID, SHAPES_PATH, ontology
from graph.rdf import entity_triples, _XSD

__all__ = ["shapes_graph", "check_entities"]

SH = Namespace("http://www.w3.org/ns/shacl#")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(SHAPES_PATH, format="turtle")
    onto = ontology()
    for p in onto.properties.values():
        if p.on_relation and p.name != "sources":
            continue
        shape = URIRef(f"https://w3id.org/govplat/shapes#datatype-{p.name}")
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetClass, GP[p.domain]))
        prop = BNode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, p.uri))
        g.add((prop, SH.datatype, _XSD[p.kind]))
        if not p.multi:
            g.add((prop, SH.maxCount, Literal(1)))
    return g


def check_entities(entities: list[Entity]) -> dict[str, list[ValidationError]]:
    """Validate entities; returns {entity id: errors} for the ones that fail."""
    if not entities:
        return {}
    onto = ontology()
    data = Graph()
    for e in entities:
        for t in entity_triples(e, onto):
            data.add(t)
    conforms, report, _ = shacl_validate(
        data, shacl_graph=shapes_graph(), ont_graph=onto.graph, inference="none", allow_warnings=True)
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
