"""SFLC.in's India shutdown tracker as labelled by DW -> BlockingOrders, joined to the KeepItOn
STOP orders of the same shutdowns (real files from ../shared/data)."""
from __future__ import annotations


import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import embedded_home, ingest, snapshot, value

WORKBOOK = ("shutdowns-india-sflc", "internetshutdowns_dataset_labeled.xlsx")
STOP = ("accessnow-keepiton-stop", "stop-2016-2022", "KeepItOn_STOP_Data_2016-2022_Public.xlsx")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """STOP first (as --detect runs it), then the tracker, then the tracker again."""
    with embedded_home(tmp_path_factory.mktemp("sflc")) as store:
        ingest(store, "keepiton", shared_file(*STOP))
        stop_orders = value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n")
        first = ingest(store, "shutdowns_india", shared_file(*WORKBOOK))
        counts, dump = store.counts(), snapshot(store)
        again = ingest(store, "shutdowns_india", shared_file(*WORKBOOK))
        yield store, stop_orders, first, again, counts, dump


def _sheet(counters):
    return next(iter(counters.notes["files"].values()))["sheets"]


def test_header_on_row_3_and_every_event_kept(loaded):
    store, stop_orders, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    info = _sheet(counters)["internetshutdowns data labeled"]
    # README: 382 verified shutdowns plus 3 DW could not verify, listed under "OMITTED ROWS"
    assert (info["rows"], info["orders"], info["omitted_by_dw"], info["labels"]) == (385, 385, 3, 2)
    assert _sheet(counters)["internetshutdowns_nehal"]["reason"] == "a labeller's working copy of the same events"
    new = value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n") - stop_orders
    assert new == 385 - info["joined_to_stop"]


def test_same_shutdown_as_stop_is_one_order(loaded):
    store, _, counters, _, _, _ = loaded
    joined = _sheet(counters)["internetshutdowns data labeled"]["joined_to_stop"]
    assert joined == JOINED
    # 202 tracker rows join 195 STOP orders (the tracker splits a few shutdowns by district)
    assert value(store, "MATCH (o:BlockingOrder) WHERE o.id STARTS WITH 'keepiton-' "
                        "AND any(r IN o.reportedIn WHERE r STARTS WITH 'internetshutdowns_dataset_labeled') "
                        "RETURN count(o) AS n") == 195


def test_tracker_before_stop_gives_the_same_graph(loaded, tmp_path):
    """Ingesting the tracker first and STOP second folds the joined tracker orders into the STOP
    orders: the same graph as STOP first (sorted export equal), and STOP again changes nothing."""
    _, _, _, _, counts, dump = loaded
    with embedded_home(tmp_path) as store:
        ingest(store, "shutdowns_india", shared_file(*WORKBOOK))
        tracker_only = value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n")
        stop = ingest(store, "keepiton", shared_file(*STOP))
        assert stop.rejected == 0 and stop.notes["India tracker orders folded into STOP orders"] == JOINED
        assert tracker_only == 385
        assert store.counts() == counts and snapshot(store) == dump
        ingest(store, "keepiton", shared_file(*STOP))
        assert snapshot(store) == dump


def test_rerun_changes_nothing(loaded):
    store, _, _, again, counts, dump = loaded
    assert again.rejected == 0 and store.counts() == counts and snapshot(store) == dump


# checked by sampling the joined pairs by hand (same day, the STOP area names the district)
JOINED = 202


def test_manipur_march_2020_end_to_end(loaded):
    """Tracker row 385: Manipur, 16 March 2020, Bishnupur and eight more districts, mobile,
    preventive, telegraphindia.com report; STOP has the same shutdown: one order, both rows."""
    store = loaded[0]
    r = store.run("MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country {id: 'country-in'}) "
                  "WHERE o.date = date('2020-03-16') AND o.area STARTS WITH 'Bishnupur' "
                  "RETURN o.id AS id, o.reportedIn AS rows, o.sources AS sources", {}).rows
    assert len(r) == 1 and r[0]["id"].startswith("keepiton-")
    assert "internetshutdowns_dataset_labeled.xlsx [internetshutdowns data labeled] row 385" in r[0]["rows"]
    urls = [x["u"] for x in store.run("MATCH (s:Source) WHERE s.id IN $ids RETURN s.url AS u", {"ids": r[0]["sources"]}).rows]
    assert any("telegraphindia.com" in u for u in urls)
