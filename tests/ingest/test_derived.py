"""Derived compilations -> RequestStatistic, every source secondary (real files from ../shared/data)."""
from __future__ import annotations

import csv

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, one, snapshot, value

DIR = ("derived-compilations",)
PER_FILE = {"Full-Data(2009-2013).csv": 948, "ttrall.csv": 611, "All Requests (Government Source).csv": 30,
            "All Requests (Company Source).csv": 20, "Department Totals (Government Source).csv": 14}


def _aggregation_cells() -> int:
    path = shared_file(*DIR, "ali-ce-transparency-reports", "Country Aggregations.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))
    return sum(1 for r in rows if r["Country"] != "*DUMMY COUNTRIES"
               for k, v in r.items() if k.endswith(" (Requests)") and v.strip())


def test_rows_become_statistics_with_secondary_sources(store):
    counters = ingest(store, "derived", shared_file(*DIR))
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    got = {r["file"]: r["n"] for r in store.run(
        "MATCH (r:RequestStatistic) MATCH (s:Source) WHERE s.id IN r.sources "
        "RETURN s.title AS file, count(r) AS n").rows}
    got = {t.split(": ", 1)[1]: n for t, n in got.items()}
    assert got == {**PER_FILE, "Country Aggregations.csv": _aggregation_cells()}
    sources = store.run("MATCH (s:Source) WHERE s.id STARTS WITH 'derived-file-' "
                        "RETURN s.secondary AS sec, s.compiler AS who").rows
    assert len(sources) == 6 and all(s["sec"] is True for s in sources)
    assert sorted({s["who"] for s in sources}) == ["Alice Corona", "Sadettin Demirel"]
    t = one(store, "MATCH (r:RequestStatistic)-[:IN_JURISDICTION]->(:Country {id: 'country-tr'}) "
                   "MATCH (r)-[:REPORTS_ON]->(p:Platform {id: 'twitter'}) WHERE r.period = 'July - December 2014' "
                   "RETURN r.requests AS n, r.courtOrders AS court, r.itemsWithheld AS tweets, "
                   "r.complianceRate AS rate, r.periodStart AS start")
    assert (t["n"], t["court"], t["tweets"], t["rate"], str(t["start"])) == (477, 328, 1820, 50.0, "2014-07-01")
    hk = one(store, "MATCH (r:RequestStatistic)-[:REQUESTED_BY]->(g:LawEnforcement {id: 'hk-police'}) "
                    "MATCH (r)-[:IN_JURISDICTION]->(c:Country) WHERE r.kind = 'user_data' AND r.period STARTS WITH 'all' "
                    "RETURN r.requests AS n, r.requestsComplied AS ok, r.complianceRate AS rate, c.id AS country")
    assert (hk["n"], hk["ok"], hk["rate"], hk["country"]) == (4557, 2899, 64.0, "country-hk")
    # Alice Corona's 5.5 stands for Twitter's "< 10": not stored as a count, said in `uncertain`
    tw = one(store, "MATCH (r:RequestStatistic)-[:REPORTS_ON]->(:Platform {id: 'twitter'}) "
                    "MATCH (r)-[:IN_JURISDICTION]->(:Country {id: 'country-hk'}) "
                    "WHERE r.kind = 'user_data' RETURN r.requests AS n, r.uncertain AS why")
    assert tw["n"] is None and "5.5" in tw["why"]


def test_rerun_changes_nothing(store):
    path = shared_file(*DIR, "ali-ce-hong-kong-transparency")
    ingest(store, "derived", path)
    before = snapshot(store)
    ingest(store, "derived", path)
    assert snapshot(store) == before


def test_unknown_layout_and_bad_cells(tmp_path, store):
    src = shared_file(*DIR, "twitter-transparency-ttrall", "ttrall.csv").read_text(encoding="utf-8")
    (tmp_path / "renamed.csv").write_text(src.replace("tweets_witheld", "tweets_removed", 1), encoding="utf-8")
    lines = src.split("\n")
    lines[2] = lines[2].replace("Greece,2012,January - June 2012,2,", "Greece,2012,January - June 2012,two,", 1)
    (tmp_path / "badcell.csv").write_text("\n".join(lines), encoding="utf-8")
    counters = ingest(store, "derived", tmp_path)
    errors = {e.where.rsplit("/", 1)[-1]: e for e in counters.errors}
    layout = errors["renamed.csv"]
    assert "missing column(s) ['tweets_witheld']" in str(layout) and "unexpected column(s) ['tweets_removed']" in str(layout)
    assert "twitter-removals-by-country" in str(layout)
    cell = errors["badcell.csv:3"]
    assert cell.field == "removal_request_court" and "'two'" in str(cell)
    assert value(store, "MATCH (r:RequestStatistic) RETURN count(r) AS n") == 610
