"""The same data in the embedded store and a real Neo4j gives the same answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import StoreUnavailableError
from graph.model import plain
from graph.queries import registry
from graph.stores.embedded import EmbeddedStore
from ingest.run import available_sources, run_source

pytestmark = pytest.mark.neo4j


def _norm(value):
    value = plain(value)
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=lambda x: json.dumps(x, sort_keys=True, default=str))
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _rows(result):
    return sorted((_norm(r) for r in result.rows), key=lambda x: json.dumps(x, sort_keys=True, default=str))


def _dump(store):
    entities, relations = store.dump()
    return sorted(json.dumps(plain(e.__dict__ | {"origin": ""}), sort_keys=True) for e in entities), \
        sorted(json.dumps(plain(r.__dict__ | {"origin": ""}), sort_keys=True) for r in relations)


@pytest.fixture(scope="module")
def both(tmp_path_factory, neo4j_server):
    """The bundled curated data in both engines. Neo4j through a routing URI (neo4j://), as a
    cluster or Aura is reached: writes go to the leader, reads to readers (one instance here
    is both); the other Neo4j tests use bolt://."""
    from graph.stores.neo4j import Neo4jStore

    emb = EmbeddedStore(tmp_path_factory.mktemp("parity") / "graph.lbdb")
    uri = neo4j_server["uri"].replace("bolt://", "neo4j://", 1)
    neo = Neo4jStore(uri, neo4j_server["user"], neo4j_server["password"])
    assert neo._driver.__class__.__name__ == "Neo4jDriver"  # the routing driver
    neo.wipe()
    cases = available_sources()["cases"]
    run_source(cases, emb)
    run_source(cases, neo)
    yield emb, neo
    emb.close()
    neo.close()


def _example_params(q):
    return {p.name: p.example for p in q.params if p.example is not None}


@pytest.mark.parametrize("name", [q.name for q in registry()])
def test_every_named_query_gives_the_same_rows(both, name):
    emb, neo = both
    q = registry().get(name)
    params = _example_params(q)
    a, b = emb.run_named(name, params), neo.run_named(name, params)
    assert a.columns == b.columns
    assert _rows(a) == _rows(b)


def test_same_stats_and_same_export(both):
    emb, neo = both
    assert emb.counts() == neo.counts()
    assert _dump(emb) == _dump(neo)


def test_wrong_password_names_the_uri(neo4j_server):
    from graph.stores.neo4j import Neo4jStore

    with pytest.raises(StoreUnavailableError) as info:
        Neo4jStore(neo4j_server["uri"], neo4j_server["user"], "wrong-password")
    assert neo4j_server["uri"] in str(info.value)


def test_server_down_names_the_uri():
    from graph.stores.neo4j import Neo4jStore

    with pytest.raises(StoreUnavailableError) as info:
        Neo4jStore("bolt://127.0.0.1:1", "neo4j", "x")
    assert "bolt://127.0.0.1:1" in str(info.value)


def test_neo4j_database_is_the_one_used(neo4j_server):
    """NEO4J_DATABASE names the database every session uses: one the server lacks is an error
    naming it, not a silent fall-back to the default database."""
    from graph.stores.neo4j import Neo4jStore

    with pytest.raises(StoreUnavailableError, match="no database 'elsewhere'.*NEO4J_DATABASE"):
        Neo4jStore(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"], "elsewhere")
