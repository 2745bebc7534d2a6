"""Every SPARQL example gives the same rows on Apache Jena Fuseki (loaded with our N-Quads export) as
on our endpoint: what a linked-data consumer gets from our dump in a production triple store.

Both datasets are the same quads: the export's default graph (which already holds every statement,
so neither side uses a union default graph), one named graph per source, and the ontology in
``<https://w3id.org/govplat/ontology>``. Rows are compared as multisets: the order of rows that tie
under ORDER BY, and of values in a GROUP_CONCAT list, is up to each engine.
"""
from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from decimal import Decimal, InvalidOperation

import pytest

from graph.sparql import examples as sparql_examples
from tests.linked_data.helpers import http_call

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}
EXAMPLES = sparql_examples.examples()


def select(url: str, query: str) -> dict:
    status, _, body = http_call(url, data=urllib.parse.urlencode({"query": query}).encode(), timeout=300,
                                headers={"Accept": "application/sparql-results+json",
                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, f"{url}: HTTP {status}: {body[:500]!r}"
    return json.loads(body)


def term(t: dict, is_list: bool):
    """A JSON result term as a comparable value: blank nodes are all alike (their labels are each
    engine's own), plain strings have no datatype, numbers compare by value, tags by lower case."""
    kind = t["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", t["value"])
    if kind == "triple":
        return ("triple", *(term(t["value"][k], False) for k in ("subject", "predicate", "object")))
    datatype = t.get("datatype")
    value = t["value"]
    if is_list:
        return ("list", tuple(sorted(v for v in value.split(sparql_examples.LIST_SEPARATOR) if v)))
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(value).normalize())
        except InvalidOperation:
            pass
    if datatype == XSD + "string":
        datatype = None
    return ("literal", value, datatype, (t.get("xml:lang") or "").lower())


def rows(result: dict, example) -> Counter:
    variables = result["head"]["vars"]
    return Counter(tuple((v, term(b[v], v in example.lists)) for v in variables if v in b)
                   for b in result["results"]["bindings"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_fuseki_gives_the_same_rows_as_our_endpoint(fuseki, endpoint, example):
    query = example.bind(example.defaults())
    theirs, ours = select(fuseki, query), select(endpoint.url + "/sparql", query)
    assert theirs["head"]["vars"] == ours["head"]["vars"]
    expected = rows(ours, example)
    assert expected, f"example {example.name!r} gives no rows on the bundled data: nothing is compared"
    got = rows(theirs, example)
    assert got == expected, (f"example {example.name!r}: only on Fuseki {list((got - expected).elements())[:3]}, "
                             f"only on ours {list((expected - got).elements())[:3]}")
