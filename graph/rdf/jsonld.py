"""JSON-LD: the published ``@context`` (generated from the ontology) and node objects.

``graph/rdf/context.jsonld`` is the context published with the data (the SPARQL endpoint serves
it at ``/context.jsonld``); it is generated from ``ontology.ttl`` by :func:`build_context`
and a test keeps the file equal to it, so it never drifts from the ontology. Classes are
plain names through ``@vocab`` (``"@type": "Agency"``), entity ids are ``gpid:<id>``, each
datatype property is a term typed with its XSD range (a ``@set`` when multi-valued) and each
relation a term whose values are IRIs.

A node object is made from one subject's (predicate, object) pairs: a value the term's
definition describes uses the term; any other value is written in expanded form under the
predicate's compact IRI, so nothing is lost whatever triples come in (CONSTRUCT results too).

>>> from graph.rdf.terms import IRI, Lit
>>> node_object(IRI("https://w3id.org/govplat/id/us-cbp"),
...             [(IRI("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), IRI("https://w3id.org/govplat/ontology#Agency")),
...              (IRI("https://w3id.org/govplat/ontology#name"), Lit("CBP"))])
{'@id': 'gpid:us-cbp', '@type': 'Agency', 'name': 'CBP'}
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from graph.ontology import GP, GP_ID, ontology
from graph.rdf.terms import DCTERMS, OWL, RDF, RDFS, WD, XSD, BNode, IRI, Lit, Quoted, datatype_of

__all__ = ["CONTEXT_PATH", "CONTEXT_URL", "build_context", "context", "node_object", "compact_iri"]

CONTEXT_PATH = Path(__file__).with_name("context.jsonld")
CONTEXT_URL = "https://w3id.org/govplat/context.jsonld"
_GP, _GP_ID = str(GP), str(GP_ID)
_XSD_STRING = XSD + "string"
_XSD_INTEGER, _XSD_BOOLEAN = XSD + "integer", XSD + "boolean"
_NATIVE = {XSD + "string", XSD + "integer", XSD + "boolean"}
# JSON-LD prefixes; "gpid" rather than "id", which is the term for gp:id.
_PREFIXES = {"gp": _GP, "gpid": _GP_ID, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
             "dcterms": DCTERMS, "wd": WD}


def build_context() -> dict:
    """The govplat JSON-LD context, from ontology.ttl."""
    onto = ontology()
    ctx: dict = {"@vocab": _GP, **_PREFIXES}
    for name, p in sorted(onto.properties.items()):
        if name == "sources":
            continue  # the stores' list; the RDF view links each source with gp:source (below)
        term: dict = {"@id": f"gp:{name}"}
        datatype = datatype_of(p, onto)
        if datatype not in _NATIVE:  # strings, integers and booleans are plain JSON values
            term["@type"] = "xsd:" + datatype[len(XSD):]
        if p.multi:
            term["@container"] = "@set"
        ctx[name] = term
    for rel in sorted(onto.relations.values(), key=lambda r: r.name):
        ctx[rel.name] = {"@id": f"gp:{rel.name}", "@type": "@id"}
    ctx["source"] = {"@id": "gp:source", "@type": "@id", "@container": "@set"}
    ctx["sameAs"] = {"@id": "owl:sameAs", "@type": "@id"}
    ctx["subject"] = {"@id": "rdf:subject", "@type": "@id"}
    ctx["predicate"] = {"@id": "rdf:predicate", "@type": "@id"}
    ctx["object"] = {"@id": "rdf:object", "@type": "@id"}
    return {"@context": ctx}


@lru_cache(maxsize=1)
def context() -> dict:
    """The context, built from the ontology (``graph/rdf/context.jsonld`` is its published copy)."""
    return build_context()


def write_context_file() -> None:
    """Regenerate graph/rdf/context.jsonld after ontology.ttl changes: ``python -m graph.rdf.jsonld``."""
    CONTEXT_PATH.write_text(json.dumps(build_context(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def _terms() -> tuple[dict, list]:
    """predicate IRI -> (term, coercion, is_set); prefixes longest first."""
    ctx = context()["@context"]
    prefixes = sorted(((k, v) for k, v in ctx.items() if isinstance(v, str) and not k.startswith("@")),
                      key=lambda kv: -len(kv[1]))
    by_iri = {}
    for term, spec in ctx.items():
        if not isinstance(spec, dict):
            continue
        iri = _expand(spec["@id"], ctx)
        coercion = spec.get("@type")
        if coercion is not None and not coercion.startswith("@"):
            coercion = _expand(coercion, ctx)
        by_iri[iri] = (term, coercion, spec.get("@container") == "@set")
    return by_iri, prefixes


def _expand(value: str, ctx: dict) -> str:
    if ":" in value:
        prefix, local = value.split(":", 1)
        if prefix in ctx and isinstance(ctx[prefix], str):
            return ctx[prefix] + local
    return value


def compact_iri(iri: str) -> str:
    _, prefixes = _terms()
    for prefix, ns in prefixes:
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if "/" not in local and "#" not in local and ":" not in local:
                return f"{prefix}:{local}"
    return iri


def _ref(term) -> str:
    if type(term) is BNode:
        return "_:" + term
    if type(term) is Quoted:
        raise ValueError("JSON-LD cannot carry RDF-star quoted triples")
    return compact_iri(term)


def _expanded(o) -> dict | str:
    if type(o) is IRI or type(o) is BNode:
        return {"@id": _ref(o)}
    if type(o) is Quoted:
        raise ValueError("JSON-LD cannot carry RDF-star quoted triples")
    if o.lang:
        return {"@value": o.lexical, "@language": o.lang}
    if o.datatype == _XSD_STRING:
        return o.lexical
    return {"@value": o.lexical, "@type": compact_iri(o.datatype)}


def _native(o: Lit):
    """A plain JSON value for a literal when JSON-LD reads it back as the same literal."""
    if o.lang is None and o.datatype == _XSD_STRING:
        return o.lexical
    if o.datatype == _XSD_BOOLEAN and o.lexical in ("true", "false"):
        return o.lexical == "true"
    if o.datatype == _XSD_INTEGER:
        try:
            value = int(o.lexical)
        except ValueError:
            return None
        if str(value) == o.lexical:
            return value
    return None


def node_object(subject, pos) -> dict:
    """One subject's (predicate, object) pairs as a compact JSON-LD node object."""
    by_iri, _ = _terms()
    obj: dict = {"@id": _ref(subject)}
    types: list[str] = []
    for p, o in pos:
        if p == RDF + "type" and type(o) is IRI:
            types.append(o[len(_GP):] if o.startswith(_GP) and "/" not in o[len(_GP):] else compact_iri(o))
            continue
        spec = by_iri.get(p)
        key, value, is_set = None, None, False
        if spec is not None:
            term, coercion, is_set = spec
            if coercion == "@id" and type(o) in (IRI, BNode):
                key, value = term, _ref(o)
            elif type(o) is Lit and not o.lang:
                if coercion is None:
                    native = _native(o)
                    if native is not None:
                        key, value = term, native
                elif coercion == o.datatype:
                    key, value = term, o.lexical
        if key is None:
            key, value, is_set = compact_iri(p), _expanded(o), False
        if key in obj:
            if not isinstance(obj[key], list):
                obj[key] = [obj[key]]
            obj[key].append(value)
        else:
            obj[key] = [value] if is_set else value
    if types:
        obj["@type"] = types[0] if len(types) == 1 else types
        obj = {"@id": obj["@id"], "@type": obj.pop("@type"), **{k: v for k, v in obj.items() if k != "@id"}}
    return obj


if __name__ == "__main__":  # pragma: no cover
    write_context_file()
    print(f"wrote {CONTEXT_PATH}")
