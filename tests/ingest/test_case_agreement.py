"""Controlled vocabularies and self-agreement of the curated case files (issue 15, items 1 and 5)."""
from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter

import pytest

from graph.model import Entity
from graph.ontology import ontology
from ingest.sources.cases import disagreements
from tests.ingest.test_cases import BROKEN_BASE, CASES, copy_data, ingest

PARTY_ROLES = {"plaintiff", "petitioner", "claimant", "appellant", "applicant", "defendant", "respondent",
               "appellee", "intervener", "amicus"}


def test_party_roles_are_skos_concepts_each_on_a_side():
    vocab = ontology().vocabulary_for("role", "PARTY_TO")
    assert PARTY_ROLES <= set(vocab.concepts)
    sides = {n: c.side for n, c in vocab.concepts.items()}
    assert {sides[r] for r in ("plaintiff", "petitioner", "claimant", "appellant", "applicant")} == {"initiating"}
    assert {sides[r] for r in ("defendant", "respondent", "appellee")} == {"responding"}
    assert {sides[r] for r in ("intervener", "amicus")} == {"other"}
    assert set(ontology().vocabulary_for("side", "PARTY_TO").concepts) == {"initiating", "responding", "other"}


def _case(tmp_path, relations: str = "", extra_sources: str = ""):
    text = BROKEN_BASE + extra_sources + textwrap.dedent("""\
      - {id: test-case, class: CourtCase, name: A v B, sources: [src-a]}
    relations:
    """) + relations
    return copy_data(tmp_path, text)


def test_an_unknown_party_role_is_refused_with_file_record_and_field(tmp_path, store):
    reg, cases = _case(tmp_path, "  - [us-dhs, PARTY_TO, test-case, {role: respondent (Attorney General)}]\n"
                                 "  - [twitter, PARTY_TO, test-case, {role: plaintif}]\n")
    counters = ingest(store, reg, cases)
    messages = [str(e) for e in counters.errors]
    assert counters.rejected == 2, messages
    assert any("broken.yaml" in m and "record 'twitter PARTY_TO test-case'" in m and "field 'role'" in m
               and "did you mean 'plaintiff'" in m for m in messages), messages
    assert any("'respondent (Attorney General)'" in m for m in messages), messages


def test_role_detail_is_kept_and_side_derived(tmp_path, store):
    reg, cases = _case(tmp_path, "  - [us-dhs, PARTY_TO, test-case, {role: respondent, roleDetail: Attorney General}]\n"
                                 "  - [twitter, PARTY_TO, test-case, {role: claimant}]\n")
    counters = ingest(store, reg, cases)
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    rows = store.run("MATCH (a)-[r:PARTY_TO]->(k:CourtCase {id: 'test-case'}) "
                     "RETURN a.id AS id, r.role AS role, r.roleDetail AS detail, r.side AS side ORDER BY id").rows
    assert rows == [{"id": "twitter", "role": "claimant", "detail": None, "side": "initiating"},
                    {"id": "us-dhs", "role": "respondent", "detail": "Attorney General", "side": "responding"}]


def test_a_source_kind_not_declared_in_the_ontology_is_refused(tmp_path, store):
    reg, cases = _case(tmp_path, "  - [blog-post, MADE_BY, twitter]\n",
                       extra_sources="  - {id: blog-post, class: PublicStatement, name: S, "
                                     "date: 2020-01-03, sources: [src-c]}\n")
    text = (cases / "broken.yaml").read_text().replace(
        "sources:\n  - {id: src-a", "sources:\n  - {id: src-c, kind: blogpost, publisher: P, title: T3, "
                                   "url: https://example.org/c}\n  - {id: src-a", 1)
    (cases / "broken.yaml").write_text(text)
    counters = ingest(store, reg, cases)
    messages = [str(e) for e in counters.errors]
    assert any("record 'src-c'" in m and "field 'kind'" in m and "reference" in m for m in messages), messages
    assert "reference" in ontology().vocabulary_for("kind", "Source").concepts


MISSPELT = {
    "response kind and case status": (
        "bad-response",
        "  - {id: bad-response, class: Response, name: R, kind: complyed, date: 2020-01-03, sources: [src-a]}\n"
        "  - {id: bad-case, class: CourtCase, name: B v C, status: decidet, sources: [src-a]}\n",
        [("record 'bad-response'", "field 'kind'", "did you mean 'complied'"),
         ("record 'bad-case'", "field 'status'", "did you mean 'decided'")]),
    "demand instrument and ruling outcome": (
        "bad-block",
        "  - {id: bad-block, class: BlockingOrder, name: B, kind: throtle, date: 2020-01-03, sources: [src-a]}\n"
        "  - {id: bad-ruling, class: Ruling, name: R, outcome: apeal dismissed 7-2, date: 2020-01-03, sources: [src-a]}\n",
        [("broken.yaml", "record 'bad-block'", "field 'kind'", "did you mean 'throttle'", "DemandInstruments"),
         ("record 'bad-ruling'", "field 'outcome'", "did you mean 'appeal dismissed 7-2'",
          "ingest/data/vocab/RulingOutcomes.yaml")]),
}


@pytest.mark.parametrize("what", MISSPELT)
def test_a_misspelt_controlled_value_is_refused_with_did_you_mean(tmp_path, store, what):
    maker, records, expected = MISSPELT[what]
    reg, cases = _case(tmp_path, f"  - [{maker}, MADE_BY, twitter]\n", extra_sources=records)
    counters = ingest(store, reg, cases)
    messages = [str(e) for e in counters.errors]
    for parts in expected:
        assert any(all(p in m for p in parts) for m in messages), (parts, messages)


def test_every_controlled_value_in_the_bundled_cases_is_a_declared_concept():
    """Kinds (demand instruments, responses, enforcement, legislative and ruling kinds, sources),
    case and conflict statuses, ruling and case outcomes and party roles used in
    ingest/data/cases and ingest/data/registry are notations of the ontology's concept schemes,
    or wordings that ingest/data/vocab maps to one."""
    import glob

    import yaml

    from graph.errors import ValidationError
    from ingest.vocab import controlled_value

    onto, unknown, checked = ontology(), [], Counter()
    paths = sorted(glob.glob(str(CASES / "*.yaml"))) + sorted(glob.glob(str(CASES.parent / "registry" / "*.yaml")))
    for path in paths:
        doc = yaml.safe_load(open(path, encoding="utf-8")) or {}
        records = [{**doc["conflict"], "class": "Conflict"}] if doc.get("conflict") else []
        records += [{**s, "class": "Source"} for s in doc.get("sources") or []] + (doc.get("entities") or [])
        for rec in records:
            for prop in ("kind", "status", "outcome"):
                vocab = onto.vocabulary_for(prop, rec["class"]) if rec.get(prop) is not None else None
                if vocab is not None:
                    checked[vocab.name] += 1
                    try:
                        controlled_value(vocab, rec[prop])
                    except ValidationError:
                        unknown.append((path, rec.get("id"), prop, rec[prop]))
        for rel in doc.get("relations") or []:
            if len(rel) > 3 and isinstance(rel[3], dict) and rel[3].get("role") and rel[1] == "PARTY_TO":
                checked["PartyRoles"] += 1
                if rel[3]["role"] not in onto.vocabulary_for("role", "PARTY_TO").concepts:
                    unknown.append((path, rel[0], "role", rel[3]["role"]))
    assert unknown == []
    assert sum(checked.values()) > 1500 and checked["DemandInstruments"] > 250 and checked["RulingOutcomes"] > 200, checked


def test_a_wording_is_stored_as_its_concept_with_the_wording_kept(tmp_path, store):
    reg, cases = _case(tmp_path, "  - [a-block, MADE_BY, twitter]\n", extra_sources=(
        "  - {id: a-block, class: BlockingOrder, name: B, kind: section_69a_order, date: 2020-01-03, sources: [src-a]}\n"
        "  - {id: a-ruling, class: Ruling, name: R, outcome: appeal dismissed 7-2, date: 2020-01-03, sources: [src-a]}\n"
        "  - {id: b-ruling, class: Ruling, name: R2, outcome: reversed, outcomeDetail: reversed on the papers, "
        "date: 2020-01-04, sources: [src-a]}\n"))
    counters = ingest(store, reg, cases)
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    rows = store.run("MATCH (e) WHERE e.id IN ['a-block', 'a-ruling', 'b-ruling'] RETURN e.id AS id, e.kind AS kind, "
                     "e.kindDetail AS kd, e.outcome AS outcome, e.outcomeDetail AS od ORDER BY id").rows
    assert rows == [
        {"id": "a-block", "kind": "executive_order", "kd": "section_69a_order", "outcome": None, "od": None},
        {"id": "a-ruling", "kind": None, "kd": None, "outcome": "upheld", "od": "appeal dismissed 7-2"},
        {"id": "b-ruling", "kind": None, "kd": None, "outcome": "reversed", "od": "reversed on the papers"}]


def _conflict(cid: str, name: str, start: str, end: str | None = None, status: str = "resolved") -> Entity:
    props = {"name": name, "startDate": dt.date.fromisoformat(start), "status": status}
    if end:
        props["endDate"] = dt.date.fromisoformat(end)
    return Entity(cid, "Conflict", props, ["a", "b"], "cases/x.yaml")


@pytest.mark.parametrize("conflict, field, words", [
    # the Iranian Telegram block as it was: named as if it ended, but ongoing
    (_conflict("ir-telegram-block-2018", "Iran's blocking of Telegram (December 2017 – April 2018)", "2017-12-30",
               status="ongoing"), "name", "no endDate"),
    (_conflict("x-2020", "X", "2020-01-01", "2021-01-01", status="ongoing"), "endDate", "ongoing"),
    (_conflict("x-2024", "X", "2020-01-01", "2021-01-01"), "id", "2024"),
    (_conflict("x-2020", "X (2019 protests)", "2020-01-01", "2021-01-01"), "name", "2019"),
    (_conflict("x-2020", "X (2020–2022)", "2020-01-01", "2021-06-01"), "name", "2022"),
    (_conflict("x-2020", "X", "2020-01-01", "2019-06-01"), "endDate", "before"),
])
def test_contradicting_ids_names_dates_and_status_are_named(conflict, field, words):
    errors = disagreements(conflict, today=dt.date(2026, 1, 1))
    assert any(e.field == field and words in e.reason and e.record == conflict.id and e.where for e in errors), \
        [str(e) for e in errors]


def test_agreeing_conflicts_pass():
    assert disagreements(_conflict("pk-youtube-ban-2012", "Pakistan's YouTube ban (September 2012 – January 2016)",
                                   "2012-09-17", "2016-01-18")) == []
    assert disagreements(_conflict("es-telegram-suspension-2024", "A 2023 request and a 2024 order",
                                   "2023-07-28", "2024-03-25")) == []


def test_the_check_command_rejects_a_contradicting_case_file(tmp_path):
    from tests.conftest import run_cli

    reg, cases = copy_data(tmp_path, BROKEN_BASE.replace("name: A test conflict",
                                                         "name: A test conflict (2020 – 2021)\n  status: ongoing"))
    proc = run_cli("ingest", "cases", str(reg), str(cases), "--check", env={"GOVPLAT_HOME": str(tmp_path / "h")})
    assert proc.returncode == 1
    assert "broken.yaml, record 'test-conflict', field 'name'" in proc.stderr


def test_the_check_command_refuses_a_relation_the_store_would_refuse(tmp_path):
    """`ingest cases --check` writes nothing, yet names a relation whose type the ontology does not
    allow between its ends' classes, as the store would at ingest."""
    from tests.conftest import run_cli

    reg, cases = _case(tmp_path, "  - [twitter, MEMBER_OF, good-demand]\n")
    proc = run_cli("ingest", "cases", str(reg), str(cases), "--check", env={"GOVPLAT_HOME": str(tmp_path / "h")})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "record 'twitter MEMBER_OF good-demand'" in proc.stderr and "field 'type'" in proc.stderr, proc.stderr
    assert "MEMBER_OF cannot join" in proc.stderr


def test_a_record_citing_an_undefined_source_is_refused(tmp_path):
    from tests.conftest import run_cli

    reg, cases = copy_data(tmp_path, BROKEN_BASE.replace("sources: [src-a]}", "sources: [src-a, src-gone]}"))
    proc = run_cli("ingest", "cases", str(reg), str(cases), "--check", env={"GOVPLAT_HOME": str(tmp_path / "h")})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "record 'good-demand'" in proc.stderr and "field 'sources'" in proc.stderr, proc.stderr
    assert "'src-gone', which no file defines as a source" in proc.stderr
