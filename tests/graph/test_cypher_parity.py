"""An analyst's Neo4j Cypher gives the same rows on the embedded store (tests/graph/cypher_corpus.yaml).

Every query of the corpus runs unchanged on a real Neo4j and on the embedded store (through
graph/cypher/dialect.py); the rows must be equal. The refused ones must fail on the embedded store with
a message naming the construct, never answer differently.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from graph.errors import QueryError
from graph.model import plain

CORPUS = yaml.safe_load((Path(__file__).parent / "cypher_corpus.yaml").read_text(encoding="utf-8"))
QUERIES = {q["name"]: q for q in CORPUS["queries"]}


def _key(x) -> str:
    return json.dumps(x, sort_keys=True, default=str)


def _unordered(value):
    if isinstance(value, list):
        return sorted((_unordered(v) for v in value), key=_key)
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    return value


def _rows(result, exact: bool):
    rows = [plain(r) for r in result.rows]
    return rows if exact else sorted((_unordered(r) for r in rows), key=_key)


def test_the_corpus_covers_what_analysts_write():
    assert len(QUERIES) >= 40
    text = " ".join(q["cypher"] for q in QUERIES.values())
    for construct in ("count(", "OPTIONAL MATCH", "EXISTS {", ":Demand", ":GovernmentBody", ":Event", "[0]",
                      ".year", "|Company", "labels(", "type(", "*1..", "toLower("):
        assert construct in text, construct


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_rows_on_both_engines(embedded_bundled, neo4j_bundled, name):
    q = QUERIES[name]
    neo = neo4j_bundled.run_user(q["cypher"], q.get("params"))
    emb = embedded_bundled.run_user(q["cypher"], q.get("params"))
    assert emb.columns == neo.columns
    assert neo.rows, f"{name}: no rows on Neo4j, so the comparison proves nothing"
    assert _rows(emb, q.get("exact", False)) == _rows(neo, q.get("exact", False))


@pytest.mark.parametrize("case", CORPUS["refused"], ids=lambda c: c["cypher"].strip()[:40])
def test_untranslatable_constructs_are_refused_by_name(embedded_bundled, case):
    with pytest.raises(QueryError) as info:
        embedded_bundled.run_user(case["cypher"])
    assert case["message"] in str(info.value)


def test_abstract_classes_match_the_union_of_their_subclasses(embedded_bundled):
    # ontology.ttl promises it "in the stores"; a user's (g:GovernmentBody) counts every kind of body.
    counts = embedded_bundled.counts()["entities"]
    bodies = sum(counts.get(c, 0) for c in embedded_bundled.onto.concrete_subclasses("GovernmentBody"))
    assert embedded_bundled.run_user("MATCH (g:GovernmentBody) RETURN count(g) AS n").rows == [{"n": bodies}]
    assert embedded_bundled.run_user("MATCH (n) RETURN count(n) AS n").rows == [{"n": sum(counts.values())}]


def test_db_labels_on_the_embedded_store(embedded_bundled):
    labels = {r["label"] for r in embedded_bundled.run_user("CALL db.labels()").rows}
    assert {"Platform", "GovernmentBody", "Demand", "Entity"} <= labels
    types = embedded_bundled.run_user("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType")
    assert {"MADE_BY", "OPERATES"} <= {r["relationshipType"] for r in types.rows}


def test_translation_keeps_strings_and_comments(embedded_bundled):
    # A class name inside a string or a comment is text, not a pattern.
    res = embedded_bundled.run_user("MATCH (p:Platform {id: 'twitter'}) // (x:Demand) labels(x)[0]\n"
                                    "RETURN '(d:Demand) [0]' AS s, p.id AS id")
    assert res.rows == [{"s": "(d:Demand) [0]", "id": "twitter"}]


# The registry's named queries, as written for Neo4j, through the dialect on the embedded store:
# the same rows as the registry's own rendering (graph/queries). Three use constructs the embedded
# engine refuses (neighbourhood: a date parameter inside all(), refused with the way round it).
NAMED_REFUSED = {"all_paths": "reduce()", "shortest_path": "shortestPath()", "neighbourhood": "bind it first"}


def _named():
    from graph.queries import registry

    return [q.name for q in registry()]


@pytest.mark.parametrize("name", _named())
def test_named_queries_neo4j_text_runs_on_the_embedded_store(embedded_bundled, name):
    from graph.queries import registry

    q = registry().get(name)
    example = {p.name: p.example for p in q.params if p.example is not None}
    neo4j_text = q.render("neo4j", embedded_bundled.onto)  # as Neo4j runs it (CLASS_OF expanded)
    if name in NAMED_REFUSED:
        with pytest.raises(QueryError, match=NAMED_REFUSED[name].replace("(", r"\(").replace(")", r"\)")):
            embedded_bundled.run_user(neo4j_text, q.bind(example))
        return
    mine = embedded_bundled.run_user(neo4j_text, q.bind(example), max_rows=100_000)
    theirs = embedded_bundled.run_named(name, example)
    assert mine.columns == theirs.columns
    assert _rows(mine, False) == _rows(theirs, False)


def test_a_parameter_inside_all_is_refused_with_the_form_that_runs(embedded_bundled):
    inside = ("MATCH p = (a:Entity {id: 'alt-uscis'})-[*1..2]-(b:Entity) "
              "WHERE all(n IN nodes(p) WHERE n.validFrom IS NULL OR n.validFrom <= $day) RETURN count(*) AS n")
    with pytest.raises(QueryError, match="bind it first"):
        embedded_bundled.run_user(inside, {"day": "2020-01-01"})
    bound = "WITH date($day) AS day " + inside.replace("<= $day", "<= day")
    assert embedded_bundled.run_user(bound, {"day": "2020-01-01"}).rows[0]["n"] > 0
