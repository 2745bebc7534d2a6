"""Ranking Digital Rights and OpenNet Initiative scores -> Assessments (real files from ../shared/data)."""
from __future__ import annotations

import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingested_twice, one, snapshot, value


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    paths = [shared_file("ranking-digital-rights"), shared_file("opennet-initiative")]
    with ingested_twice(tmp_path_factory.mktemp("assess"), "assessments", paths) as run:
        yield run


def test_every_file_is_read_or_skipped_with_its_reason(loaded):
    store, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    assert len(counters.notes["files"]) == 12
    assert file_report(counters, "RDR2019_02_Summary_Scores.csv")["assessments"] == 527
    assert file_report(counters, "2022-levels.csv")["assessments"] == 608
    # SOURCES.md 5b: 74 countries, four scores each
    assert file_report(counters, "opennet-2012-10-29.csv")["assessments"] == 74 * 4
    assert file_report(counters, "RDR2019_Facebook_Outcome.csv")["skipped"].startswith("researchers' element-level")
    editions = [r["eid"] for r in store.run("MATCH (e:IndexEdition) RETURN e.id AS eid ORDER BY eid", {}).rows]
    assert editions == ["edition-oni-profiles", "edition-rdr-bigtech-2022", "edition-rdr-index-2019",
                        "edition-rdr-index-2020"]


def test_twitter_2019_government_demand_indicators(loaded):
    """RDR2019_02_Summary_Scores.csv line 117 (Twitter, Overall): F5 52.08, F6 50, F7 60, P10 50, P11 72.73."""
    store = loaded[0]
    rows = store.run("MATCH (a:Assessment)-[:ASSESSES]->(:Platform {id: 'twitter'}) "
                     "MATCH (a)-[:IN_EDITION]->(:IndexEdition {id: 'edition-rdr-index-2019'}) "
                     "WHERE a.service IS NULL RETURN a.indicator AS i, a.score AS s", {}).rows
    got = {r["i"]: round(r["s"], 2) for r in rows}
    assert got == {"F5": 52.08, "F6": 50.0, "F7": 60.0, "P10": 50.0, "P11": 72.73}


def test_service_scores_assess_the_platform(loaded):
    store = loaded[0]
    r = one(store, "MATCH (a:Assessment {indicator: 'F05a'})-[:ASSESSES]->(:Platform {id: 'facebook'}) "
                   "MATCH (a)-[:IN_EDITION]->(:IndexEdition {id: 'edition-rdr-bigtech-2022'}) "
                   "RETURN a.score AS s, a.service AS svc, a.scaleMax AS m")
    assert (r["s"], r["svc"], r["m"]) == (93.0, "socialNetworkBlogs: Facebook", 100.0)


def test_oni_china(loaded):
    """opennet-2012-10-29.csv: China, political 4 (pervasive), tested 2011."""
    store = loaded[0]
    r = one(store, "MATCH (a:Assessment {indicator: 'political'})-[:ASSESSES]->(:Country {id: 'country-cn'}) "
                   "RETURN a.score AS s, a.scoreLabel AS l, a.description AS d")
    assert (r["s"], r["l"]) == (4.0, "pervasive") and r["d"].startswith("tested 2011")


def test_rerun_changes_nothing(loaded):
    store, _, again, counts, dump = loaded
    assert again.rejected == 0 and store.counts() == counts and snapshot(store) == dump
