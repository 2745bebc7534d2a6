"""The graph as of a date (issue 12, item 2): valid time stored at ingest, and named queries
that take as_of / from / to. The UAE's 2010 BlackBerry conflict runs from 2010-08-01 (the
regulator's order) to 2010-10-08 (the order called off)."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import QueryError
from tests.conftest import cli_json, run_cli

UAE = "ae-blackberry-suspension-threat-2010"


@pytest.fixture(scope="module")
def env(bundled_home):
    return {"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"}


def ids(store, name, **params):
    return [r["id"] for r in store.run_named(name, params).rows]


def test_every_entity_carries_its_valid_time(embedded_bundled):
    row = embedded_bundled.run("MATCH (c:Conflict {id: $id}) RETURN c.validFrom AS f, c.validTo AS t",
                               {"id": UAE}).rows[0]
    assert (row["f"], row["t"]) == (dt.date(2010, 8, 1), dt.date(2010, 10, 8))
    # A country has no dates of its own: it enters with its first dated neighbour, and never ends.
    row = embedded_bundled.run("MATCH (j:Country {id: 'country-ae'}) RETURN j.validFrom AS f, j.validTo AS t").rows[0]
    assert row["f"] is not None and row["f"] <= dt.date(2010, 8, 1) and row["t"] is None
    undated = embedded_bundled.run("MATCH (c:Conflict) WHERE c.validFrom IS NULL RETURN count(c) AS n").rows[0]["n"]
    assert undated == 0


def test_as_of_keeps_what_held_on_that_day(embedded_bundled):
    assert UAE in ids(embedded_bundled, "conflicts", as_of="2010-09-01")
    assert UAE not in ids(embedded_bundled, "conflicts", as_of="2010-07-31")   # not begun yet
    assert UAE not in ids(embedded_bundled, "conflicts", as_of="2010-10-09")   # over
    assert UAE in ids(embedded_bundled, "conflicts", as_of="2010-10-08")       # its last day
    everything = ids(embedded_bundled, "conflicts")
    assert len(ids(embedded_bundled, "conflicts", as_of="2016-01-01")) < len(everything)


def test_a_range_keeps_what_held_at_some_day_in_it(embedded_bundled):
    assert UAE in ids(embedded_bundled, "conflicts", **{"from": "2009-01-01", "to": "2010-08-01"})
    assert UAE not in ids(embedded_bundled, "conflicts", **{"from": "2010-10-09", "to": "2012-01-01"})
    # `to` alone: everything begun by then, ended or not (the history as it stood)
    assert UAE in ids(embedded_bundled, "conflicts", to="2015-01-01")
    assert UAE not in ids(embedded_bundled, "conflicts", to="2010-07-01")


def test_a_timeline_as_of_a_day_stops_there(embedded_bundled):
    before = ids(embedded_bundled, "conflict_timeline", conflict=UAE, as_of="2010-09-01")
    assert before == ["tra-orders-blackberry-suspension-2010"]
    assert len(ids(embedded_bundled, "conflict_timeline", conflict=UAE, as_of="2010-12-01")) == 2


def test_as_of_and_a_range_together_are_refused(embedded_bundled):
    with pytest.raises(QueryError, match="not both"):
        embedded_bundled.run_named("conflicts", {"as_of": "2010-01-01", "from": "2009-01-01"})
    with pytest.raises(QueryError, match="after"):
        embedded_bundled.run_named("conflicts", {"from": "2012-01-01", "to": "2010-01-01"})


def test_cli_takes_as_of_and_says_so_in_help(env):
    code, doc = cli_json("query", "conflicts", "-p", "as_of=2010-09-01", env=env)
    assert code == 0 and UAE in {r["id"] for r in doc["rows"]}
    help_text = run_cli("query", "conflicts", "--help", env=env).stdout
    assert "as_of" in help_text and "from" in help_text and "-p as_of=2016-01-01" in help_text
    bad = run_cli("query", "conflicts", "-p", "as_of=2016", env=env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
