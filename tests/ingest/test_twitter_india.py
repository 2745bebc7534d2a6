"""Tweets the Government of India demanded Twitter withhold -> RemovalRequests tied to their
Lumen notices (real files from ../shared/data)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, ingested_twice, one, snapshot, value

FOLDER = "twitter-india-takedowns"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with ingested_twice(tmp_path_factory.mktemp("twin"), "twitter_india", [shared_file(FOLDER)]) as run:
        yield run


def test_every_dated_row_is_a_demand_to_twitter(loaded):
    store, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    report = next(v for k, v in counters.notes["files"].items() if k.endswith("tweet_removals_india.csv"))
    # SOURCES.md 12: 1,324 rows; 9 have neither date nor Lumen notice (checked by hand)
    assert (report["rows"], report["demands"]) == (1324, 1315)
    assert counters.skipped["no date and no Lumen notice: the account is stored, no demand"] == 9
    assert value(store, "MATCH (d:RemovalRequest)-[:ADDRESSED_TO]->(:Platform {id: 'twitter'}) "
                        "MATCH (d)-[:IN_JURISDICTION]->(:Country {id: 'country-in'}) RETURN count(d) AS n") == 1315
    assert value(store, "MATCH (d:RemovalRequest) WHERE d.date < date('2017-09-02') OR d.date > date('2021-06-21') "
                        "RETURN count(d) AS n") == 0
    transparency = next(v for k, v in counters.notes["files"].items() if k.endswith("twitter_transparency_data_india.csv"))
    assert transparency["rows"] == 18 and "not loaded" in transparency["skipped"]


def test_election_commission_demand_end_to_end(loaded):
    """Row 1: @AMIT_GUJJU's exit-poll tweet, flagged 16 May 2019 in 05_16_19_ECI_Order.pdf,
    Lumen notice 18559788."""
    store, _, _, _, _ = loaded
    r = one(store, "MATCH (d:RemovalRequest) WHERE 'https://twitter.com/AMIT_GUJJU/status/1128581518295613441' "
                   "IN d.targetUrls MATCH (d)-[:TARGETS]->(a:Account)-[:ON_PLATFORM]->(:Platform {id: 'twitter'}) "
                   "MATCH (d)-[:MADE_BY]->(g) RETURN d.date AS date, a.handle AS handle, g.id AS sender, "
                   "d.sources AS sources")
    assert (r["date"], r["handle"], r["sender"]) == (dt.date(2019, 5, 16), "AMIT_GUJJU", "in-election-commission")
    assert r["sources"] == ["lumen-source-18559788"]
    assert value(store, "MATCH (s:Source {id: 'lumen-source-18559788'}) RETURN s.url AS u") == \
        "https://lumendatabase.org/notices/18559788"
    # 36 rows name that Lumen file, 32 with its number (row 1 is one of the 4 without): all
    # 36 demands cite the notice
    assert value(store, "MATCH (d:RemovalRequest) WHERE 'lumen-source-18559788' IN d.sources "
                        "RETURN count(d) AS n") == 36


def test_rerun_changes_nothing(loaded):
    store, first, again, counts, dump = loaded
    assert again.rejected == 0 and store.counts() == counts and snapshot(store) == dump


def test_a_notice_also_ingested_by_lumen_is_one_source(tmp_path, store):
    """The lumen source and this one name Lumen notice 18559788 alike: one Source node."""
    doc = json.loads(shared_file("lumen-chillingeffects", "notice_2639.json").read_text(encoding="utf-8"))
    (key, notice), = doc.items()
    notice["id"] = 18559788
    (tmp_path / "notice_18559788.json").write_text(json.dumps({key: notice}), encoding="utf-8")
    ingest(store, "lumen", tmp_path / "notice_18559788.json")
    ingest(store, "twitter_india", shared_file(FOLDER, "tweet_removals_india.csv"))
    assert value(store, "MATCH (s:Source {id: 'lumen-source-18559788'}) RETURN count(s) AS n") == 1
    # the 36 demands of this source and the lumen source's own notice
    assert value(store, "MATCH (d:RemovalRequest) WHERE 'lumen-source-18559788' IN d.sources "
                        "RETURN count(d) AS n") == 37


def test_named_query_platform_demands_across_sources(loaded):
    store = loaded[0]
    rows = store.run_named("platform_demands_all_sources", {"platform": "twitter"}).rows
    by_year = {r["year"]: r["demands"] for r in rows if r["country"] == "IN" and r["kind"] == "government_request"}
    assert sum(by_year.values()) == 1315 and min(by_year) == 2017 and max(by_year) == 2021
