"""The README and docs stand alone, and what they show runs (issue 15, item 11)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import cli_json

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CYPHER = (ROOT / "docs" / "cypher.md").read_text(encoding="utf-8")
WORKED = re.findall(r"```cypher\n(.*?)```", CYPHER, flags=re.S)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_no_page_points_outside_the_repository(page):
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text and "DESIGN.md" not in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not re.match(r"[a-z]+://", target):
            assert (page.parent / target).resolve().is_relative_to(ROOT), target
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_design_and_data_formats_live_in_docs():
    for name in ("design.md", "data-sources.md", "cypher.md"):
        assert (ROOT / "docs" / name).exists()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/design.md" in readme and "docs/data-sources.md" in readme and "docs/cypher.md" in readme


def test_cypher_page_has_ten_worked_queries_and_the_counting_rules():
    assert len(WORKED) == 10
    assert "MADE_BY" in CYPHER and "IN_JURISDICTION" in CYPHER and "ADDRESSED_TO" in CYPHER
    assert "govplat schema" in CYPHER


@pytest.mark.parametrize("n", range(1, 11))
def test_each_worked_query_runs_on_the_bundled_data(n, bundled_home):
    code, doc = cli_json("cypher", WORKED[n - 1], env={"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"})
    assert code == 0, doc
    assert doc["rows"], f"worked query {n} found nothing"


def test_sparql_post_example_sends_a_query_content_type():
    text = (ROOT / "docs" / "sparql-examples.md").read_text(encoding="utf-8")
    assert "POST the query text" not in text
    assert "Content-Type: application/sparql-query" in text


def test_the_architecture_page_matches_the_tree():
    """Every package and file docs/architecture.md names exists, and every package is described."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\*\*`([\w/]+/)`\*\*", text))
    packages = {p.parent.relative_to(ROOT).as_posix() + "/" for pkg in ("graph", "ingest", "dashboard")
                for p in (ROOT / pkg).rglob("__init__.py")}
    assert named == packages
    for path in re.findall(r"`((?:graph|ingest|dashboard)/[\w/.<>]+)`", text):
        if "<" not in path:
            assert (ROOT / path).exists(), path
