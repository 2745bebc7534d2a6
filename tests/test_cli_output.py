"""What analysts see from `query`, `cypher` and `ingest --list` (issue 15, items 9, 10, 12)."""
from __future__ import annotations

import csv
import io

import pytest

from graph.output import at_precision, path_text
from tests.conftest import cli_json, run_cli


@pytest.fixture(scope="module")
def env(bundled_home):
    return {"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"}


def test_query_help_describes_parameters_and_gives_an_example(env):
    proc = run_cli("query", "country_demands_per_platform_year", "--help", env=env)
    assert proc.returncode == 0
    for text in ("country", "string", "required", "ISO 3166-1 alpha-2", "capitals",
                 "govplat query country_demands_per_platform_year -p country=US"):
        assert text in proc.stdout
    proc = run_cli("query", "entity", "--help", env=env)
    assert "an entity id" in proc.stdout and "govplat query entity -p id=us-cbp" in proc.stdout


def test_unknown_names_suggest_the_closest(env):
    proc = run_cli("query", "conflict_timelin", env=env)
    assert proc.returncode != 0 and "did you mean 'conflict_timeline'" in proc.stderr
    proc = run_cli("query", "entity", "-p", "idd=us-cbp", env=env)
    assert proc.returncode != 0 and "did you mean 'id'" in proc.stderr


def test_answers_that_cannot_be_right_are_errors_not_empty_tables(env):
    proc = run_cli("query", "entity", "-p", "id=us-cpb", env=env)
    assert proc.returncode != 0 and "no entity with id 'us-cpb'" in proc.stderr and "'us-cbp'" in proc.stderr
    assert proc.stdout == ""
    proc = run_cli("query", "country_demands_per_platform_year", "-p", "country=us", env=env)
    assert proc.returncode != 0 and "capitals" in proc.stderr and "'US'" in proc.stderr
    proc = run_cli("cypher", "MATCH (n:Agency {id: $id}) RETURN n.name AS name", env=env)
    assert proc.returncode != 0 and "$id" in proc.stderr and "-p id=" in proc.stderr
    proc = run_cli("query", "google_removals_by_half_year", "-p", "country=TR", env=env)
    assert proc.returncode != 0 and "RequestStatistic" in proc.stderr and "google_transparency" in proc.stderr


def test_formats_and_the_json_alias(env):
    a = run_cli("query", "conflicts", "--json", env=env, check=True).stdout
    b = run_cli("query", "conflicts", "--format", "json", env=env, check=True).stdout
    assert a == b
    rows = list(csv.DictReader(io.StringIO(run_cli("query", "conflicts", "--format", "csv", env=env, check=True).stdout)))
    assert rows and "date_precision" not in rows[0] and rows[0]["id"]
    tsv = run_cli("cypher", "MATCH (p:Platform) RETURN p.id AS id ORDER BY id LIMIT 3", "--format", "tsv",
                  env=env, check=True).stdout
    assert tsv.splitlines()[0] == "id" and len(tsv.splitlines()) == 4
    assert run_cli("query", "conflicts", "--format", "xml", env=env).returncode == 2


def test_piped_tables_never_fold_ids_or_dates(env):
    out = run_cli("query", "conflicts", env=env, check=True).stdout
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "started"]
    row = next(line for line in lines if line.startswith("twitter-dhs-alt-uscis-2017 "))
    assert "2017-03-14" in row and "2017-04-07" in row  # the whole row on one line
    assert max(len(line) for line in lines) > 80


def test_dates_print_at_their_precision(env):
    (doc_rows) = cli_json("query", "conflicts", env=env)[1]["rows"]
    apple = next(r for r in doc_rows if r["id"] == "gb-apple-adp-tcn-2025")
    assert apple["started"] == "2025-01"  # the sources state the month
    assert at_precision("2005-01-01", "year") == "2005" and at_precision("2017-04-06", None) == "2017-04-06"


def test_paths_print_with_arrows_and_no_internal_columns(env):
    code, doc = cli_json("query", "all_paths", "-p", "source=alt-uscis", "-p", "target=us-dhs", "-p", "limit=2", env=env)
    assert "sort_key" not in doc["columns"] and doc["truncated"] is True and doc["row_count"] == 2
    table = run_cli("query", "all_paths", "-p", "source=alt-uscis", "-p", "target=us-dhs", env=env, check=True).stdout
    assert "alt-uscis <-[INVOLVES]- twitter-dhs-alt-uscis-2017 -[INVOLVES]-> us-dhs" in table
    assert "sort_key" not in table
    node = lambda i: {"_type": "node", "id": i, "class": "X", "props": {}}  # noqa: E731
    assert path_text({"nodes": [node("a"), node("b")], "rels": [{"type": "T", "src": "b", "dst": "a"}]}) == "a <-[T]- b"


def test_search_shows_the_class_and_says_when_it_stopped(env):
    code, doc = cli_json("query", "search", "-p", "text=a", "-p", "limit=5", env=env)
    assert doc["columns"] == ["id", "class", "name"] and doc["row_count"] == 5 and doc["truncated"] is True
    assert all(r["class"] for r in doc["rows"])
    proc = run_cli("query", "search", "-p", "text=a", "-p", "limit=5", env=env)
    assert "stopped at 5 rows" in proc.stderr
    code, doc = cli_json("query", "search", "-p", "text=ALT_uscis", env=env)
    assert doc["truncated"] is False and doc["rows"][0]["class"] == "Account"


def test_ingest_list_shows_what_each_source_reads(env):
    code, doc = cli_json("ingest", "--list", env=env)
    by_name = {d["source"]: d for d in doc}
    assert all(d["reads"] and all(r["files"] and r["format"] for r in d["reads"]) for d in doc)
    assert any("*.csv" in r["files"] for r in by_name["keepiton"]["reads"])
    assert any("*.xml" in r["files"] for r in by_name["courtlistener"]["reads"])
    table = run_cli("ingest", "--list", env=env, check=True).stdout
    assert "*.yaml" in table and "files" in table and "format" in table
