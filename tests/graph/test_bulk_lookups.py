"""The bulk path answers a source's lookups (Store.node_table / link_table) and the valid-time
stamp from what it staged and what is stored, without writing: a later source sees what an
earlier one staged, and the graph is the one the transactional path stores."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.model import Entity, Relation
from graph.stores.bulk import BulkStore
from graph.stores.embedded import EmbeddedStore
from graph.valid_time import stamp
from ingest.run import available_sources, run_source
from tests.conftest import shared_file
from tests.graph.test_embedded_bulk import _sorted_export

ROOT = Path(__file__).resolve().parents[2]
D = dt.date

# the same id written three times (a Platform) and a relationship written twice, as sources do
BATCHES = [
    ([Entity("x", "Platform", {"name": "X", "aliases": ["ex"], "url": "https://x.test"}, ["s1"]),
      Entity("gov", "Government", {"name": "Gov"}, ["s1"]),
      Entity("o1", "BlockingOrder", {"name": "Order 1", "date": D(2020, 5, 1)}, ["s1"])],
     [Relation("TARGETS", "o1", "x", {}, ["s1"]), Relation("MADE_BY", "o1", "gov", {"role": None}, ["s1"])]),
    ([Entity("x", "Platform", {"name": "X Corp", "aliases": ["twitter"]}, ["s2"]),
      Entity("o2", "BlockingOrder", {"name": "Order 2", "date": D(2019, 1, 2), "liftedDate": D(2019, 2, 1)}, ["s2"])],
     [Relation("TARGETS", "o2", "x", {}, ["s2"]), Relation("TARGETS", "o1", "x", {}, ["s2"])]),
    ([Entity("x", "Platform", {"aliases": ["ex"], "description": "a platform"}, ["s3"])], []),
]
PROPS = ["name", "aliases", "url", "description", "sources", "validFrom", "validTo"]


def _node(table, i):
    return next(r for r in table.to_pylist() if r["id"] == i)


@pytest.fixture
def stores(tmp_path):
    tx = EmbeddedStore(tmp_path / "t" / "graph.lbdb")
    bulk = BulkStore(EmbeddedStore(tmp_path / "b" / "graph.lbdb"))
    yield tx, bulk
    tx.close()
    bulk.close()


@pytest.mark.parametrize("stored_first", [False, True], ids=["empty-store", "store-holds-a-graph"])
def test_lookups_see_staged_rows_merged_as_the_store_will_hold_them(stores, stored_first):
    tx, bulk = stores
    batches = BATCHES
    if stored_first:  # the first batch is in both stores before the bulk path stages the rest
        tx.upsert(*batches[0])
        bulk.upsert(*batches[0])
        bulk.flush()
        batches = batches[1:]
    for entities, relations in batches:
        tx.upsert(entities, relations)
        bulk.upsert(entities, relations)
    staged = bulk.staged()
    looked_up = bulk.node_table("Platform", PROPS), bulk.link_table("TARGETS", "BlockingOrder", "Platform")
    assert bulk.staged() == staged  # nothing was written to answer
    x = _node(looked_up[0], "x")
    assert x["name"] == "X Corp" and x["url"] == "https://x.test" and x["description"] == "a platform"
    assert x["aliases"] == ["ex", "twitter"] and x["sources"] == ["s1", "s2", "s3"]
    assert sorted(zip(*looked_up[1].to_pydict().values())) == [("o1", "x"), ("o2", "x")]
    assert _node(tx.node_table("Platform", PROPS), "x") == x
    bulk.flush()
    assert _node(bulk.node_table("Platform", PROPS), "x") == x
    assert _sorted_export(bulk) == _sorted_export(tx)


@pytest.mark.parametrize("stored_first", [False, True], ids=["empty-store", "store-holds-a-graph"])
def test_valid_time_stamped_before_the_flush_is_the_transactional_one(stores, stored_first):
    """Stamped from the staged rows (no read back): the same validFrom/validTo as stamping a
    transactional store, also where a stored entity's interval moves (stamped after the flush)."""
    tx, bulk = stores
    batches = BATCHES
    if stored_first:
        for store in (tx, bulk):
            store.upsert(*batches[0])
            stamp(store)
        bulk.flush()
        assert _node(bulk.node_table("Platform", ["validFrom"]), "x")["validFrom"] == D(2020, 5, 1)
        batches = batches[1:]
    for entities, relations in batches:
        tx.upsert(entities, relations)
        bulk.upsert(entities, relations)
    assert stamp(bulk) == stamp(tx) > 0
    assert bulk.staged()[0] > 0  # stamped without a flush
    assert _node(bulk.node_table("Platform", ["validFrom"]), "x")["validFrom"] == D(2019, 1, 2)
    assert _node(bulk.node_table("Government", ["validFrom"]), "gov")["validFrom"] == D(2020, 5, 1)
    assert _sorted_export(bulk) == _sorted_export(tx)
    assert stamp(bulk) == 0  # what was stamped is what is stored


def test_a_source_sees_what_an_earlier_source_staged(tmp_path):
    """news links an article to the entities the curated cases staged before it, in the same bulk
    load: its gazetteer reads them without a flush; the graph is the transactional one."""
    article = shared_file("articles", "000_7a2020193e9dbdaf.txt")
    sources = available_sources()
    graphs = {}
    for mode in ("transactional", "bulk"):
        store = EmbeddedStore(tmp_path / mode / "graph.lbdb")
        if mode == "bulk":
            store = BulkStore(store)
        try:
            run_source(sources["cases"], store, [ROOT / "ingest" / "data" / "registry", ROOT / "ingest" / "data" / "cases"],
                       stamp=False)
            run_source(sources["news"], store, [article], stamp=False)
            if mode == "bulk":
                assert store.staged()[0] > 0  # nothing flushed mid-run
            stamp(store)
            mentions = {r["id"] for r in store.run("MATCH (s:Source)-[:MENTIONS]->(e) WHERE s.id STARTS WITH 'news-' "
                                                   "RETURN e.id AS id").rows}
            graphs[mode] = mentions, _sorted_export(store)
        finally:
            store.close()
    assert {"twitter", "us-dhs", "aclu", "country-tr"} <= graphs["bulk"][0]
    assert graphs["bulk"] == graphs["transactional"]
