"""Access Now #KeepItOn STOP 2016-2022 workbook -> one BlockingOrder per shutdown (real file
from ../shared/data), shared with the 2019 CSV export."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import embedded_home, ingest, ingested_twice, one, snapshot, value

WORKBOOK = ("accessnow-keepiton-stop", "stop-2016-2022", "KeepItOn_STOP_Data_2016-2022_Public.xlsx")
CSV = ("accessnow-keepiton-stop", "shutdown-data.csv")
# SOURCES.md section 12: non-empty rows per sheet after the header
SHEETS = {"2022 Data": 187, "2021 Data": 182, "2020 Data": 159, "2019": 213, "2016+2017+2018 ": 377}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The workbook, then the 2019 CSV, ingested into one store (shared by this module)."""
    with embedded_home(tmp_path_factory.mktemp("stop")) as store:
        workbook = ingest(store, "keepiton", shared_file(*WORKBOOK))
        after_workbook = store.counts(), snapshot(store)
        csv = ingest(store, "keepiton", shared_file(*CSV))
        yield store, workbook, csv, after_workbook


def test_every_sheet_is_read_and_the_headless_one_skipped_with_a_note(loaded):
    _, counters, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    sheets = next(iter(counters.notes["files"].values()))["sheets"]
    assert {k: v.get("read") for k, v in sheets.items() if "layout" in v} == SHEETS
    assert {k: v["layout"] for k, v in sheets.items() if "layout" in v} == {
        "2022 Data": "stop-2022", "2021 Data": "stop-2022", "2020 Data": "stop-2022", "2019": "stop-2019",
        "2016+2017+2018 ": "stop-2016"}
    assert sheets["Need more details"]["skipped"] == 3 and "no header" in sheets["Need more details"]["reason"]
    assert counters.notes["rows"] == sum(SHEETS.values()) == 1118


def test_repeated_rows_are_one_order_that_lists_every_row(loaded):
    store, counters, _, _ = loaded
    orders = value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n")
    assert orders == counters.notes["shutdowns"] == 1087
    # every row is provenance of exactly one order
    assert value(store, "MATCH (o:BlockingOrder) UNWIND o.reportedIn AS r "
                        "WITH r WHERE r STARTS WITH 'KeepItOn_STOP' RETURN count(DISTINCT r) AS n") == 1118
    # no two orders for one country, start date, area and kind
    assert value(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(c:Country) "
                        "WITH c.id AS c, o.date AS d, toLower(coalesce(o.area, '')) AS a, o.kind AS k, count(o) AS n "
                        "WHERE n > 1 RETURN count(*) AS dupes") == 0


def test_pakistan_fata_shutdown_end_to_end(loaded):
    """Mobile shutdown in the Federally Administered Tribal Areas from 12 June 2016, repeated in
    the 2020 and 2021 sheets; ended 28 December 2021 (2021 sheet, checked by hand)."""
    store, _, _, _ = loaded
    r = one(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country {id: 'country-pk'}) "
                   "WHERE o.date = date('2016-06-12') AND o.area STARTS WITH 'Federally Administered' "
                   "MATCH (o)-[m:MADE_BY]->(g) "
                   "RETURN o.kind AS kind, o.liftedDate AS lifted, o.reportedIn AS rows, g.id AS body, m.role AS role, "
                   "o.orderedBy AS ordered, o.violenceReported AS violence, o.electionRelated AS election")
    assert (r["kind"], r["lifted"], r["role"], r["election"]) == ("internet_shutdown", dt.date(2021, 12, 28),
                                                                   "executive government", False)
    assert r["body"] == "pk-government"
    assert "Pakistan Telecommunication Authority" in r["ordered"]
    assert sorted(r["rows"]) == ["KeepItOn_STOP_Data_2016-2022_Public.xlsx [2020 Data] row 2",
                                 "KeepItOn_STOP_Data_2016-2022_Public.xlsx [2021 Data] row 2"]


def test_uganda_election_block_targets_the_platforms_flagged(loaded):
    """Social media blocked in Uganda from 12 January 2021 before the elections (2021 and 2022
    sheets): Facebook, Twitter, WhatsApp, Instagram, Telegram flagged, YouTube and Signal named."""
    store, _, _, _ = loaded
    oid = value(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country {id: 'country-ug'}) "
                       "WHERE o.date = date('2021-01-12') AND o.kind = 'service_block' RETURN o.id AS id")
    platforms = [r["pid"] for r in store.run("MATCH (o:BlockingOrder {id: $id})-[:TARGETS]->(p:Platform) "
                                           "RETURN p.id AS pid ORDER BY pid", {"id": oid}).rows]
    # YouTube is in the registry; Signal is not, so it stays text in servicesAffected
    assert platforms == ["facebook", "instagram", "telegram", "twitter", "whatsapp", "youtube"]
    r = one(store, "MATCH (o:BlockingOrder {id: $id}) RETURN o.electionRelated AS e, o.reportedIn AS rows, "
                   "o.servicesAffected AS other, size(o.sources) AS n", id=oid)
    assert r["e"] is True and r["other"] == ["Signal", "YouTube", "Youtube"]  # as the two sheets spell them
    assert sorted(x.split("]")[0] for x in r["rows"]) == ["KeepItOn_STOP_Data_2016-2022_Public.xlsx [2021 Data",
                                                          "KeepItOn_STOP_Data_2016-2022_Public.xlsx [2022 Data"]


def test_chad_block_worded_two_ways_is_one_order(loaded):
    """Chad from 28 March 2018: the 2016-2018 sheet says "Nationwide", full network, open end;
    the 2019 sheet (ID 1) says "National", service-based, ended 13 July 2019. Same qz.com report:
    one order (keepiton.yml same_shutdown), both rows kept, the later sheet's facts win."""
    store, _, _, _ = loaded
    r = one(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country {id: 'country-td'}) "
                   "WHERE o.date = date('2018-03-28') "
                   "RETURN o.id AS id, o.kind AS kind, o.liftedDate AS lifted, o.reportedIn AS rows")
    assert (r["kind"], r["lifted"]) == ("service_block", dt.date(2019, 7, 13))
    assert sorted(r["rows"]) == ["KeepItOn_STOP_Data_2016-2022_Public.xlsx [2016+2017+2018] row 224",
                                 "KeepItOn_STOP_Data_2016-2022_Public.xlsx [2019] row 2"]
    platforms = {x["p"] for x in store.run("MATCH (:BlockingOrder {id: $id})-[:TARGETS]->(p:Platform) "
                                           "RETURN p.id AS p", {"id": r["id"]}).rows}
    assert {"facebook", "twitter", "whatsapp", "instagram"} <= platforms


def test_same_country_and_day_in_two_sheets_is_one_order(loaded):
    """Orders of one country and start date are separate events of one sheet, never one event
    told by two sheets; the one pair left apart is Myanmar 2019-06-22 (keepiton.yml says why)."""
    store, _, _, _ = loaded
    rows = store.run("MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(c:Country) "
                     "RETURN c.id AS c, o.date AS d, o.reportedIn AS rows", {}).rows
    by_day: dict = {}
    for r in rows:
        sheets = {x.rsplit(" row ", 1)[0].strip() for x in r["rows"] if x.startswith("KeepItOn_STOP")}
        by_day.setdefault((r["c"], r["d"]), []).append(sheets)
    apart = sorted((c, d.isoformat()) for (c, d), orders in by_day.items() if len(orders) > 1 and any(
        not (a & b) for i, a in enumerate(orders) for b in orders[i + 1:]))
    assert apart == [("country-mm", "2019-06-22")]
    # 81 (country, day) pairs have several orders: districts of India shut the same day, ...
    assert sum(len(orders) > 1 for orders in by_day.values()) == 81


def test_legal_method_is_a_law_where_one_is_named(loaded):
    store, _, _, _ = loaded
    r = one(store, "MATCH (l:Law {id: 'law-in-crpc-s144'}) MATCH (o:BlockingOrder)-[:CITES_LAW]->(l) "
                   "MATCH (l)-[:IN_JURISDICTION]->(c:Country) RETURN count(o) AS n, c.id AS c, l.name AS name")
    assert r["c"] == "country-in" and r["name"].startswith("Code of Criminal Procedure")
    assert r["n"] >= 25  # Section 144 CrPC in its spellings (CrCP, Cr.P.C., Section-144 ...)
    # a cell that names no law stays text
    assert value(store, "MATCH (o:BlockingOrder) WHERE o.legalBasis = 'Government order' "
                        "AND EXISTS { MATCH (o)-[:CITES_LAW]->() } RETURN count(o) AS n") == 0


def test_the_2019_csv_resolves_to_the_workbook_orders(loaded):
    """The CSV export and the 2019 sheet number rows alike: ingesting the CSV after the
    workbook adds no order (ID 131's start date differs between the two: still one node)."""
    store, _, csv, (counts, _) = loaded
    assert csv.rejected == 0
    assert store.counts()["entities"]["BlockingOrder"] == counts["entities"]["BlockingOrder"] == 1087
    rows = value(store, "MATCH (o:BlockingOrder) WHERE o.area STARTS WITH 'Bhima Koregaon' RETURN o.reportedIn AS r")
    assert len(rows) == 2 and rows[1] == "shutdown-data.csv line 4" and rows[0].startswith(
        "KeepItOn_STOP_Data_2016-2022_Public.xlsx [2019] row ")


def test_rerun_changes_nothing(tmp_path):
    with ingested_twice(tmp_path, "keepiton", [shared_file(*WORKBOOK)]) as (store, first, again, counts, dump):
        assert first.rejected == again.rejected == 0
        assert store.counts() == counts and snapshot(store) == dump


def test_named_query_shutdowns_by_country_and_year(loaded):
    store, _, _, _ = loaded
    rows = store.run_named("shutdowns_by_country_year").rows
    uganda = {r["year"]: r for r in rows if r["country"] == "UG"}
    assert uganda[2021]["shutdowns"] >= 2 and "Facebook" in uganda[2021]["platforms"]
    total = sum(r["shutdowns"] for r in rows)
    # every order with a country is counted once (Somaliland's has none)
    assert total == value(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country) RETURN count(o) AS n") == 1086
