"""A small RDF term model and its text forms (N-Triples, N-Quads, Turtle), for streaming.

The RDF view is written term by term rather than through a full rdflib ``Graph`` so that an
export's memory stays flat as the graph grows. Terms are cheap immutable values:

>>> from graph.rdf.terms import IRI, Lit, nt
>>> nt(IRI("https://w3id.org/govplat/id/us-cbp"))
'<https://w3id.org/govplat/id/us-cbp>'
>>> nt(Lit("2017-03-14", XSD + "date"))
'"2017-03-14"^^<http://www.w3.org/2001/XMLSchema#date>'
>>> nt(Lit('say "hi"\\n'))
'"say \\\\"hi\\\\"\\\\n"'
"""
from __future__ import annotations

import hashlib
import re
from typing import NamedTuple, Union

from rdflib import URIRef

from graph.ontology import Ontology, ontology

__all__ = ["IRI", "BNode", "Lit", "Quoted", "Term", "Quad", "XSD", "RDF", "RDFS", "OWL", "DCTERMS",
           "WD", "PREFIXES", "nt", "turtle", "escape_string", "from_ox", "to_ox",
           "DATATYPE", "datatype_of", "reifier_label"]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
WD = "http://www.wikidata.org/entity/"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"

# Prefixes every Turtle/TriG document and SPARQL result declares (order kept in output).
PREFIXES: dict[str, str] = {
    "gp": "https://w3id.org/govplat/ontology#",
    "id": "https://w3id.org/govplat/id/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "dcterms": DCTERMS,
    "wd": WD,
}


class IRI(str):
    """An IRI (absolute)."""

    __slots__ = ()


class BNode(str):
    """A blank node label (without ``_:``); labels are made only of [A-Za-z0-9_-]."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (xsd:string by default) and language tag."""

    lexical: str
    datatype: str = XSD_STRING
    lang: str | None = None


class Quoted(NamedTuple):
    """A quoted triple (RDF-star) / triple term (RDF 1.2)."""

    s: "Term"
    p: IRI
    o: "Term"


Term = Union[IRI, BNode, Lit, Quoted]
Quad = tuple  # (s, p, o, g) with g an IRI or None for the default graph

# ---------------------------------------------------------------------------- escaping
_STRING_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                   ord("\b"): "\\b", ord("\f"): "\\f"}
for _c in (*range(0x00, 0x20), 0x7F):
    _STRING_ESCAPES.setdefault(_c, f"\\u{_c:04X}")
# Characters that may not appear in an IRIREF: percent-encode them (a \u escape of them would
# still be an invalid IRI).
_IRI_ESCAPES = {c: f"%{c:02X}" for c in (*range(0x00, 0x21), *b'<>"{}|^`\\')}


_NEEDS_STRING_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]').search
_NEEDS_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]').search


def escape_string(text: str) -> str:
    return text.translate(_STRING_ESCAPES) if _NEEDS_STRING_ESCAPE(text) else text


def _iri(text: str) -> str:
    return "<" + (text.translate(_IRI_ESCAPES) if _NEEDS_IRI_ESCAPE(text) else text) + ">"


def nt(term: Term, *, star: str = "rdf12") -> str:
    """The N-Triples form of a term. ``star`` picks how a quoted triple is written:
    ``rdf12`` = ``<<( s p o )>>`` (RDF 1.2 triple term), ``cg`` = ``<< s p o >>`` (RDF-star CG)."""
    if type(term) is IRI:
        return _iri(term)
    if type(term) is Lit:
        text = '"' + escape_string(term.lexical) + '"'
        if term.lang:
            return text + "@" + term.lang
        if term.datatype != XSD_STRING:
            return text + "^^" + _iri(term.datatype)
        return text
    if type(term) is BNode:
        return "_:" + term
    if type(term) is Quoted:
        inner = f"{nt(term.s, star=star)} {nt(term.p)} {nt(term.o, star=star)}"
        return f"<<( {inner} )>>" if star == "rdf12" else f"<< {inner} >>"
    raise TypeError(f"not an RDF term: {term!r}")


# Turtle local names we are sure every parser (Raptor's older one included) reads: no escapes,
# no trailing dot.
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_SORTED_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_CANONICAL_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")


def turtle(term: Term, prefixes: list[tuple[str, str]] | None = None) -> str:
    """The Turtle form of a term, using prefixed names where the local part is safe."""
    if type(term) is IRI:
        for prefix, ns in (prefixes or _SORTED_PREFIXES):
            if term.startswith(ns):
                local = term[len(ns):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return _iri(term)
    if type(term) is Lit:
        text = '"' + escape_string(term.lexical) + '"'
        if term.lang:
            return text + "@" + term.lang
        dt = term.datatype
        if dt == XSD_STRING:
            return text
        if dt == XSD + "boolean" and term.lexical in ("true", "false"):
            return term.lexical
        if dt == XSD + "integer" and _CANONICAL_INT.match(term.lexical):
            return term.lexical
        return text + "^^" + turtle(IRI(dt), prefixes)
    if type(term) is BNode:
        return "_:" + term
    if type(term) is Quoted:
        return f"<< {turtle(term.s, prefixes)} {turtle(term.p, prefixes)} {turtle(term.o, prefixes)} >>"
    raise TypeError(f"not an RDF term: {term!r}")


# ---------------------------------------------------------------------------- pyoxigraph
def to_ox(term: Term):
    import pyoxigraph as ox

    if type(term) is IRI:
        return ox.NamedNode(term)
    if type(term) is Lit:
        if term.lang:
            return ox.Literal(term.lexical, language=term.lang)
        return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))
    if type(term) is BNode:
        return ox.BlankNode(term)
    if type(term) is Quoted:
        return ox.Triple(to_ox(term.s), to_ox(term.p), to_ox(term.o))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Lit(term.value, RDF_LANGSTRING, term.language)
        return Lit(term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        return Quoted(from_ox(term.subject), IRI(term.predicate.value), from_ox(term.object))
    raise TypeError(f"not an RDF term: {term!r}")


# The XSD datatype of each value kind of the ontology (a property's default when it declares no range).
DATATYPE = {"string": IRI(XSD + "string"), "date": IRI(XSD + "date"), "int": IRI(XSD + "integer"),
            "float": IRI(XSD + "double"), "bool": IRI(XSD + "boolean")}
_RDFS_RANGE = URIRef(RDFS + "range")


def datatype_of(prop, onto: Ontology | None = None) -> IRI:
    """The XSD datatype a property's values are written with: its declared ``rdfs:range``."""
    onto = onto or ontology()
    rng = onto.graph.value(prop.uri, _RDFS_RANGE)
    return IRI(str(rng)) if rng is not None else DATATYPE[prop.kind]


def reifier_label(s: str, p: str, o: str) -> BNode:
    """A stable blank-node label for the RDF 1.2 reifier of one relationship triple."""
    return BNode("r" + hashlib.blake2b(f"{s} {p} {o}".encode(), digest_size=10).hexdigest())
