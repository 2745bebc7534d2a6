"""The CLI as a user meets it: help, JSON shapes, idempotent ingest, the first case by Cypher."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import cli_json, run_cli


@pytest.fixture(scope="module")
def env(bundled_home):
    return {"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"}


def test_help_explains_each_command():
    out = run_cli("--help", check=True).stdout
    for cmd in ["ingest", "stats", "query", "cypher", "export", "demo", "dashboard"]:
        assert cmd in out


def test_stats_json_shape_and_sixty_conflicts(env):
    code, doc = cli_json("stats", env=env)
    assert code == 0
    assert set(doc) == {"store", "entities", "relations", "total_entities", "total_relations", "conflicts"}
    assert doc["conflicts"] >= 60
    assert doc["total_entities"] == sum(doc["entities"].values())


def test_second_ingest_changes_nothing(bundled_home, tmp_path):
    # A copy: other tests keep the shared home open for reading, and a writer waits for readers.
    shutil.copytree(bundled_home, tmp_path / "home")
    env = {"GOVPLAT_HOME": str(tmp_path / "home"), "GOVPLAT_STORE": "embedded"}
    _, before = cli_json("stats", env=env)
    first = run_cli("export", "--format", "nt", env=env, check=True).stdout
    code, doc = cli_json("ingest", env=env)
    assert code == 0 and doc["ok"], doc
    _, after = cli_json("stats", env=env)
    second = run_cli("export", "--format", "nt", env=env, check=True).stdout
    assert before == after
    assert sorted(first.splitlines()) == sorted(second.splitlines())


def test_every_relation_names_a_source(env):
    code, doc = cli_json("cypher", "MATCH ()-[r]->() WHERE r.sources IS NULL OR size(r.sources) = 0 "
                                   "RETURN count(r) AS n", env=env)
    assert code == 0 and doc["rows"] == [{"n": 0}]
    assert set(doc) == {"query", "columns", "rows", "row_count", "truncated"}


def test_cypher_answers_the_first_case(env):
    code, doc = cli_json("cypher", """
        MATCH (k:CourtCase {docketNumber: '3:17-cv-01916'})
        MATCH (k)-[:CHALLENGES]->(d:InformationRequest)-[:MADE_BY]->(cbp:LawEnforcement)-[:PART_OF]->(dhs:Agency)
        MATCH (w:Withdrawal)-[:WITHDRAWS]->(d)
        MATCH (k)-[:INVOKES]->(doc:LegalDoctrine)
        RETURN k.filedDate AS filed, w.date AS withdrawn, cbp.name AS agency, dhs.name AS part_of,
               collect(doc.name) AS doctrines""", env=env)
    assert code == 0, doc
    row = doc["rows"][0]
    assert row["filed"] == "2017-04-06" and row["withdrawn"] == "2017-04-07"
    assert row["agency"] == "U.S. Customs and Border Protection"
    assert row["part_of"] == "U.S. Department of Homeland Security"
    assert "First Amendment right to anonymous speech" in row["doctrines"]


def test_query_list_and_a_named_query(env):
    code, qs = cli_json("query", "--list", env=env)
    assert code == 0 and len(qs) >= 15
    assert {"name", "description", "params", "engines"} <= set(qs[0])
    code, doc = cli_json("query", "conflict_timeline", "-p", "conflict=twitter-dhs-alt-uscis-2017", env=env)
    assert [r["date"] for r in doc["rows"]] == sorted(r["date"] for r in doc["rows"])
    assert doc["rows"][0]["kind"] == "subpoena"  # CBP's summons: a gp:DemandInstruments concept (wording in kindDetail)


def test_refused_write_is_a_clear_error(env):
    proc = run_cli("cypher", "MATCH (n) DETACH DELETE n", env=env)
    assert proc.returncode != 0 and "read-only" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_query_and_bad_param_are_clear(env):
    proc = run_cli("query", "no_such_query", env=env)
    assert proc.returncode != 0 and "no named query" in proc.stderr
    proc = run_cli("query", "neighbourhood", "-p", "id=alt-uscis", "-p", "depth=deep", env=env)
    assert proc.returncode != 0 and "depth" in proc.stderr


def test_empty_store_says_how_to_ingest(tmp_path):
    proc = run_cli("stats", env={"GOVPLAT_HOME": str(tmp_path / "empty")})
    assert proc.returncode == 0 and "govplat ingest" in proc.stdout


def test_demo_after_an_ontology_upgrade_says_how_to_rebuild_and_fresh_rebuilds(bundled_home, tmp_path):
    from graph.stores.embedded import EmbeddedStore

    shutil.copytree(bundled_home, tmp_path / "home")
    env = {"GOVPLAT_HOME": str(tmp_path / "home"), "GOVPLAT_STORE": "embedded"}
    with EmbeddedStore(tmp_path / "home" / "graph.lbdb") as store:  # what a store built by an older ontology.ttl looks like
        store._conn.execute("MATCH (m:GovplatMeta) SET m.schema = 'older'")
    refused = run_cli("demo", "--no-dashboard", env=env)
    assert refused.returncode != 0
    assert "another version of ontology.ttl" in refused.stderr + refused.stdout
    assert "--fresh" in refused.stderr + refused.stdout
    rebuilt = run_cli("demo", "--fresh", "--no-dashboard", env=env, check=True).stdout
    assert "removed the embedded store" in rebuilt
    code, doc = cli_json("stats", env=env)
    assert code == 0 and doc["conflicts"] >= 200
