"""The bulk path (staged rows, COPY FROM) and the transactional path give the same graph and the
same errors; an ingest into an empty embedded store takes the bulk path."""
from __future__ import annotations

import json

import pytest

from graph.errors import ValidationError
from graph.model import Entity, Relation, plain
from graph.stores.bulk import BulkStore
from graph.stores.embedded import EmbeddedStore
from ingest.run import available_sources, run_source
from tests.conftest import shared_file


def _sorted_export(store):
    entities, relations = store.dump()
    return (sorted(json.dumps(plain(e.__dict__ | {"origin": ""}), sort_keys=True) for e in entities),
            sorted(json.dumps(plain(r.__dict__ | {"origin": ""}), sort_keys=True) for r in relations))


def test_bulk_and_transactional_ingest_store_the_same_graph(tmp_path):
    """The bundled cases, then real publisher files, then a source that reads what is stored
    (shutdowns_india looks up the blocking orders already in the store) and one that links to it."""
    plan = [("cases", None), ("apple_transparency", [shared_file("apple-transparency-report")]),
            ("shutdowns_india", [shared_file("shutdowns-india-sflc")]),
            ("courtlistener", [shared_file("courtlistener-juriscraper")])]
    sources = available_sources()
    runs = {}
    for mode in ("transactional", "bulk"):
        store = EmbeddedStore(tmp_path / mode / "graph.lbdb")
        if mode == "bulk":
            store = BulkStore(store)
        try:
            counters = [run_source(sources[name], store, paths).to_json() for name, paths in plan]
            store.flush()
            runs[mode] = counters, _sorted_export(store)
        finally:
            store.close()
    assert runs["bulk"][0] == runs["transactional"][0]  # same counts, same rejections
    assert runs["bulk"][1] == runs["transactional"][1]
    assert len(runs["bulk"][1][1]) > 10_000


def _clash(store, flushed: bool = False) -> str:
    store.upsert([Entity("x-1", "Platform", {"name": "X"}, ["s"])], [])
    if flushed:  # the id is in the store, no longer staged
        store.flush()
    with pytest.raises(ValidationError) as info:
        store.upsert([Entity("x-1", "Company", {"name": "X"}, ["s"])],
                     [Relation("OPERATES", "x-1", "nowhere", {}, ["s"])])
    return str(info.value)


@pytest.mark.parametrize("flushed", [False, True], ids=["staged", "flushed"])
def test_bulk_path_refuses_what_the_transactional_path_refuses(tmp_path, flushed):
    with EmbeddedStore(tmp_path / "t" / "graph.lbdb") as tx, BulkStore(EmbeddedStore(tmp_path / "b" / "graph.lbdb")) as bulk:
        message = _clash(bulk, flushed)
        assert message == _clash(tx)
        assert "already stored as a Platform, not a Company" in message


def test_bulk_ingest_into_a_stored_graph_merges_like_an_incremental_one(tmp_path):
    """--bulk on a store that holds the cases: the second load merges into what is stored
    (MERGE for the stored ids), so the graph is the one a single load gives."""
    cases = available_sources()["cases"]
    store = EmbeddedStore(tmp_path / "graph.lbdb")
    run_source(cases, store)
    once = _sorted_export(store)
    bulk = BulkStore(store)
    try:
        run_source(cases, bulk)
        bulk.flush()
        assert _sorted_export(bulk) == once
    finally:
        bulk.close()
