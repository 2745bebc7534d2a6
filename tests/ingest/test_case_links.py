"""A case names an event an event-level source holds (`heldBy`): one node, whichever loader runs first."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from ingest.event_ids import github_notice_id, lumen_notice_id, stop_case_event_id, stop_event_id
from ingest.sources import github_takedowns, keepiton, lumen
from tests.conftest import shared_file
from tests.ingest._helpers import embedded_home, ingest, snapshot

NOTICE = "Russia/2014/2014-10-21-roskomnadzor.md"

CASE = """\
sources:
  - id: test-news
    kind: news
    publisher: A test outlet
    title: Two notices a case also describes
    url: https://example.org/notices
entities:
  - id: rkn-notice
    class: RemovalRequest
    heldBy: {github_takedowns: Russia/2014/2014-10-21-roskomnadzor.md}
    name: Roskomnadzor (Russian Federation) takedown notice to GitHub of 2014-10-21
    kind: government_takedown
    date: 2014-10-21
    description: The first of the notices in the case
    sources: [test-news]
  - id: dmca-notice
    class: RemovalRequest
    heldBy: {lumen: 100}
    name: DMCA (Copyright) Complaint to Google
    kind: dmca_notice
    date: 2012-01-14
    sources: [test-news]
  - id: reply
    class: Response
    kind: complied
    name: The recipient complies
    date: 2014-11-01
    sources: [test-news]
relations:
  - [reply, RESPONDS_TO, rkn-notice]
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("case")
    (folder / "case.yaml").write_text(CASE, encoding="utf-8")
    notice = shared_file("github-gov-takedowns", *NOTICE.split("/"))
    return folder, notice, shared_file("lumen-chillingeffects", "notice_100.json")


def _load(home, steps):
    with embedded_home(home) as store:
        for source, path in steps:
            counters = ingest(store, source, path)
            assert counters.rejected == 0, [str(e) for e in counters.errors]
        return snapshot(store), store.run(
            "MATCH (r:RemovalRequest) OPTIONAL MATCH (x:Response)-[:RESPONDS_TO]->(r) "
            "RETURN r.id AS id, r.description AS d, r.sources AS s, x.id AS x ORDER BY id").rows


def test_case_and_event_source_merge_onto_one_node_in_either_order(tmp_path, inputs):
    case, notice, dmca = inputs
    first, rows = _load(tmp_path / "a", [("cases", case), ("github_takedowns", notice), ("lumen", dmca)])
    second, rows2 = _load(tmp_path / "b", [("lumen", dmca), ("github_takedowns", notice), ("cases", case)])
    assert first == second and rows == rows2
    gh = github_notice_id(NOTICE)
    assert [r["id"] for r in rows] == sorted([gh, "lumen-notice-100"])  # no second node
    node = next(r for r in rows if r["id"] == gh)
    assert node["d"] == "The first of the notices in the case" and node["x"] == "reply"
    assert "test-news" in node["s"] and any(s.startswith("ghgov-source-") for s in node["s"])
    assert sorted(next(r for r in rows if r["id"] == "lumen-notice-100")["s"]) == ["lumen-source-100", "test-news"]


def test_keys_give_the_source_ids():
    assert lumen_notice_id(" 100") == "lumen-notice-100"
    assert stop_case_event_id("stop-2019/12") == stop_event_id(stop_id=12)
    assert stop_case_event_id("IN/2019-08-04/National/full") == stop_event_id(
        key=("country-in", "2019-08-04", "national", "full"))


def test_bad_key_names_file_record_and_field(tmp_path):
    (tmp_path / "bad.yaml").write_text(textwrap.dedent("""\
        sources:
          - {id: s, kind: news, publisher: P, title: T, url: https://example.org}
        entities:
          - {id: a, class: RemovalRequest, heldBy: {lumen: abc}, name: N, kind: dmca_notice, date: 2012-01-14, sources: [s]}
          - {id: b, class: RemovalRequest, heldBy: {twitter: 1}, name: N, kind: dmca_notice, date: 2012-01-14, sources: [s]}
        """), encoding="utf-8")
    with embedded_home(tmp_path / "h") as store:
        counters = ingest(store, "cases", tmp_path / "bad.yaml")
    errors = {e.record: e for e in counters.errors}
    assert errors["a"].field == "heldBy" and "'abc' is not a Lumen notice number" in str(errors["a"])
    assert errors["b"].field == "heldBy" and "not an event-level source" in str(errors["b"])
    assert "bad.yaml" in errors["a"].where


def test_bundled_github_case_is_one_graph_in_either_order(tmp_path):
    """ru-github-block-2014 names GitHub's three 2014 notices: with the notices ingested
    before or after it, the graph is the same and the conflict holds GitHub's nodes."""
    data = Path(__file__).resolve().parents[2] / "ingest" / "data"
    cases = tmp_path / "cases"
    shutil.copytree(data / "registry", cases / "registry")
    shutil.copy(data / "cases" / "ru-github-block-2014.yaml", cases)
    notices = shared_file("github-gov-takedowns", "Russia", "2014")
    runs = []
    for i, order in enumerate([[("cases", cases), ("github_takedowns", notices)],
                               [("github_takedowns", notices), ("cases", cases)]]):
        with embedded_home(tmp_path / f"h{i}") as store:
            for source, path in order:
                assert ingest(store, source, path).rejected == 0
            held = [r["id"] for r in store.run(
                "MATCH (r:RemovalRequest)-[:IN_CONFLICT]->(:Conflict {id: 'ru-github-block-2014'}) "
                "RETURN r.id AS id ORDER BY id").rows]
            runs.append(snapshot(store))
    assert runs[0] == runs[1]
    assert held == sorted(github_notice_id(f"Russia/2014/2014-{d}-roskomnadzor.md")
                          for d in ("10-21", "11-27", "12-19"))
