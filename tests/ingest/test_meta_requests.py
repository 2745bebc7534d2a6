"""meta_requests on the real Meta / Facebook files in ../shared/data (SOURCES.md section 7):
every half-year layout (52, 49, 52-with-produced and 48 columns) and the 2013 first edition."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import SourceError
from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingested_twice, run_captured, snapshot

FOLDER = "meta-government-requests"
PRPL = "prpl-export-2013H1-2023H1/PRPL-Facebook-Government-Report-{}.csv"

# SOURCES.md section 7: rows per file (blank lines not counted) and layout.
ROWS = {
    "2013_H1": (71, "prpl_52"), "2013_H2": (81, "prpl_52"), "2014_H1": (83, "prpl_52"), "2014_H2": (87, "prpl_52"),
    "2015_H1": (92, "prpl_52"), "2015_H2": (91, "prpl_52"), "2016_H1": (102, "prpl_52"),
    "2016_H2": (122, "prpl_52"), "2017_H1": (129, "prpl_52"),
    "2017_H2": (124, "prpl_49"), "2018_H1": (127, "prpl_49"), "2018_H2": (126, "prpl_49"),
    "2019_H1": (251, "prpl_52_produced"),
    "2020_H1": (251, "prpl_48"), "2020_H2": (251, "prpl_48"), "2021_H1": (251, "prpl_48"),
    "2022_H1": (251, "prpl_48"), "2022_H2": (251, "prpl_48"),
}
EARLY = "early-export-2013H1/facebook-gov-requests-2013S1.csv"
# Rows of places with no current ISO 3166-1 code, kept with their own nodes (none rejected):
# Somaliland (no ISO code) and Netherlands Antilles (ISO 3166-3 AN, withdrawn 2010).
UNCODED = {"2017_H2": ("Somaliland", "jurisdiction-somaliland"),
           **{h: ("Netherlands Antilles", "country-an") for h in
              ("2019_H1", "2020_H1", "2020_H2", "2021_H1", "2022_H1", "2022_H2")}}
REJECTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def run():
    return run_captured("meta_requests", shared_file(FOLDER))



def test_every_file_is_read_with_its_row_count(run):
    counters, cap = run
    for half, (rows, layout) in ROWS.items():
        report = file_report(counters, PRPL.format(half))
        assert (report["rows"], report["layout"], report["stored"]) == (rows, layout, True), half
        assert report["rejected_rows"] == (1 if half in REJECTED else 0), half
    early = file_report(counters, EARLY)
    assert (early["rows"], early["layout"], early["rejected_rows"], early["statistics"]) == (71, "early_2013", 0, 71)
    assert len(counters.notes["files"]) == len(ROWS) + 1
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    for half, (name, place) in UNCODED.items():
        found = [s for s in cap.stats(countryName=name) if s.origin.rsplit(":", 1)[0].endswith(PRPL.format(half))]
        assert found and all(cap.links(s.id, "IN_JURISDICTION") == {place} for s in found), half
    # every good row yields statistics (only the figures it has: Bangladesh 2013 H2 has no total)
    for half, (rows, _) in ROWS.items():
        good = rows - (1 if half in REJECTED else 0)
        lines = {s.origin for s in cap.stats() if s.origin.rsplit(":", 1)[0].endswith(PRPL.format(half))}
        assert len(lines) == good, half
    bangladesh = cap.stats(countryName="Bangladesh", periodEnd=dt.date(2013, 12, 31))
    assert {s.props["kind"] for s in bangladesh} == {"content_restriction", "takedown_report"}


def test_thousands_separators_and_percentages(run):
    _, cap = run
    us = cap.one(layout="meta_requests/prpl_52", countryName="United States", periodEnd=dt.date(2014, 6, 30),
                 legalProcess="All")
    assert (us.props["requests"], us.props["accountsSpecified"], us.props["complianceRate"]) == (15433, 23667, 80.0)
    assert us.props["name"] == "Meta user-data requests: United States, 2014 H1"
    assert cap.links(us.id, "IN_JURISDICTION") == {"country-us"}
    assert cap.links(us.id, "REPORTS_ON") == {"meta-platforms"}
    warrant = cap.one(layout="meta_requests/prpl_52", countryName="United States", periodEnd=dt.date(2014, 6, 30),
                      legalProcess="Search Warrant")
    assert (warrant.props["requests"], warrant.props["accountsSpecified"], warrant.props["complianceRate"]) == (
        7669, 12222, 84.0)
    assert warrant.props["breakdown"] == "legal process"


def test_ranges_are_bands(run):
    _, cap = run
    for layout, accounts in (("prpl_52", (20000, 21000)), ("early_2013", (20000, 21000))):
        us = cap.one(layout=f"meta_requests/{layout}", countryName="United States", periodEnd=dt.date(2013, 6, 30),
                     legalProcess="All")
        assert (us.props["requestsMin"], us.props["requestsMax"]) == (11000, 12000)
        assert (us.props["accountsSpecifiedMin"], us.props["accountsSpecifiedMax"]) == accounts
        assert "requests" not in us.props and us.props["complianceRate"] == 79.0
    early = cap.one(layout="meta_requests/early_2013", countryName="Germany")
    assert cap.links(early.id, "REPORTS_ON") == {"meta-platforms", "facebook"}
    assert early.props["editionDate"] == dt.date(2013, 6, 30)


def test_later_layouts(run):
    _, cap = run
    us19 = cap.one(layout="meta_requests/prpl_52_produced", countryName="United States",
                   periodEnd=dt.date(2019, 6, 30), legalProcess="All")
    assert (us19.props["requests"], us19.props["requestsComplied"], us19.props["accountsSpecified"],
            us19.props["complianceRate"]) == (50741, 44533, 82461, 88.0)
    us22 = cap.one(layout="meta_requests/prpl_48", countryName="United States", periodEnd=dt.date(2022, 12, 31),
                   legalProcess="All")
    assert (us22.props["requests"], us22.props["requestsComplied"]) == (64148, 56458)
    preservation = cap.one(layout="meta_requests/prpl_48", countryName="United States",
                           periodEnd=dt.date(2022, 12, 31), kind="preservation")
    assert (preservation.props["requests"], preservation.props["accountsPreserved"]) == (77048, 129070)
    restricted = cap.one(layout="meta_requests/prpl_49", countryName="Germany", periodEnd=dt.date(2017, 12, 31),
                         kind="content_restriction")
    assert restricted.props["itemsWithheld"] >= 0
    assert all(s.props["editionDate"] == dt.date(2023, 6, 30) for s in cap.stats()
               if s.props["layout"] != "meta_requests/early_2013")


# ------------------------------------------------------------------ in the embedded store
@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    files = [shared_file(FOLDER, *PRPL.format(h).split("/")) for h in ("2013_H1", "2013_H2")]
    files.append(shared_file(FOLDER, *EARLY.split("/")))
    with ingested_twice(tmp_path_factory.mktemp("meta"), "meta_requests", files) as stored:
        yield stored


def test_rerun_changes_nothing(stored):
    store, first, second, counts, dump = stored
    assert first.rejected == second.rejected == 0
    assert store.counts() == counts and snapshot(store) == dump


def test_named_query_data_produced_share(stored):
    store = stored[0]
    (de,) = store.run_named("meta_data_produced_share", {"country": "DE"}).rows
    # 2013 H1: 1,886 requests at 37%; 2013 H2: 1,687 at 38% (the first edition's 2013 H1 is superseded)
    assert (de["year"], de["requests"], de["half_years"], de["banded_half_years"]) == (2013, 3573, 2, 0)
    assert de["requests_with_data"] == pytest.approx(1886 * 0.37 + 1687 * 0.38)
    assert de["share_percent"] == pytest.approx(100 * (1886 * 0.37 + 1687 * 0.38) / 3573)
    (us,) = store.run_named("meta_data_produced_share", {"country": "US"}).rows
    assert (us["requests"], us["half_years"], us["banded_half_years"]) == (12598, 1, 1)
    everyone = store.run_named("meta_data_produced_share", {}).rows
    assert len(everyone) > 50 and {r["year"] for r in everyone} == {2013}


# ------------------------------------------------------------------ broken copies
def test_broken_copies(tmp_path):
    src = shared_file(FOLDER, *PRPL.format("2020_H2").split("/"))
    text = src.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    short = tmp_path / "a" / "PRPL-Facebook-Government-Report-2020_H2.csv"
    short.parent.mkdir()
    short.write_text(lines[0].replace(",NSLs Percentage", "") + "".join(lines[1:]), encoding="utf-8")
    bad = tmp_path / "b" / "PRPL-Facebook-Government-Report-2020_H2.csv"
    bad.parent.mkdir()
    bad.write_text(lines[0] + lines[1].replace(",0,", ",zero,", 1) + "".join(lines[2:]), encoding="utf-8")
    undated = tmp_path / "c" / "meta-report.csv"
    undated.parent.mkdir()
    undated.write_text(text, encoding="utf-8")
    counters, cap = run_captured("meta_requests", short, bad, undated)
    err = next(e for e in counters.errors if e.where == str(short))
    assert isinstance(err, SourceError) and "'NSLs Percentage'" in str(err) and "prpl_48" in str(err)
    err = next(e for e in counters.errors if e.where == f"{bad}:2")
    assert err.field and "'zero'" in err.reason
    # a file whose name does not say its half-year: every row is bad, the file is rejected
    err = next(e for e in counters.errors if e.where == str(undated))
    assert "rows (100.0%) are bad" in err.reason and "does not say its period" in err.reason
    assert not file_report(counters, "c/meta-report.csv")["stored"]
