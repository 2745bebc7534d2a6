"""SPARQL query results as text, written row by row: JSON, XML, CSV and TSV
(W3C SPARQL 1.1 Query Results formats), plus content negotiation.

A writer's ``head`` / ``row`` / ``tail`` return strings so a server can stream a result and
stop at a row cap. Terms are :mod:`graph.rdf.terms` values.

>>> from graph.rdf.terms import IRI, Lit
>>> w = RESULT_WRITERS["csv"](["s", "n"])
>>> w.head() + w.row([IRI("https://w3id.org/govplat/id/x"), Lit("a, b")]) + w.tail(False)
's,n\\r\\nhttps://w3id.org/govplat/id/x,"a, b"\\r\\n'
"""
from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as _xml_escape, quoteattr

from graph.csv_cells import spreadsheet_safe
from graph.rdf.terms import RDF, XSD, BNode, IRI, Lit, Quoted, nt

__all__ = ["RESULT_WRITERS", "RESULT_MEDIA", "GRAPH_MEDIA", "negotiate", "FORMAT_ALIASES", "parse_accept"]

_XSD_STRING = XSD + "string"
_LANGSTRING = RDF + "langString"


# ---------------------------------------------------------------------------- JSON
def _json_term(t) -> dict:
    if type(t) is IRI:
        return {"type": "uri", "value": str(t)}
    if type(t) is BNode:
        return {"type": "bnode", "value": str(t)}
    if type(t) is Lit:
        out = {"type": "literal", "value": t.lexical}
        if t.lang:
            out["xml:lang"] = t.lang
        elif t.datatype != _XSD_STRING:
            out["datatype"] = t.datatype
        return out
    if type(t) is Quoted:
        return {"type": "triple", "value": {"subject": _json_term(t.s), "predicate": _json_term(t.p),
                                            "object": _json_term(t.o)}}
    raise TypeError(f"not a term: {t!r}")


class JsonResults:
    media_type = "application/sparql-results+json"

    def __init__(self, variables: list[str]):
        self.variables = variables
        self._first = True

    def head(self) -> str:
        return '{"head": {"vars": ' + json.dumps(self.variables) + '},\n "results": {"bindings": ['

    def row(self, values: list) -> str:
        binding = {v: _json_term(t) for v, t in zip(self.variables, values) if t is not None}
        text = ("\n  " if self._first else ",\n  ") + json.dumps(binding, ensure_ascii=False)
        self._first = False
        return text

    def tail(self, truncated: bool, cap: int | None = None) -> str:
        extra = f',\n "govplat": {{"truncated": true, "row_cap": {cap}}}' if truncated else ""
        return "\n ]}" + extra + "}\n"

    @staticmethod
    def boolean(value: bool) -> str:
        return json.dumps({"head": {}, "boolean": bool(value)}) + "\n"


# ---------------------------------------------------------------------------- XML
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    # Characters XML 1.0 cannot carry at all are replaced (U+FFFD); everything else is escaped.
    return _xml_escape(_XML_INVALID.sub("\ufffd", text))


def _xml_term(t) -> str:
    if type(t) is IRI:
        return f"<uri>{_x(t)}</uri>"
    if type(t) is BNode:
        return f"<bnode>{_x(t)}</bnode>"
    if type(t) is Lit:
        if t.lang:
            return f"<literal xml:lang={quoteattr(t.lang)}>{_x(t.lexical)}</literal>"
        if t.datatype != _XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype)}>{_x(t.lexical)}</literal>"
        return f"<literal>{_x(t.lexical)}</literal>"
    if type(t) is Quoted:
        return (f"<triple><subject>{_xml_term(t.s)}</subject><predicate>{_xml_term(t.p)}</predicate>"
                f"<object>{_xml_term(t.o)}</object></triple>")
    raise TypeError(f"not a term: {t!r}")


class XmlResults:
    media_type = "application/sparql-results+xml"
    _open = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'

    def __init__(self, variables: list[str]):
        self.variables = variables

    def head(self) -> str:
        vs = "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables)
        return f"{self._open}<head>{vs}</head>\n<results>\n"

    def row(self, values: list) -> str:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(self.variables, values) if t is not None)
        return f"<result>{cells}</result>\n"

    def tail(self, truncated: bool, cap: int | None = None) -> str:
        note = f"<!-- truncated at the row cap of {cap} rows -->\n" if truncated else ""
        return f"</results>\n{note}</sparql>\n"

    @classmethod
    def boolean(cls, value: bool) -> str:
        return f"{cls._open}<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"


# ---------------------------------------------------------------------------- CSV / TSV
def _csv_cell(t) -> str:
    if t is None:
        return ""
    if type(t) is Lit:
        text = t.lexical
    elif type(t) is BNode:
        text = "_:" + t
    elif type(t) is Quoted:
        text = nt(t)
    else:
        text = str(t)
    text = spreadsheet_safe(text)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


class CsvResults:
    media_type = "text/csv; charset=utf-8"

    def __init__(self, variables: list[str]):
        self.variables = variables

    def head(self) -> str:
        return ",".join(_csv_cell(Lit(v)) for v in self.variables) + "\r\n"

    def row(self, values: list) -> str:
        return ",".join(_csv_cell(t) for t in values) + "\r\n"

    def tail(self, truncated: bool, cap: int | None = None) -> str:
        return ""

    @staticmethod
    def boolean(value: bool) -> str:
        return f"_askResult\r\n{'true' if value else 'false'}\r\n"


def _tsv_cell(t) -> str:
    if t is None:
        return ""
    if type(t) is Lit and not t.lang and t.datatype in (XSD + "integer", XSD + "boolean") \
            and re.fullmatch(r"-?[0-9]+|true|false", t.lexical):
        return t.lexical
    if type(t) is Lit:  # the lexical form, not the quoted term, is what a spreadsheet evaluates
        t = Lit(spreadsheet_safe(t.lexical), t.datatype, t.lang)
    return nt(t).replace("\t", "\\t")


class TsvResults:
    media_type = "text/tab-separated-values; charset=utf-8"

    def __init__(self, variables: list[str]):
        self.variables = variables

    def head(self) -> str:
        return "\t".join("?" + v for v in self.variables) + "\n"

    def row(self, values: list) -> str:
        return "\t".join(_tsv_cell(t) for t in values) + "\n"

    def tail(self, truncated: bool, cap: int | None = None) -> str:
        return ""

    @staticmethod
    def boolean(value: bool) -> str:
        return f"?_askResult\n{'true' if value else 'false'}\n"


RESULT_WRITERS = {"json": JsonResults, "xml": XmlResults, "csv": CsvResults, "tsv": TsvResults}
RESULT_MEDIA = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA = {
    "text/turtle": "ttl", "application/x-turtle": "ttl", "application/ld+json": "jsonld",
    "application/json": "jsonld", "application/n-triples": "nt", "text/plain": "nt",
}
# ?format= values people type (and some clients send).
FORMAT_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
                  "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld", "nt": "nt",
                  "ntriples": "nt", "n-triples": "nt"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first."""
    out = []
    for i, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":  # parameter names are case-insensitive (RFC 9110 5.6.6)
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = min(1.0, max(0.0, q)) if q == q else 0.0  # qvalues lie in [0, 1]; NaN counts as 0
        out.append((media, q, -i))
    out.sort(key=lambda m: (-m[1], m[0].count("*"), -m[2]))
    return [(m, q) for m, q, _ in out]


def negotiate(accept: str | None, offers: dict[str, str], default: str) -> str | None:
    """The offered format the Accept header likes best; ``default`` for */* or no header;
    None when the client accepts none of the offers.

    A format named by the header (any of its media types) takes the best q given to them; else
    the most specific wildcard matching its first media type, the one served (RFC 9110 12.5.1).
    So ``application/sparql-results+json;q=0, */*;q=0.1`` refuses JSON and takes another offer."""
    ranges: dict[str, float] = {}
    for media, q in parse_accept(accept):
        ranges.setdefault(media or "*/*", q)  # parse_accept ranks best first; keep the first q given
    by_format: dict[str, list[str]] = {}
    for media, fmt in offers.items():
        by_format.setdefault(fmt, []).append(media)

    def quality(medias: list[str]) -> float:
        named = [ranges[m] for m in medias if m in ranges]
        if named:
            return max(named)
        served = medias[0]
        return next((ranges[r] for r in (served.split("/", 1)[0] + "/*", "*/*") if r in ranges), 0.0)

    # The default format first, so */* alone picks it; then the others in the order offered.
    best, best_q = None, 0.0
    for fmt in sorted(by_format, key=lambda f: f != default):
        q = quality(by_format[fmt])
        if q > best_q:
            best, best_q = fmt, q
    return best