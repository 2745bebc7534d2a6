"""The bulk path (staged rows, COPY FROM) and the transactional path give the same graph and the
same errors; an ingest into an empty embedded store takes the bulk path."""
from __future__ import annotations

import json

import pyarrow as pa
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


def _ingest_on_both_paths(tmp_path, plan, **kw) -> dict:
    """``plan`` ((source, paths) in order) ingested into a fresh store on each path: per path
    ("transactional", "bulk") the counters of each run and the sorted export."""
    sources = available_sources()
    runs = {}
    for mode in ("transactional", "bulk"):
        store = EmbeddedStore(tmp_path / mode / "graph.lbdb")
        if mode == "bulk":
            store = BulkStore(store)
        try:
            counters = [run_source(sources[name], store, paths, **kw).to_json() for name, paths in plan]
            store.flush()
            runs[mode] = counters, _sorted_export(store)
        finally:
            store.close()
    return runs


def test_bulk_and_transactional_ingest_store_the_same_graph(tmp_path):
    """The bundled cases, then real publisher files, then a source that reads what is stored
    (shutdowns_india looks up the blocking orders already in the store) and one that links to it."""
    plan = [("cases", None), ("apple_transparency", [shared_file("apple-transparency-report")]),
            ("shutdowns_india", [shared_file("shutdowns-india-sflc")]),
            ("courtlistener", [shared_file("courtlistener-juriscraper")])]
    runs = _ingest_on_both_paths(tmp_path, plan)
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


def test_transparency_tables_give_the_same_graph_on_both_paths(tmp_path):
    """Google and Meta files mapped column-wise and staged as tables (the bulk path) or written as
    records (the transactional path): the same graph and counters; a Meta file read twice merges
    its repeated ids like records."""
    google = shared_file("google-transparency-report", "user-data-requests-2023H2", "google-enterprise-data-requests.csv")
    letters = shared_file("google-transparency-report", "user-data-requests-2023H2",
                          "google-usnationalsecurity-nsl-requests-released.csv")
    meta = [shared_file("meta-government-requests", "prpl-export-2013H1-2023H1", "PRPL-Facebook-Government-Report-2017_H2.csv"),
            shared_file("meta-government-requests", "early-export-2013H1", "facebook-gov-requests-2013S1.csv")]
    plan = [("google_transparency", [google, letters]), ("meta_requests", meta), ("meta_requests", meta[1:])]
    runs = _ingest_on_both_paths(tmp_path, plan, stamp=False)
    assert runs["bulk"][0] == runs["transactional"][0]
    assert runs["bulk"][1] == runs["transactional"][1]
    statistics = [e for e in runs["bulk"][1][0] if '"cls": "RequestStatistic"' in e]
    assert len(statistics) > 500
    assert any('"kind": "nsl"' in e for e in runs["bulk"][1][0])  # the released letters, row by row


def _statistic_table(ids, sources, **columns):
    from graph.stores.table_checks import check_entity_rows

    table = pa.table({"id": ids, "sources": sources, "name": [f"Statistic {i}" for i in ids], **columns})
    checked, good, errors = check_entity_rows("RequestStatistic", table, ["t.csv:2"] * len(ids))
    assert good.all() and not errors
    return checked


def test_a_table_staged_twice_merges_like_records(tmp_path):
    """The same ids in two tables (two files of one source, or a re-run) and once as a record:
    sources and lists unioned, a value kept where a later row has none, as upserts of records give."""
    import datetime as dt

    country = Entity("country-tr", "Country", {"name": "Türkiye"}, ["iso"])
    first = _statistic_table(["st-1", "st-2"], [["src-a"], ["src-a"]], requests=[1, 2],
                             aliases=[["one"], []], periodEnd=[dt.date(2019, 6, 30)] * 2)
    second = _statistic_table(["st-1"], [["src-b"]], requests=[None], aliases=[["uno"]], countryName=["Turkey"])
    rels = {"IN_JURISDICTION": pa.table({"from": ["st-1"], "to": ["country-tr"], "sources": [["src-a"]]})}
    rels2 = {"IN_JURISDICTION": pa.table({"from": ["st-1"], "to": ["country-tr"], "sources": [["src-b"]]})}
    later = Entity("st-2", "RequestStatistic", {"name": "Statistic st-2", "requests": 5}, ["src-c"])
    exports = []
    for store in (EmbeddedStore(tmp_path / "t" / "graph.lbdb"), BulkStore(EmbeddedStore(tmp_path / "b" / "graph.lbdb"))):
        try:
            store.upsert([country], [])
            store.upsert_table("RequestStatistic", first, rels)  # staged, or written as records
            store.upsert_table("RequestStatistic", second, rels2)
            store.upsert([later], [])
            store.flush()
            exports.append(_sorted_export(store))
        finally:
            store.close()
    assert exports[0] == exports[1]
    merged = next(json.loads(e) for e in exports[1][0] if '"id": "st-1"' in e)
    assert merged["sources"] == ["src-a", "src-b"] and merged["props"]["aliases"] == ["one", "uno"]
    assert merged["props"]["requests"] == 1 and merged["props"]["countryName"] == "Turkey"
    (rel,) = [json.loads(r) for r in exports[1][1] if '"st-1"' in r]
    assert rel["sources"] == ["src-a", "src-b"]


def test_a_table_with_an_id_stored_as_another_class_is_refused_as_records_are(tmp_path):
    with BulkStore(EmbeddedStore(tmp_path / "b" / "graph.lbdb")) as bulk:
        bulk.upsert([Entity("st-1", "Platform", {"name": "X"}, ["s"])], [])
        with pytest.raises(ValidationError) as info:
            bulk.upsert_table("RequestStatistic", _statistic_table(["st-1"], [["s"]]), {})
        assert "already stored as a Platform, not a RequestStatistic" in str(info.value)
        assert bulk.staged() == (1, 0)  # nothing of the table staged
