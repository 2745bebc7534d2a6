"""Source quality (issue 11.4) and statusAsOf (11.3): the tier table, the checks of
`govplat ingest cases`, and the bundled data meeting them."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from graph.errors import SourceError
from ingest.run import available_sources, run_source
from ingest.source_quality import quality_table

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "ingest" / "data" / "cases"
REGISTRY = ROOT / "ingest" / "data" / "registry"


def _bundled_records():
    for path in sorted([*REGISTRY.glob("*.yaml"), *CASES.glob("*.yaml")]):
        yield path, yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def check(tmp_path, text: str):
    """`ingest cases --check` over the core registry and one case file holding ``text``."""
    reg, cases = tmp_path / "registry", tmp_path / "cases"
    reg.mkdir(parents=True)
    cases.mkdir()
    shutil.copy(REGISTRY / "core.yaml", reg / "core.yaml")
    (cases / "case.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return run_source(available_sources()["cases"], None, [reg, cases], check_only=True)


CASE = """\
conflict:
  id: test-conflict
  name: A test conflict
  startDate: 2020-01-01
  status: {status}
  countries: [US]
  sources: [src-wire, src-court]
sources:
  - {{id: src-wire, kind: news, publisher: Reuters, title: T, url: https://www.reuters.com/a}}
  - {{id: src-court, kind: court_filing, publisher: A court, title: T2, docketNumber: "1:20-cv-1"}}
  - {{id: src-extra, kind: news, publisher: Someone, title: T3, url: {extra_url}{extra_quality}}}
entities:
  - {{id: an-event, class: RemovalRequest, name: A demand, date: 2020-01-02, sources: [{event_sources}]}}
  - {{id: a-case, class: CourtCase, name: A case, status: {case_status}, sources: [src-court]}}
"""


def case(status="resolved", case_status="decided", extra_url="https://example.org/x", extra_quality="",
         event_sources="src-wire"):
    return CASE.format(status=status, case_status=case_status, extra_url=extra_url,
                       extra_quality=extra_quality, event_sources=event_sources)


# ------------------------------------------------------------------ the bundled data


def test_bundled_sources_use_no_deny_listed_domain():
    table = quality_table()
    found = [f"{path.name}: {s['id']} ({s['url']})" for path, raw in _bundled_records()
             for s in raw.get("sources") or [] if table.deny_reason(s.get("url"))]
    assert found == []


def test_bundled_ongoing_conflicts_and_pending_cases_say_when_their_status_was_verified():
    missing = []
    for path, raw in _bundled_records():
        c = raw.get("conflict") or {}
        if c.get("status") == "ongoing" and not c.get("statusAsOf"):
            missing.append(f"{path.name}: {c['id']}")
        missing += [f"{path.name}: {e['id']}" for e in raw.get("entities") or []
                    if e.get("class") == "CourtCase" and e.get("status") in ("pending", "ongoing")
                    and not e.get("statusAsOf")]
    assert missing == []


def test_bundled_data_has_no_aggregator_only_event_and_passes_the_check():
    counters = run_source(available_sources()["cases"], None, None, check_only=True)
    assert [str(e) for e in counters.errors] == []
    # every dated event has a primary source or two independent reputable ones (issue 11.4)
    assert not any(k.startswith("dated events with neither a primary source") for k in counters.notes)
    # every conflict starts no later than its first event (month/year-precise ones by their period)
    assert not any(k.startswith("conflicts with events before their startDate") for k in counters.notes)


@pytest.mark.parametrize("date, precision, early", [
    ("2019-12-31", "day", True), ("2019-12-01", "month", True), ("2020-01-01", "day", False),
    ("2019-12-01", None, True), ("2020-01-01", "month", False), ("2019-01-01", "year", True),
])
def test_an_event_before_the_conflict_starts_is_listed_for_review_by_its_precision(tmp_path, date, precision,
                                                                                    early):
    text = case().replace("date: 2020-01-02,", f"date: {date}," + (f" datePrecision: {precision}," if precision else ""))
    counters = check(tmp_path, text)
    assert counters.errors == []
    listed = counters.notes.get("conflicts with events before their startDate (to review)", {})
    assert ("test-conflict" in listed) is early


# ------------------------------------------------------------------ the tier table


@pytest.mark.parametrize("source, tier", [
    ({"kind": "news", "url": "https://www.reuters.com/world/x"}, "major"),
    ({"kind": "news", "url": "https://uk.reuters.com/x"}, "major"),
    ({"kind": "press_release", "url": "https://www.ofcom.org.uk/news"}, "primary"),
    ({"kind": "news", "url": "https://www.supremecourt.gov/opinions/x.pdf"}, "primary"),
    ({"kind": "court_filing", "url": "https://law.justia.com/cases/x"}, "primary"),
    ({"kind": "report", "url": "https://supreme.justia.com/cases/x", "secondary": True}, "secondary"),
    ({"kind": "court_filing", "docketNumber": "C-311/18"}, "primary"),
    ({"kind": "news", "url": "https://some-local-paper.example/x"}, "secondary"),
    ({"kind": "reference", "url": "https://en.wikipedia.org/wiki/X"}, "aggregator"),
    ({"kind": "news", "url": "https://www.exbulletin.com/x"}, "aggregator"),
    ({"kind": "news", "url": "https://some-blog.example/x", "quality": "major"}, "major"),
    ({"kind": "news", "url": "https://wikimili.com/en/X", "quality": "primary"}, "aggregator"),
])
def test_tier_comes_from_the_deny_list_the_stated_tier_the_domain_and_the_kind(source, tier):
    assert quality_table().tier(source) == tier


def test_a_malformed_table_is_an_error_naming_the_file_and_entry(tmp_path):
    bad = tmp_path / "quality.yaml"
    bad.write_text("tiers: {primary: x}\ndomains:\n  famous: [reuters.com]\n", encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        quality_table(bad)
    assert "quality.yaml" in str(exc.value) and "famous" in str(exc.value)


# ------------------------------------------------------------------ the checks


def test_a_deny_listed_source_is_refused_with_file_record_and_field(tmp_path):
    counters = check(tmp_path, case(extra_url="https://www.newssummedup.com/a/x"))
    [err] = counters.errors
    assert err.where.endswith("case.yaml") and err.record == "src-extra" and err.field == "url"
    assert "newssummedup.com is on the deny list" in str(err)


def test_an_event_supported_only_by_aggregator_pages_is_refused(tmp_path):
    counters = check(tmp_path, case(extra_url="https://en.wikipedia.org/wiki/X", event_sources="src-extra"))
    assert [(e.record, e.field) for e in counters.errors if "aggregator" in str(e)] == [("an-event", "sources")]
    assert counters.rejected >= 1


def test_an_event_with_one_reputable_source_besides_an_aggregator_passes(tmp_path):
    counters = check(tmp_path, case(extra_url="https://en.wikipedia.org/wiki/X",
                                    event_sources="src-extra, src-wire"))
    assert counters.errors == []


@pytest.mark.parametrize("event_sources, listed", [
    ("src-extra", True),             # one secondary outlet: listed for review
    ("src-wire, src-extra", False),  # two independent reputable outlets
    ("src-court", False),            # a primary source
])
def test_an_event_without_a_primary_or_two_independent_sources_is_listed_for_review(tmp_path, event_sources,
                                                                                      listed):
    counters = check(tmp_path, case(event_sources=event_sources))
    assert counters.errors == []
    weak = next((v for k, v in counters.notes.items()
                 if k.startswith("dated events with neither a primary source")), {})
    assert ("an-event" in weak) is listed


def test_a_stated_tier_must_be_one_of_the_vocabulary(tmp_path):
    counters = check(tmp_path, case(extra_quality=", quality: excellent"))
    [err] = counters.errors
    assert (err.record, err.field) == ("src-extra", "quality")
    assert "SourceQualities" in str(err) and "primary" in str(err)


@pytest.mark.parametrize("status, case_status, record", [
    ("ongoing", "decided", "test-conflict"),
    ("resolved", "pending", "a-case"),
])
def test_an_open_status_without_statusasof_is_refused(tmp_path, status, case_status, record):
    counters = check(tmp_path, case(status=status, case_status=case_status))
    assert [(e.record, e.field) for e in counters.errors if e.field == "statusAsOf"] == [(record, "statusAsOf")]


def test_an_open_status_with_statusasof_passes(tmp_path):
    text = case(status="ongoing", case_status="pending")
    text = text.replace("  status: ongoing\n", "  status: ongoing\n  statusAsOf: 2026-12-04\n")
    text = text.replace("status: pending,", "status: pending, statusAsOf: 2026-12-04,")
    assert check(tmp_path, text).errors == []


def test_the_stored_source_carries_its_tier(tmp_path, store):
    reg, cases = tmp_path / "registry", tmp_path / "cases"
    reg.mkdir()
    cases.mkdir()
    shutil.copy(REGISTRY / "core.yaml", reg / "core.yaml")
    (cases / "case.yaml").write_text(case(), encoding="utf-8")
    counters = run_source(available_sources()["cases"], store, [reg, cases])
    assert counters.errors == []
    rows = store.run("MATCH (s:Source) WHERE s.id IN ['src-wire', 'src-court', 'src-extra'] "
                     "RETURN s.id AS id, s.quality AS q ORDER BY id").rows
    assert [(r["id"], r["q"]) for r in rows] == [("src-court", "primary"), ("src-extra", "secondary"),
                                                 ("src-wire", "major")]


# ------------------------------------------------------------------ the schema of the new fields


def test_statusasof_must_be_a_date(tmp_path):
    text = case(status="ongoing").replace("  status: ongoing\n", "  status: ongoing\n  statusAsOf: last week\n")
    counters = check(tmp_path, text)
    assert [(e.record, e.field) for e in counters.errors] == [("test-conflict", "statusAsOf")]


def test_identifiers_are_properties_of_cases_rulings_and_laws(tmp_path):
    text = case() + """\
  - {id: a-ruling, class: Ruling, name: A ruling, date: 2020-03-01, ecli: "ECLI:EU:C:2020:1",
     neutralCitation: "[2020] EWHC 1", sources: [src-court]}
  - {id: a-law, class: Law, name: A law, citation: Regulation (EU) 2020/1,
     eli: "http://data.europa.eu/eli/reg/2020/1/oj", sources: [src-court]}
"""
    assert check(tmp_path, text).errors == []
    counters = check(tmp_path / "bad", text.replace("ecli:", "ecliNumber:"))
    assert [(e.record, e.field) for e in counters.errors] == [("a-ruling", "ecliNumber")]
