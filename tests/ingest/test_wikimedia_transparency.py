"""wikimedia_transparency on the real Wikimedia Foundation report data in ../shared/data
(SOURCES.md section 9): all nine files including privacy.json."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from graph.errors import SourceError
from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingested_twice, run_captured, snapshot

FOLDER = "wikimedia-transparency-report"

# SOURCES.md section 9: rows per file -> layout (privacy.json: 100 objects, counted per country
# and type into 44 rows).
ROWS = {
    "where_from.csv": (427, "where_from"),
    "targeted_takedown.csv": (295, "targeted_projects"),
    "sum.csv": (109, "user_data"),
    "dmca_requests.csv": (64, "dmca_requests"),
    "targeted_dmca.csv": (55, "targeted_dmca"),
    "other_companies.csv": (5, "other_companies"),
    "number_of_disclosures.csv": (3, "emergency_disclosures"),
    "voluntary_disclosure.csv": (3, "voluntary_disclosure"),
}


@pytest.fixture(scope="module")
def run():
    return run_captured("wikimedia_transparency", shared_file(FOLDER))



def test_all_files(run):
    counters, cap = run
    assert counters.errors == []
    for name, (rows, layout) in ROWS.items():
        report = file_report(counters, name)
        assert (report["rows"], report["layout"], report["rejected_rows"], report["stored"]) == (rows, layout, 0, True)
    assert file_report(counters, "privacy.json")["layout"] == "user_data_list"
    assert len(counters.notes["files"]) == len(ROWS) + 1


def test_requests_by_country(run):
    _, cap = run
    usa = cap.one(layout="wikimedia_transparency/where_from", countryName="USA", period="jul12jun13")
    assert (usa.props["requests"], usa.props["requestsComplied"]) == (54, 0)
    assert (usa.props["periodStart"], usa.props["periodEnd"]) == (dt.date(2012, 7, 1), dt.date(2013, 6, 30))
    assert usa.props["description"] == "Note: One case was American-Brazilian"
    assert usa.props["name"] == "Wikimedia content alteration and takedown requests: USA, Jul 2012 - Jun 2013"
    assert cap.links(usa.id, "IN_JURISDICTION") == {"country-us"}
    assert cap.links(usa.id, "REPORTS_ON") == {"wikimedia-foundation"}
    # the juldec18 rows leave out the empty tooltip cell: read as empty, not rejected
    assert cap.one(layout="wikimedia_transparency/where_from", countryName="USA", period="juldec18").props["requests"] == 71
    unknown = cap.stats(layout="wikimedia_transparency/where_from", countryName="Unknown")
    assert unknown and all(not cap.links(s.id, "IN_JURISDICTION") for s in unknown)
    korea = cap.stats(countryName="Korea")
    assert korea and all(cap.links(s.id, "IN_JURISDICTION") == {"country-kr"} for s in korea)


def test_user_data_by_legal_process(run):
    _, cap = run
    rows = {s.props["legalProcess"]: s for s in cap.stats(layout="wikimedia_transparency/user_data",
                                                          countryName="USA", period="jul12jun13")}
    assert rows["All"].props["requests"] == 15
    civil = rows["Civil Subpoena"].props
    assert (civil["requests"], civil["requestsFullyComplied"]) == (4, 3) and "requestsPartiallyComplied" not in civil
    assert len(rows) == 8


def test_projects(run):
    _, cap = run
    de = cap.one(layout="wikimedia_transparency/targeted_projects", product="German Wikipedia", period="juldec13")
    assert cap.links(de.id, "REPORTS_ON") == {"wikimedia-foundation", "wikipedia"}
    assert de.props["description"] == "Project address: de.wikipedia.org" and not cap.links(de.id, "IN_JURISDICTION")
    commons = cap.one(layout="wikimedia_transparency/targeted_projects", product="Wikimedia Commons",
                      period="juldec13")
    assert cap.links(commons.id, "REPORTS_ON") == {"wikimedia-foundation", "wikimedia-commons"}


def test_privacy_json_counts_every_request(run):
    _, cap = run
    data = json.loads(shared_file(FOLDER, "privacy.json").read_text(encoding="utf-8"))["requests"]
    rows = cap.stats(layout="wikimedia_transparency/user_data_list")
    assert sum(s.props["requests"] for s in rows) == len(data) == 100
    assert sum(s.props["requestsComplied"] for s in rows) == sum(d["disclosed"] == "Yes" for d in data)
    assert sum(s.props["requests"] for s in rows if s.props["countryName"] == "Sri Lanka") == 17
    assert all(s.props["uncertain"] == "the file states no reporting period" for s in rows)
    uk = cap.stats(layout="wikimedia_transparency/user_data_list", countryName="UK")
    assert uk and all(cap.links(s.id, "IN_JURISDICTION") == {"country-gb"} for s in uk)


def test_files_without_period_or_country(run):
    _, cap = run
    fb = cap.one(layout="wikimedia_transparency/other_companies", product="Facebook")
    assert (fb.props["requests"], fb.props["requestsComplied"]) == (103815, 76823)
    assert cap.links(fb.id, "REPORTS_ON") == {"facebook"}  # about Facebook, not the Foundation
    threats = cap.one(layout="wikimedia_transparency/emergency_disclosures", justification="Terrorist threats")
    assert threats.props["disclosures"] == 8 and "periodEnd" not in threats.props


def test_rerun_in_the_store_changes_nothing(tmp_path):
    files = [shared_file(FOLDER, n) for n in ("privacy.json", "sum.csv", "other_companies.csv")]
    with ingested_twice(tmp_path, "wikimedia_transparency", files) as (store, first, again, counts, dump):
        assert first.rejected == again.rejected == 0
        assert store.counts() == counts and snapshot(store) == dump


def test_broken_copies(tmp_path):
    data = json.loads(shared_file(FOLDER, "privacy.json").read_text(encoding="utf-8"))
    data["requests"][3]["disclosed"] = "Maybe"
    bad_value = tmp_path / "a" / "privacy.json"
    bad_value.parent.mkdir()
    bad_value.write_text(json.dumps(data), encoding="utf-8")
    renamed = tmp_path / "b" / "privacy.json"
    renamed.parent.mkdir()
    renamed.write_text(json.dumps({"requests": [{"nation": "France", "type": "Government", "disclosed": "No"}]}),
                       encoding="utf-8")
    not_json = tmp_path / "c" / "privacy.json"
    not_json.parent.mkdir()
    not_json.write_text('{"requests": [', encoding="utf-8")
    counters, cap = run_captured("wikimedia_transparency", bad_value, renamed, not_json)
    err = next(e for e in counters.errors if e.where.startswith(str(bad_value)))
    assert err.where == f"{bad_value}:requests[3]" and err.field == "disclosed" and "'Maybe'" in err.reason
    assert sum(s.props["requests"] for s in cap.stats()) == 99
    err = next(e for e in counters.errors if e.where == str(renamed))
    assert isinstance(err, SourceError) and "'nation'" in str(err) and "'country'" in str(err)
    err = next(e for e in counters.errors if e.where == str(not_json))
    assert "malformed JSON" in err.reason
