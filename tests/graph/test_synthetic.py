"""The synthetic graph written column-wise with COPY FROM is the graph its records give through
the ordinary upsert path (so benchmarks on big COPY-loaded graphs measure the graph tests use)."""
from __future__ import annotations

from graph.stores.embedded import EmbeddedStore
from graph.synthetic import load, records_of, tables
from tests.graph.test_embedded_bulk import _sorted_export


def test_copy_loaded_synthetic_graph_equals_the_upserted_one(tmp_path):
    t = tables(300, 900, seed=4)
    entities, relations = records_of(t)
    assert len(relations) == 900 and len({(r.src, r.type, r.dst) for r in relations}) == 900
    with EmbeddedStore(tmp_path / "copy" / "graph.lbdb") as copied, \
            EmbeddedStore(tmp_path / "upsert" / "graph.lbdb") as upserted:
        load(copied, t)
        upserted.upsert(entities, relations)
        assert copied.counts() == upserted.counts()
        assert _sorted_export(copied) == _sorted_export(upserted)


def test_same_seed_same_graph_and_hubs_take_most_links():
    a, b = tables(2000, 6000, seed=9), tables(2000, 6000, seed=9)
    assert all(a.relations[k].equals(b.relations[k]) for k in a.relations)
    _, relations = records_of(a)
    made_by = [r.dst for r in relations if r.type == "MADE_BY" and r.dst.startswith("syn-body-")]
    top = max(made_by.count(x) for x in set(made_by))
    assert top > 10 * len(made_by) / len(set(made_by))  # skewed, not uniform


def test_a_dump_in_small_pages_gives_every_record_once_hubs_included(tmp_path, monkeypatch):
    """Pages of 1,000 rows over a graph whose hub platform has more links than two pages: the
    pages (by ranges of source nodes, a hub's links by their own offsets) partition the
    relationships, none is lost or repeated, and every date comes back a date."""
    monkeypatch.setenv("GOVPLAT_DUMP_PAGE_ROWS", "1000")
    t = tables(24_000, 72_000, seed=5)
    entities, relations = records_of(t)
    assert sum(r.src == "syn-platform-0" for r in relations if r.type == "PARTY_TO") > 2 * 1000
    with EmbeddedStore(tmp_path / "graph.lbdb") as store:
        load(store, t)
    with EmbeddedStore(tmp_path / "graph.lbdb", read_only=True, dump=True) as store:
        dumps = [[list(map(repr, records)) for records in store.dump()] for _ in range(2)]
    assert dumps[0] == dumps[1]  # the same store dumps in the same order: the same export file
    got_e, got_r = dumps[0]
    assert sorted(got_r) == sorted(map(repr, relations))
    assert sorted(got_e) == sorted(map(repr, entities))
