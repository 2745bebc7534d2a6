"""GitHub's transparency Data Package -> RequestStatistics (real files from ../shared/data)."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingest, ingested_twice, snapshot, value

FOLDER = "github-transparency-report"
# data rows per loaded table (wc -l minus the header, checked by hand)
ROWS = {"government_takedowns_received.csv": 17, "government_takedowns_processed.csv": 22,
        "national_security_letters_and_orders.csv": 48, "cross_border_data_requests.csv": 70,
        "requests_received_and_disclosed.csv": 26}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with ingested_twice(tmp_path_factory.mktemp("ghtr"), "github_transparency", [shared_file(FOLDER)]) as run:
        yield run


def test_tables_of_government_demands_become_statistics(loaded):
    store, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    for name, rows in ROWS.items():
        report = file_report(counters, name)
        assert (report["rows"], report["rejected_rows"], report["statistics"]) == (rows, 0, rows), name
    # the tables that are not government demands are skipped, each with its reason
    assert counters.skipped["DMCA and circumvention notices come from rights holders, not governments"] == 7
    assert sum(counters.skipped.values()) == 15
    assert value(store, "MATCH (s:RequestStatistic)-[:REPORTS_ON]->(:Platform {id: 'github'}) "
                        "RETURN count(s) AS n") == 286


def test_russia_2021_takedowns_end_to_end(loaded):
    """government_takedowns_processed.csv line 2: Russia, 2021, Local law, 17 processed,
    21 repositories, 15 pages, 16 accounts."""
    store = loaded[0]
    r = store.run("MATCH (s:RequestStatistic)-[:IN_JURISDICTION]->(:Country {id: 'country-ru'}) "
                  "WHERE s.layout = 'github_transparency/takedowns_processed' AND s.year = 2021 "
                  "AND s.justification = 'Local law' "
                  "RETURN s.requests AS n, s.accountsWithheld AS accounts, s.description AS d, s.periodStart AS start",
                  {}).rows
    assert len(r) == 1 and (r[0]["n"], r[0]["accounts"]) == (17, 16)
    assert r[0]["d"] == "repositories affected: 21; GitHub Pages sites affected: 15"
    assert str(r[0]["start"]) == "2021-01-01"


def test_national_security_bands_are_ranges(loaded):
    store = loaded[0]
    rows = store.run("MATCH (s:RequestStatistic) WHERE s.kind = 'national_security' AND s.period = '2025 H1' "
                     "RETURN s.requestsMin AS rmin, s.requestsMax AS rmax, s.accountsSpecifiedMin AS amin, "
                     "s.accountsSpecifiedMax AS amax ORDER BY rmin", {}).rows
    got = {(r["rmin"], r["rmax"], r["amin"], r["amax"]) for r in rows}
    assert got == {(0, 249, None, None), (None, None, 2000, 2249)}


def test_rerun_changes_nothing(loaded):
    store, _, again, counts, dump = loaded
    assert again.rejected == 0 and store.counts() == counts and snapshot(store) == dump


def test_a_cell_that_breaks_the_declared_type_is_rejected_with_its_column(tmp_path, store):
    src = shared_file(FOLDER)
    shutil.copy(src / "datapackage.json", tmp_path / "datapackage.json")
    rel = ("data", "requests_to_disclose_user_information", "cross_border_data_requests.csv")
    (tmp_path / rel[0] / rel[1]).mkdir(parents=True)
    lines = src.joinpath(*rel).read_text(encoding="utf-8").splitlines()
    assert lines[1] == "2025,India,IN,33"
    lines[1] = "2025,India,IN,thirty-three"
    tmp_path.joinpath(*rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
    counters = ingest(store, "github_transparency", tmp_path)
    assert counters.rejected == 1
    err = counters.errors[0]
    assert err.where.endswith("cross_border_data_requests.csv:2") and err.field == "count"
    assert "thirty-three" in str(err)
    assert value(store, "MATCH (s:RequestStatistic) RETURN count(s) AS n") == 69
