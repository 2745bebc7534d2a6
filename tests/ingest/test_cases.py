"""The curated case files: schema, SHACL, bad input, idempotency."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from graph.stores import open_store
from graph.stores.embedded import EmbeddedStore
from ingest.run import available_sources, run_source

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "ingest" / "data" / "cases"
REGISTRY = ROOT / "ingest" / "data" / "registry"
FIRST = CASES / "twitter-dhs-alt-uscis-2017.yaml"


def ingest(store, *paths):
    return run_source(available_sources()["cases"], store, list(paths))


def copy_data(tmp_path, text: str | None = None, name: str = "broken.yaml"):
    """The registry + the first case + one extra file with ``text``."""
    reg, cases = tmp_path / "registry", tmp_path / "cases"
    reg.mkdir()
    cases.mkdir()
    shutil.copy(REGISTRY / "core.yaml", reg / "core.yaml")
    shutil.copy(FIRST, cases / FIRST.name)
    if text is not None:
        (cases / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return reg, cases


BROKEN_BASE = """\
conflict:
  id: test-conflict
  name: A test conflict
  startDate: 2020-01-01
  countries: [US]
  sources: [src-a, src-b]
sources:
  - {id: src-a, kind: news, publisher: P, title: T, url: https://example.org/a}
  - {id: src-b, kind: news, publisher: P, title: T2, url: https://example.org/b}
entities:
  - {id: good-demand, class: RemovalRequest, name: A good demand, date: 2020-01-02, sources: [src-a]}
"""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled registry and cases, ingested once for this module."""
    s = EmbeddedStore(tmp_path_factory.mktemp("bundled") / "graph.lbdb")
    counters = ingest(s, REGISTRY, CASES)
    yield s, counters
    s.close()


def test_bundled_cases_validate_with_no_rejections(bundled):
    store, counters = bundled
    assert [str(e) for e in counters.errors] == []
    counts = store.counts()
    assert counts["entities"]["Conflict"] >= 60
    assert not store.run("MATCH ()-[r]->() WHERE r.sources IS NULL OR size(r.sources) = 0 RETURN count(r) AS n").rows[0]["n"]


def test_first_case_answers_the_questions(bundled):
    store = bundled[0]
    rows = store.run("""
        MATCH (k:CourtCase {id: 'twitter-v-dhs'})
        MATCH (w:Withdrawal)-[:WITHDRAWS]->(d:InformationRequest)<-[:CHALLENGES]-(k)
        MATCH (k)-[:INVOKES]->(doc:LegalDoctrine)
        MATCH (cbp:LawEnforcement)-[:PART_OF]->(dhs:Agency)
        WHERE cbp.id = 'us-cbp'
        RETURN k.docketNumber AS docket, k.filedDate AS filed, w.date AS withdrawn,
               collect(DISTINCT doc.name) AS doctrines, dhs.id AS parent""").rows
    assert rows, "the first case is missing"
    r = rows[0]
    assert (r["docket"], str(r["filed"]), str(r["withdrawn"]), r["parent"]) == \
        ("3:17-cv-01916", "2017-04-06", "2017-04-07", "us-dhs")
    assert "First Amendment right to anonymous speech" in r["doctrines"]


@pytest.mark.parametrize("text, record, field, fragment", [
    ("conflict: [unclosed\n", "", "", "malformed YAML at line"),
    (BROKEN_BASE + "  - {id: bad-class, class: Spaceship, name: X, sources: [src-a]}\n",
     "bad-class", "class", "Spaceship"),
    (BROKEN_BASE + "  - {id: bad-date, class: RemovalRequest, name: X, date: 'April 6 2017', sources: [src-a]}\n",
     "bad-date", "date", "ISO 8601"),
    (BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, no-such-body]\n",
     "good-demand MADE_BY no-such-body", "to", "unknown id 'no-such-body'"),
    (BROKEN_BASE + "relations:\n  - [good-demand, FLIES_TO, us-dhs]\n",
     "good-demand FLIES_TO us-dhs", "type", "unknown relation type"),
    (BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, us-dhs, {validFrom: 'spring 2020'}]\n",
     "good-demand MADE_BY us-dhs", "validFrom", "YYYY-MM-DD"),
    (BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, us-dhs, {validFrom: 2020-03-01, validTo: 2020-01-01}]\n",
     "good-demand MADE_BY us-dhs", "validFrom", "after validTo"),
    (BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, us-dhs, {since: 2020-03-01}]\n",
     "good-demand MADE_BY us-dhs", "relations", "'validFrom', 'validTo'"),
    (BROKEN_BASE + "  - {id: no-source, class: RemovalRequest, name: X, date: 2020-01-02, sources: []}\n",
     "no-source", "sources", "at least 1"),
    (BROKEN_BASE + "  - {id: us-dhs, class: Agency, name: Another DHS, sources: [src-a]}\n",
     "us-dhs", "id", "already defined"),
    (BROKEN_BASE.replace("name: A good demand, ", "name: A good demand, name: dup, "), "", "", "duplicate key"),
])
def test_bad_input_is_reported_and_the_rest_stored(tmp_path, store, text, record, field, fragment):
    reg, cases = copy_data(tmp_path, text)
    counters = ingest(store, reg, cases)
    assert counters.rejected >= 1
    first = counters.errors[0]
    assert "broken.yaml" in first.where
    assert first.record == record and first.field == field, str(first)
    assert fragment in str(first)
    # everything else, including the first case, is stored
    assert store.run("MATCH (c:Conflict {id: 'twitter-dhs-alt-uscis-2017'}) RETURN count(c) AS n").rows[0]["n"] == 1
    assert store.run("MATCH (d:Agency {id: 'us-dhs'}) RETURN d.name AS n").rows[0]["n"] == \
        "U.S. Department of Homeland Security"


def test_fixing_a_file_converges_to_a_clean_run(tmp_path, home):
    reg, cases = copy_data(tmp_path, BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, no-such-body]\n")
    with open_store() as s:
        ingest(s, reg, cases)
        (cases / "broken.yaml").write_text(BROKEN_BASE + "relations:\n  - [good-demand, MADE_BY, us-dhs]\n")
        assert ingest(s, reg, cases).rejected == 0
        fixed = sorted(map(repr, s.dump()[0])), sorted(map(repr, s.dump()[1]))
    with EmbeddedStore(tmp_path / "clean" / "graph.lbdb") as s:
        ingest(s, reg, cases)
        assert (sorted(map(repr, s.dump()[0])), sorted(map(repr, s.dump()[1]))) == fixed


def test_non_utf8_file_is_named(tmp_path, store):
    reg, cases = copy_data(tmp_path)
    (cases / "latin1.yaml").write_bytes("conflict:\n  name: Caf\xe9\n".encode("latin-1"))
    counters = ingest(store, reg, cases)
    assert any("latin1.yaml" in str(e) and "UTF-8" in str(e) for e in counters.errors)


def test_hostile_strings_are_stored_as_text(tmp_path, store):
    hostile = "<img src=x onerror=alert(1)> '); MATCH (n) DETACH DELETE n; //"
    reg, cases = copy_data(tmp_path, BROKEN_BASE.replace("A good demand", hostile.replace("'", "''"))
                           .replace("name: A good", "name: A good"), name="hostile.yaml")
    text = (cases / "hostile.yaml").read_text()
    (cases / "hostile.yaml").write_text(text.replace(f"name: {hostile.replace(chr(39), chr(39)*2)}",
                                                     f"name: '{hostile.replace(chr(39), chr(39)*2)}'"))
    counters = ingest(store, reg, cases)
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    assert store.run("MATCH (d:RemovalRequest {id: 'good-demand'}) RETURN d.name AS n").rows[0]["n"] == hostile
    assert store.counts()["entities"]["Agency"] >= 1
