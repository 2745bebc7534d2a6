"""The SPARQL examples give the same answers as the Cypher named queries they mirror."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from graph.sparql import examples as sparql_examples
from graph.model import Node
from graph.ontology import ontology
from graph.queries import registry
from graph.rdf.terms import datatype_of
from graph.rdf.view import literal

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sparql-examples.md"


def _plain(value):
    """A Cypher value as the lexical text SPARQL gives back (lists sorted)."""
    if value is None:
        return None
    if isinstance(value, list):  # an empty list is no value, as GROUP_CONCAT over nothing gives
        return sorted(_plain(v) for v in value if v is not None) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _cypher_rows(store, example, params):
    result = store.run_named(example.mirrors, params)
    hidden = registry().get(example.mirrors).hidden  # sort keys and date precisions: not part of the answer
    if example.mirrors != "entity":
        return [{k: _plain(v) for k, v in row.items() if k not in hidden} for row in result.rows]
    onto, out = ontology(), []
    for row in result.rows:
        node = row["entity"]
        assert isinstance(node, Node)
        for name, value in node.props.items():
            if name in ("id", "uri") or value is None:
                continue
            prop = onto.prop(name)
            for v in value if isinstance(value, list) else [value]:
                out.append({"property": name, "value": literal(v, prop.kind, datatype_of(prop, onto)).lexical})
    return out


def _rows(rows, columns):
    return sorted((tuple(r.get(c) for c in columns) for r in rows), key=repr)


@pytest.fixture(scope="module")
def bundled_store(bundled_home):
    from graph.stores.embedded import EmbeddedStore

    with EmbeddedStore(bundled_home / "graph.lbdb", read_only=True) as store:
        yield store


def test_there_are_thirteen_examples_each_mirroring_a_named_query():
    names = {q.name for q in registry()}
    examples = sparql_examples.examples()
    assert len(examples) == 13
    assert all(e.mirrors in names for e in examples)


@pytest.mark.parametrize("name", [e.name for e in sparql_examples.examples()])
def test_sparql_example_answers_like_its_cypher_query(name, bundled_store, endpoint):
    example = sparql_examples.get(name)
    params = example.defaults()
    cypher = _cypher_rows(bundled_store, example, {k: v for k, v in params.items()})
    sparql = example.rows(endpoint.select(example.bind(params)))
    assert cypher, f"{name}: the Cypher query found nothing on the bundled data; pick a better example value"
    columns = list(cypher[0])
    assert set(columns) == set(sparql[0]) | {c for c in columns if any(r.get(c) is None for r in cypher)}
    assert _rows(sparql, columns) == _rows(cypher, columns)


def test_the_docs_show_every_example():
    text = DOCS.read_text(encoding="utf-8")
    for example in sparql_examples.examples():
        assert f"`{example.name}`" in text
        assert re.sub(r"\s+", " ", example.sparql.strip()) in re.sub(r"\s+", " ", text), example.name
