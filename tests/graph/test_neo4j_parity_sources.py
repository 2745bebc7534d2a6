"""The bulk sources' named queries (graph/queries/sources.yaml) give the same rows on the embedded
store and a real Neo4j, on a sample of the real files in ../shared/data: the 2019 STOP export after
the India tracker (so the tracker orders are folded and deleted on both engines), GitHub's
government takedown notices from China and Spain, the Twitter India demands, the CourtListener
dockets, and tables of statistics from Meta and Wikimedia (written as columns)."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.queries import registry
from graph.stores.embedded import EmbeddedStore
from ingest.run import available_sources, run_source
from ingest.yamlio import load_yaml
from tests.conftest import shared_file
from tests.graph.conftest import load_bundled
from tests.graph.test_neo4j_parity import _dump, _example_params, _rows

pytestmark = pytest.mark.neo4j

SOURCE_QUERIES = [q["name"] for q in load_yaml(Path(__file__).resolve().parents[2] / "graph" / "queries" / "sources.yaml")]


@pytest.fixture(scope="module")
def both(tmp_path_factory, neo4j_server, embedded_bundled):
    from graph.stores.neo4j import Neo4jStore

    sample = [("shutdowns_india", shared_file("shutdowns-india-sflc", "internetshutdowns_dataset_labeled.xlsx")),
              ("keepiton", shared_file("accessnow-keepiton-stop", "shutdown-data.csv")),
              ("github_takedowns", shared_file("github-gov-takedowns", "China")),
              ("github_takedowns", shared_file("github-gov-takedowns", "Spain")),
              ("twitter_india", shared_file("twitter-india-takedowns")),
              ("courtlistener", shared_file("courtlistener-juriscraper")),
              # tables of statistics, written column-wise (Store.upsert_table on Neo4j)
              ("meta_requests", shared_file("meta-government-requests", "early-export-2013H1")),
              ("wikimedia_transparency", shared_file("wikimedia-transparency-report", "where_from.csv"))]
    emb = EmbeddedStore(tmp_path_factory.mktemp("parity-sources") / "graph.lbdb")
    neo = Neo4jStore(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    neo.wipe()
    sources = available_sources()
    for store in (emb, neo):
        for name, path in sample:
            counters = run_source(sources[name], store, [path])
            assert counters.rejected == 0, [str(e) for e in counters.errors[:3]]
    yield emb, neo
    emb.close()
    load_bundled(neo, embedded_bundled)  # the session's other Neo4j tests expect the bundled data
    neo.close()


@pytest.mark.parametrize("name", SOURCE_QUERIES)
def test_source_queries_give_the_same_rows(both, name):
    emb, neo = both
    q = registry().get(name)
    params = _example_params(q)
    if name == "platform_court_cases":  # the sample's dockets name other parties than the example's
        params["platform"] = emb.run("MATCH (x)-[:PARTY_TO]->(:CourtCase) RETURN x.id AS id "
                                     "ORDER BY id LIMIT 1", {}).rows[0]["id"]
    a, b = emb.run_named(name, params), neo.run_named(name, params)
    assert a.columns == b.columns
    assert a.rows, f"{name} returns nothing on the sample: the comparison would prove nothing"
    assert _rows(a) == _rows(b)


def test_same_graph_on_both_engines(both):
    emb, neo = both
    assert emb.counts() == neo.counts()
    assert _dump(emb) == _dump(neo)
