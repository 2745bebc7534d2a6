"""google_transparency on the real Google Transparency Report files in ../shared/data
(SOURCES.md section 1): every layout, row counts, values a reader would check, bands,
re-runs, the named query, and broken copies."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from graph.errors import SourceError
from ingest.run import available_sources, run_source
from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingested_twice, run_captured, snapshot

FOLDER = "google-transparency-report"

# SOURCES.md section 1: rows per file, and the rows we reject (with why).
ROWS = {
    "export-2025H1/google-government-removal-requests.csv": 17483,
    "export-2025H1/google-government-detailed-removal-requests.csv": 21065,
    "export-2022H1/google-government-removal-requests.csv": 1776,
    "export-2022H1/google-government-detailed-removal-requests.csv": 14468,
    "export-2022H1/google-government-removal-requests-historical.csv": 1204,
    "export-2022H1/google-government-detailed-removal-requests-historical.csv": 9645,
    "user-data-requests-2018H1/google-user-data-requests.csv": 1546,
    "user-data-requests-2023H2/google-global-user-data-requests.csv": 3456,
    "user-data-requests-2023H2/google-global-user-data-dlr-requests.csv": 542,
    "user-data-requests-2023H2/google-enterprise-data-requests.csv": 389,
    "user-data-requests-2023H2/google-enterprise-data-dlr-requests.csv": 15,
    "user-data-requests-2023H2/google-usnationalsecurity-fisa-content-requests.csv": 29,
    "user-data-requests-2023H2/google-usnationalsecurity-fisa-non-content-requests.csv": 29,
    "user-data-requests-2023H2/google-usnationalsecurity-nsl-requests.csv": 30,
    "user-data-requests-2023H2/google-usnationalsecurity-nsl-requests-released.csv": 282,
}
# China's 2009 H2 and 2010 H1 rows give "?" for the number of requests: stored as unknown.
REJECTED: dict[str, int] = {}
HISTORICAL = "export-2022H1/google-government-removal-requests-historical.csv"


@pytest.fixture(scope="module")
def run():
    return run_captured("google_transparency", shared_file(FOLDER))


def stat(cap, layout: str, **where):
    return cap.one(layout=f"google_transparency/{layout}", **where)



def test_every_file_is_read_with_its_row_count(run):
    counters, cap = run
    for name, rows in ROWS.items():
        report = file_report(counters, name)
        assert report["rows"] == rows, name
        assert report["rejected_rows"] == REJECTED.get(name, 0), name
        assert report["stored"], name
    assert len(counters.notes["files"]) == len(ROWS)
    # No row is rejected: the two "?" cells (China, 2009 H2 and 2010 H1) are unknown, not errors.
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    china = [s for s in cap.stats(layout="google_transparency/removals_historical", countryName="China")
             if "?" in (s.props.get("uncertain") or "")]
    assert len(china) == 2 and all("requests" not in s.props for s in china)
    assert all(s.props["uncertain"].startswith("All Requests: Number of Requests: '?'") for s in china)
    assert "products without a platform" not in counters.notes  # every product is in the lookup


def test_one_statistic_per_row(run):
    counters, cap = run
    for name, rows in ROWS.items():
        report = file_report(counters, name)
        good = rows - REJECTED.get(name, 0)
        if name == HISTORICAL:  # all requests, court orders, other requests: where the row has figures
            assert good <= report["statistics"] <= 3 * good
        else:
            assert report["statistics"] == good, name


def test_2025_export_values(run):
    _, cap = run
    s = stat(cap, "removals_2025", countryName="UAE", period="January - June 2025",
             requesterType="Court Order directed at 3rd party", product="Web Search", justification="Defamation")
    assert s.props["name"] == ("Google removal requests: UAE, 2025 H1, Web Search, Defamation, "
                               "Court Order directed at 3rd party")
    assert (s.props["requests"], s.props["itemsSpecified"], s.props["itemsNotEnoughInfo"],
            s.props["itemsRemovedLegal"]) == (1, 14, 14, 0)
    assert (s.props["periodStart"], s.props["periodEnd"], s.props["year"]) == (
        dt.date(2025, 1, 1), dt.date(2025, 6, 30), 2025)
    assert s.props["kind"] == "removal" and s.props["breakdown"] == "requester, product, reason"
    assert cap.links(s.id, "IN_JURISDICTION") == {"country-ae"}
    assert cap.links(s.id, "REPORTS_ON") == {"google-llc", "google-search"}
    tr = stat(cap, "removals_2025", countryName="Turkey", period="January - June 2019",
              requesterType="Court Order directed at 3rd party", product="Blogger", justification="Defamation")
    assert (tr.props["requests"], tr.props["itemsSpecified"]) == (21, 43)
    assert cap.links(tr.id, "REPORTS_ON") == {"google-llc", "blogger"}


def test_2022_export_percentages(run):
    _, cap = run
    s = stat(cap, "removals_2022", countryName="Turkey", periodEnd=dt.date(2019, 6, 30), requesterType="Police")
    assert (s.props["requests"], s.props["itemsSpecified"]) == (18, 21)
    assert (s.props["percentNotFound"], s.props["percentNotEnoughInfo"], s.props["percentNoAction"],
            s.props["percentAlreadyRemoved"]) == (5.0, 10.0, 71.0, 14.0)
    assert "percentRemovedLegal" not in s.props  # an empty cell is no figure, not 0


def test_historical_blocks_and_bands(run):
    _, cap = run
    total = stat(cap, "removals_historical", countryName="Turkey", periodEnd=dt.date(2019, 6, 30),
                 breakdown="total")
    assert (total.props["requests"], total.props["complianceRate"], total.props["itemsSpecified"]) == (1001, 28.0, 4362)
    court = stat(cap, "removals_historical", countryName="Turkey", periodEnd=dt.date(2019, 6, 30),
                 requesterType="Court Orders")
    assert (court.props["requests"], court.props["itemsSpecified"]) == (546, 2556)
    # "<10" is a band, never a number
    armenia = stat(cap, "removals_historical", countryName="Armenia", periodEnd=dt.date(2009, 12, 31))
    assert (armenia.props["requestsMin"], armenia.props["requestsMax"]) == (0, 9)
    assert "requests" not in armenia.props and armenia.props["complianceRate"] == 0.0
    banded_items = [s for s in cap.stats(layout="google_transparency/removals_historical")
                    if "itemsSpecifiedMax" in s.props]
    assert banded_items and all(s.props["itemsSpecifiedMax"] == 9 and "itemsSpecified" not in s.props
                                for s in banded_items)


def test_detailed_files_are_two_editions(run):
    _, cap = run
    hist = stat(cap, "removals_detailed_historical", countryName="Russia", periodEnd=dt.date(2016, 12, 31),
                product="YouTube", justification="Defamation")
    assert (hist.props["courtOrders"], hist.props["nonCourtRequests"], hist.props["itemsSpecified"]) == (8, 1, 29)
    cells = cap.stats(layout="google_transparency/removals_detailed", countryName="Argentina",
                      periodEnd=dt.date(2011, 6, 30), product="Blogger", justification="Defamation")
    assert sorted(s.props["editionDate"] for s in cells) == [dt.date(2022, 6, 30), dt.date(2025, 6, 30)]
    assert {s.props["itemsSpecified"] for s in cells} == {4} and len({s.id for s in cells}) == 2


def test_user_data_and_national_security(run):
    _, cap = run
    de = stat(cap, "user_data_2024", countryName="Germany", periodEnd=dt.date(2023, 6, 30),
              legalProcess="Other Legal Requests")
    assert (de.props["requests"], de.props["complianceRate"], de.props["accountsSpecified"]) == (34630, 81.0, 48173)
    fisa = stat(cap, "fisa_content", periodEnd=dt.date(2023, 6, 30))
    assert (fisa.props["requestsMin"], fisa.props["requestsMax"], fisa.props["accountsSpecifiedMin"],
            fisa.props["accountsSpecifiedMax"]) == (0, 499, 115000, 115499)
    assert fisa.props["legalProcess"] == "FISA content orders" and "requests" not in fisa.props
    assert cap.links(fisa.id, "IN_JURISDICTION") == {"country-us"}
    dlr = stat(cap, "user_data_diplomatic", countryName="Albania", periodEnd=dt.date(2019, 6, 30))
    assert dlr.props["assistingCountry"] == "United States" and dlr.props["requests"] == 1


def test_non_countries(run):
    _, cap = run
    europol = cap.stats(countryName="Europol")
    assert europol and all(cap.links(s.id, "IN_JURISDICTION") == {"eu"} for s in europol)
    interpol = cap.stats(countryName="Interpol")
    assert interpol and all(not cap.links(s.id, "IN_JURISDICTION") for s in interpol)
    empty = cap.stats(layout="google_transparency/enterprise_diplomatic", requests=0)
    assert len(empty) == 4 and all(not cap.links(s.id, "IN_JURISDICTION") for s in empty)
    assert all("no country named" in s.props["name"] for s in empty)


def test_released_national_security_letters(run):
    _, cap = run
    letters = [e for e in cap.entities.values() if e.cls == "InformationRequest"]
    assert len(letters) == 282
    nsl = cap.entities["gtr-nsl-20-517293"]
    assert nsl.props["date"] == dt.date(2020, 7, 27) and nsl.props["kind"] == "nsl"
    assert "2024-02-23" in nsl.props["description"]
    assert cap.links(nsl.id, "MADE_BY") == {"us-fbi"} and cap.links(nsl.id, "ADDRESSED_TO") == {"google-llc"}
    assert "gtr-nsl-20-525232-a" in cap.entities and "gtr-nsl-21-538556-2" in cap.entities


def test_every_record_names_its_file(run):
    _, cap = run
    sources = {e.id: e for e in cap.entities.values() if e.cls == "Source" and e.id.startswith("gtr-file-")}
    assert len(sources) == len(ROWS)
    assert all(s.props["publisher"] == "Google LLC" and s.props["url"].startswith("https://transparencyreport.google.com")
               for s in sources.values())
    for e in cap.entities.values():
        if e.cls in ("RequestStatistic", "InformationRequest"):
            assert len(e.sources) == 1 and e.sources[0] in sources


# ------------------------------------------------------------------ in the embedded store
@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The 2022 export's two summary files in a fresh embedded store, ingested twice."""
    files = [shared_file(FOLDER, "export-2022H1", "google-government-removal-requests.csv"),
             shared_file(FOLDER, "export-2022H1", "google-government-removal-requests-historical.csv")]
    with ingested_twice(tmp_path_factory.mktemp("gtr"), "google_transparency", files) as stored:
        yield stored


def test_rerun_changes_nothing(stored):
    store, first, second, counts, dump = stored
    assert first.rejected == second.rejected == 0
    assert store.counts() == counts
    assert snapshot(store) == dump
    assert counts["entities"]["RequestStatistic"] > 4000


def test_named_query_removals_by_half_year(stored):
    store = stored[0]
    rows = {r["period_end"]: r for r in store.run_named("google_removals_by_half_year", {"country": "TR"}).rows}
    assert min(rows) == dt.date(2009, 12, 31) and max(rows) == dt.date(2022, 6, 30)
    # 2019 H1 is in both files: the later edition (the 2022 export, by requester) wins
    h1 = rows[dt.date(2019, 6, 30)]
    assert (h1["requests_low"], h1["requests_high"], h1["items_low"]) == (1133, 1133, 4362)
    assert h1["edition"] == dt.date(2022, 6, 30) and h1["breakdown"] == "requester"
    old = rows[dt.date(2010, 6, 30)]
    assert (old["requests_low"], old["items_low"], old["edition"]) == (5, 81, dt.date(2019, 6, 30))
    armenia = store.run_named("google_removals_by_half_year", {"country": "AM"}).rows[0]
    assert (armenia["requests_low"], armenia["requests_high"]) == (0, 9)  # "<10"


# ------------------------------------------------------------------ broken copies
def test_broken_copies(tmp_path):
    src = shared_file(FOLDER, "export-2022H1", "google-government-removal-requests.csv")
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    renamed = tmp_path / "renamed" / "google-government-removal-requests.csv"
    renamed.parent.mkdir()
    renamed.write_text(lines[0].replace("Requester", "Requestor") + "".join(lines[1:]), encoding="utf-8")
    bad_number = tmp_path / "bad" / "google-government-removal-requests.csv"
    bad_number.parent.mkdir()
    bad_number.write_text("".join(lines[:5]) + lines[5].replace(",86,", ",8x6,") + "".join(lines[6:40]),
                          encoding="utf-8")
    latin1 = tmp_path / "latin1" / "google-government-removal-requests.csv"
    latin1.parent.mkdir()
    latin1.write_bytes("".join(lines[:20]).encode("utf-8") + "2019-06-30,Curaçao,CW,Other,1,1,100,,,,,\n".encode("latin-1"))
    counters, cap = run_captured("google_transparency", renamed, bad_number, latin1)
    by_file = {e.where.split(":")[0]: e for e in counters.errors}
    err = by_file[str(renamed)]
    assert isinstance(err, SourceError) and "'Requester'" in str(err) and "'Requestor'" in str(err)
    assert "removals_2022" in str(err)
    err = next(e for e in counters.errors if e.where.startswith(str(bad_number)))
    assert err.where.endswith(":6") and err.field == "Number of Requests" and "'8x6'" in err.reason
    assert "not UTF-8" in by_file[str(latin1)].reason
    assert file_report(counters, "bad/google-government-removal-requests.csv")["statistics"] == 38
    assert not file_report(counters, "renamed/google-government-removal-requests.csv")["stored"]
    assert not file_report(counters, "latin1/google-government-removal-requests.csv")["stored"]


def test_fisa_file_under_another_name_is_rejected(tmp_path):
    src = shared_file(FOLDER, "user-data-requests-2023H2", "google-usnationalsecurity-fisa-content-requests.csv")
    copy = tmp_path / "national-security.csv"
    shutil.copy(src, copy)
    counters, cap = run_captured("google_transparency", copy)
    (err,) = counters.errors
    assert "has the columns of layout" in err.reason and not cap.entities


def test_detect_claims_its_files():
    from ingest.sources.google_transparency import detect

    config = available_sources()["google_transparency"].config
    assert detect(shared_file(FOLDER, "export-2025H1", "google-government-removal-requests.csv"), config)
    assert not detect(shared_file("apple-transparency-report", "device_requests.csv"), config)


# ------------------------------------------------------------------ the same answers on Neo4j
@pytest.mark.neo4j
def test_statistics_queries_give_the_same_rows_on_neo4j(tmp_path, monkeypatch, neo4j_store):
    """Both queries of graph/queries/statistics.yaml on real figures in both engines."""
    import json

    from graph.model import plain
    from graph.stores.embedded import EmbeddedStore

    monkeypatch.setenv("GOVPLAT_HOME", str(tmp_path))
    google = [shared_file(FOLDER, "export-2022H1", "google-government-removal-requests.csv"),
              shared_file(FOLDER, "export-2022H1", "google-government-removal-requests-historical.csv")]
    meta_folder = "meta-government-requests"
    meta = [shared_file(meta_folder, "prpl-export-2013H1-2023H1", f"PRPL-Facebook-Government-Report-{h}.csv")
            for h in ("2013_H1", "2013_H2")]
    meta.append(shared_file(meta_folder, "early-export-2013H1", "facebook-gov-requests-2013S1.csv"))
    with EmbeddedStore(tmp_path / "store.lbug") as emb:
        for store in (emb, neo4j_store):
            run_source(available_sources()["google_transparency"], store, google)
            run_source(available_sources()["meta_requests"], store, meta)

        def number(v):
            # floats summed in another order may differ in the last bits (the embedded store
            # already turns Ladybug's Decimal sums into ints or floats)
            return round(v, 6) if isinstance(v, float) else v

        def rows(store, name, params):
            return [json.dumps({k: number(v) for k, v in plain(r).items()}, sort_keys=True, default=str)
                    for r in store.run_named(name, params).rows]

        for name, params in (("google_removals_by_half_year", {"country": "TR"}),
                             ("google_removals_by_half_year", {"country": "AM"}),
                             ("meta_data_produced_share", {"country": "US"}),
                             ("meta_data_produced_share", {})):
            embedded = rows(emb, name, params)
            assert embedded, (name, params)
            assert rows(neo4j_store, name, params) == embedded, (name, params)
