"""krMaynard's derived JSON tables: DSA Member State orders (t3) and Korean law-enforcement
requests -> RequestStatistics marked as derived (real files from ../shared/data)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingest, ingested_twice, snapshot, value

FOLDER = ("derived-compilations", "krmaynard-transparency-report-api")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with ingested_twice(tmp_path_factory.mktemp("tapi"), "transparency_api", [shared_file(*FOLDER)]) as run:
        yield run


def test_dsa_t3_and_korea_rows_become_derived_statistics(loaded):
    store, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    dsa = file_report(counters, "vlop-dsa.json")
    # SOURCES.md 12: t3 has 2,239 rows; 2,012 have an Art. 9 figure and 2,163 an Art. 10 one
    assert (dsa["rows"], dsa["statistics"]) == (2239, 4175)
    korea = file_report(counters, "korea-transparency.json")
    # 1,152 tidy rows = 336 (platform, service, half-year, category) groups
    assert (korea["rows"], korea["statistics"]) == (1152, 336)
    assert file_report(counters, "github-transparency.json")["skipped"].startswith("a tidy-long derivative")
    # every statistic's Source is the compiler's file, marked secondary
    assert value(store, "MATCH (s:RequestStatistic) MATCH (f:Source) WHERE f.id IN s.sources "
                        "AND f.secondary = true RETURN count(DISTINCT s) AS n") == 4175 + 336


def test_tiktok_germany_orders_end_to_end(loaded):
    """t3 row [7, 0, 47, 133, 644, 5086]: TikTok, all categories, DE (read by hand)."""
    store = loaded[0]
    rows = store.run("MATCH (s:RequestStatistic)-[:REPORTS_ON]->(:Platform {id: 'tiktok'}) "
                     "MATCH (s)-[:IN_JURISDICTION]->(:Country {id: 'country-de'}) "
                     "MATCH (s)-[:CITES_LAW]->(:Law {id: 'law-eu-dsa'}) "
                     "WHERE s.justification = 'All the entries' "
                     "RETURN s.legalProcess AS p, s.requests AS n, s.itemsSpecified AS items", {}).rows
    assert {(r["p"], r["n"], r["items"]) for r in rows} == {
        ("DSA Art. 9 order to act", 133, 644), ("DSA Art. 10 order to provide information", 5086, None)}


def test_korea_not_reported_is_unknown_not_a_figure(loaded):
    """Kakao's accounts for seizure warrants 2012-2014 are -1 in the compilation."""
    store = loaded[0]
    r = store.run("MATCH (s:RequestStatistic)-[:REPORTS_ON]->(:Company {id: 'kakao-corp'}) "
                  "WHERE s.period = '2012-H1' AND s.legalProcess STARTS WITH 'seizure warrant' "
                  "RETURN s.requests AS n, s.requestsComplied AS done, s.accountsSpecified AS accounts, "
                  "s.uncertain AS u", {}).rows
    assert len(r) == 1 and (r[0]["n"], r[0]["done"], r[0]["accounts"]) == (273, 231, None)
    assert r[0]["u"].endswith("accounts not reported")


def test_rerun_changes_nothing(loaded):
    store, _, again, counts, dump = loaded
    assert again.rejected == 0 and store.counts() == counts and snapshot(store) == dump


def test_a_bad_index_is_rejected_with_its_place(tmp_path, store):
    doc = json.loads(shared_file(*FOLDER, "vlop-dsa.json").read_text(encoding="utf-8"))
    doc["t3"] = doc["t3"][:3]
    doc["t3"][1][2] = 999
    (tmp_path / "vlop-dsa.json").write_text(json.dumps(doc), encoding="utf-8")
    counters = ingest(store, "transparency_api", tmp_path / "vlop-dsa.json")
    assert counters.rejected == 1
    err = counters.errors[0]
    assert err.where.endswith("vlop-dsa.json:t3[1]") and err.field == "scope" and "999" in str(err)
