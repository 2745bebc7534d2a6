"""apple_transparency on the real Apple Transparency Report bundle in ../shared/data
(SOURCES.md section 8): all eleven tables, CRLF, " -" missing values, "0 - 249" bands."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import SourceError
from tests.conftest import shared_file
from tests.ingest._helpers import file_report, ingested_twice, run_captured, snapshot

FOLDER = "apple-transparency-report"

# SOURCES.md section 8: rows per file -> layout.
ROWS = {
    "device_requests.csv": (1013, "device"),
    "account_requests.csv": (867, "account"),
    "account_preservation_requests.csv": (328, "account_preservation"),
    "account_restriction_deletion_requests.csv": (87, "account_restriction_deletion"),
    "app_takedown_legal_violation_requests.csv": (56, "app_takedown_legal"),
    "app_takedown_platform_policy_violation_requests.csv": (15, "app_takedown_policy"),
    "emergency_requests.csv": (383, "emergency"),
    "financial_identifier_requests.csv": (583, "financial_identifier"),
    "push_token_requests.csv": (5, "push_token"),
    "digital_content_provider_requests.csv": (22, "digital_content_provider"),
    "us_national_security_requests.csv": (40, "us_national_security"),
}


@pytest.fixture(scope="module")
def run():
    return run_captured("apple_transparency", shared_file(FOLDER))



def test_all_eleven_files(run):
    counters, cap = run
    assert counters.errors == []
    for name, (rows, layout) in ROWS.items():
        report = file_report(counters, name)
        assert report == {"layout": layout, "rows": rows, "rejected_rows": 0, "statistics": rows, "stored": True}
    assert len(cap.stats()) == sum(r for r, _ in ROWS.values())


def test_values(run):
    _, cap = run
    au = cap.one(layout="apple_transparency/device", countryName="Australia", period="2013 H1")
    assert (au.props["requests"], au.props["itemsSpecified"], au.props["requestsComplied"],
            au.props["complianceRate"]) == (1178, 1929, 695, 59.0)
    assert (au.props["periodStart"], au.props["periodEnd"]) == (dt.date(2013, 1, 1), dt.date(2013, 6, 30))
    assert au.props["name"] == "Apple device requests: Australia, 2013 H1"
    assert cap.links(au.id, "IN_JURISDICTION") == {"country-au"}
    assert cap.links(au.id, "REPORTS_ON") == {"apple-inc"}
    tr = cap.one(layout="apple_transparency/device", countryName="Türkiye", period="2014 H1")
    assert cap.links(tr.id, "IN_JURISDICTION") == {"country-tr"}


def test_missing_values_are_left_out(run):
    _, cap = run
    us = cap.one(layout="apple_transparency/account_restriction_deletion", period="2014 H2")
    assert us.props["countryName"] == "United States of America"
    assert (us.props["requests"], us.props["requestsRejected"], us.props["requestsAccountDeleted"]) == (2, 2, 0)
    assert "accountsSpecified" not in us.props and "requestsAccountRestricted" not in us.props  # " -"
    assert cap.links(us.id, "REPORTS_ON") == {"apple-inc", "icloud"}


def test_app_store_takedowns(run):
    _, cap = run
    cn = cap.one(layout="apple_transparency/app_takedown_legal", countryName="China mainland", period="2018 H2")
    assert (cn.props["requests"], cn.props["itemsSpecified"], cn.props["requestsRejected"],
            cn.props["requestsComplied"], cn.props["itemsWithheld"]) == (56, 626, 2, 55, 517)
    assert "appealsReceived" not in cn.props
    assert cap.links(cn.id, "IN_JURISDICTION") == {"country-cn"}
    assert cap.links(cn.id, "REPORTS_ON") == {"apple-inc", "app-store"}
    na = cap.one(layout="apple_transparency/app_takedown_policy", period="2018 H2", countryName="N/A")
    assert na.props["requests"] == 0 and not cap.links(na.id, "IN_JURISDICTION")


def test_national_security_bands(run):
    _, cap = run
    ns = cap.one(layout="apple_transparency/us_national_security", period="2013 H1", legalProcess="National Security")
    assert (ns.props["requestsMin"], ns.props["requestsMax"], ns.props["accountsSpecifiedMin"],
            ns.props["accountsSpecifiedMax"]) == (0, 249, 0, 249)
    assert "requests" not in ns.props and "accountsSpecified" not in ns.props
    assert {s.props["legalProcess"] for s in cap.stats(layout="apple_transparency/us_national_security")} == {
        "National Security", "FISA Content", "FISA Non-Content", "NSLs"}


def test_rerun_in_the_store_changes_nothing(tmp_path):
    files = [shared_file(FOLDER, n) for n in ("us_national_security_requests.csv", "push_token_requests.csv",
                                                "app_takedown_legal_violation_requests.csv")]
    with ingested_twice(tmp_path, "apple_transparency", files) as (store, _first, again, counts, dump):
        assert again.rejected == 0 and store.counts() == counts
        assert snapshot(store) == dump
        assert counts["entities"]["RequestStatistic"] == 40 + 5 + 56


def test_broken_copies(tmp_path):
    src = shared_file(FOLDER, "device_requests.csv")
    lines = src.read_bytes().decode("utf-8").splitlines(keepends=True)
    renamed = tmp_path / "a" / "device_requests.csv"
    renamed.parent.mkdir()
    renamed.write_text(lines[0].replace("Devices Specified", "Devices Named") + "".join(lines[1:]), encoding="utf-8",
                       newline="")
    dates = tmp_path / "b" / "device_requests.csv"
    dates.parent.mkdir()
    dates.write_text(lines[0] + lines[1].replace("6/30/13", "6/31/13") + "".join(lines[2:]), encoding="utf-8",
                     newline="")
    counters, cap = run_captured("apple_transparency", renamed, dates)
    err = next(e for e in counters.errors if e.where == str(renamed))
    assert isinstance(err, SourceError) and "'Devices Specified in Requests'" in str(err)
    assert "'Devices Named in Requests'" in str(err)
    err = next(e for e in counters.errors if e.where == f"{dates}:2")
    assert err.field == "TR End Date" and "'6/31/13'" in err.reason
    assert file_report(counters, "b/device_requests.csv")["statistics"] == 1012
