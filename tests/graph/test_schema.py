"""`govplat schema`: what an analyst needs to write Cypher, the same on both stores."""
from __future__ import annotations

import json

import pytest

from graph.schema import describe
from tests.conftest import run_cli


def _schema(home, *args):
    proc = run_cli("schema", *args, "--json", env={"GOVPLAT_HOME": str(home), "GOVPLAT_STORE": "embedded"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_schema_lists_classes_pairs_and_properties(bundled_home):
    doc = _schema(bundled_home)
    classes = {c["class"]: c for c in doc["classes"]}
    # An abstract class counts its subclasses; a concrete one names its superclasses.
    assert classes["Demand"]["abstract"] and classes["Demand"]["count"] == sum(
        classes[c]["count"] for c in ("BlockingOrder", "InformationRequest", "OtherDemand", "RemovalRequest"))
    assert "GovernmentBody" in classes["Regulator"]["superclasses"]
    # Relationship types with the class pairs that actually occur.
    pairs = {(r["type"], r["from"], r["to"]): r["count"] for r in doc["relationships"]}
    assert pairs[("OPERATES", "Company", "Platform")] > 0
    assert not any(f == "Platform" for (t, f, _d) in pairs if t == "OPERATES")
    # Properties with types, lists marked.
    props = {p["name"]: p for p in classes["Conflict"]["properties"]}
    assert props["startDate"]["type"] == "date" and not props["startDate"]["list"]
    assert props["sources"]["list"]


def test_schema_of_one_class_and_a_misspelt_one(bundled_home):
    doc = _schema(bundled_home, "Platform")
    assert [c["class"] for c in doc["classes"]] == ["Platform"]
    assert all("Platform" in (r["from"], r["to"]) for r in doc["relationships"])
    proc = run_cli("schema", "platform", env={"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"})
    assert proc.returncode == 1 and "did you mean Platform" in proc.stderr


@pytest.mark.neo4j
def test_schema_is_the_same_on_neo4j(embedded_bundled, neo4j_bundled):
    a, b = describe(embedded_bundled), describe(neo4j_bundled)
    assert {**a, "store": ""} == {**b, "store": ""}
    assert describe(embedded_bundled, "Demand") == {**describe(neo4j_bundled, "Demand"), "store": "ladybug"}


@pytest.mark.neo4j
@pytest.mark.parametrize("query, column", [("CALL db.labels()", "label"),
                                           ("CALL db.relationshipTypes()", "relationshipType"),
                                           ("CALL db.propertyKeys()", "propertyKey")])
def test_catalogue_procedures_answer_as_on_neo4j(embedded_bundled, neo4j_bundled, query, column):
    mine = {r[column] for r in embedded_bundled.run_user(query).rows}
    theirs = {r[column] for r in neo4j_bundled.run_user(query).rows}
    assert mine and mine <= theirs
    # Neo4j keeps a name once created, even when its data is gone (a server reused across
    # ontology versions); any name only Neo4j lists must be such a leftover, unused by the data.
    for name in theirs - mine:
        used = {"label": f"MATCH (n:`{name}`) RETURN count(n) AS n",
                "relationshipType": f"MATCH ()-[r:`{name}`]->() RETURN count(r) AS n",
                "propertyKey": f"MATCH (n) WHERE n.`{name}` IS NOT NULL RETURN count(n) AS n"}[column]
        assert neo4j_bundled.run(used).rows[0]["n"] == 0, name
