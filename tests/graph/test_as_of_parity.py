"""Named queries as of a date give the same rows on a real Neo4j as on the embedded store
(issue 12, item 2): both read the stored validFrom/validTo with the same HOLDS() text."""
from __future__ import annotations

import pytest

from graph.queries import registry
from tests.graph.test_neo4j_parity import _rows

pytestmark = pytest.mark.neo4j

WHEN = [{"as_of": "2016-01-01"}, {"as_of": "2010-09-01"}, {"from": "2014-01-01", "to": "2017-12-31"},
        {"to": "2012-06-30"}]


@pytest.mark.parametrize("name", [q.name for q in registry() if q.timed])
def test_as_of_queries_give_the_same_rows(embedded_bundled, neo4j_bundled, name):
    q = registry().get(name)
    example = {p.name: p.example for p in q.params if p.example is not None}
    everything = embedded_bundled.run_named(name, example).rows
    narrowed = False
    for when in WHEN:
        a, b = embedded_bundled.run_named(name, example | when), neo4j_bundled.run_named(name, example | when)
        assert a.columns == b.columns
        assert _rows(a) == _rows(b), when
        narrowed |= len(a.rows) < len(everything)
    assert narrowed or not everything, "no date changed the answer: the filter is not applied"


# A relationship with its own valid time (issue 12): Biden's MEMBER_OF the White House holds from
# 2021-01-20 to 2025-01-20 (ingest/data/registry/batch-us.yaml); he holds before and after it.
TERM = [("relations_of", {"id": "joe-biden"}), ("neighbourhood", {"id": "joe-biden", "depth": 1}),
        ("entity", {"id": "joe-biden"}), ("shortest_path", {"source": "joe-biden", "target": "us-white-house"}),
        ("all_paths", {"source": "joe-biden", "target": "us-white-house", "max_length": 2})]


@pytest.mark.parametrize("name, params", TERM, ids=[t[0] for t in TERM])
def test_a_relations_own_valid_time_reads_the_same_on_both_engines(embedded_bundled, neo4j_bundled, name, params):
    def answers(store, day):
        return store.run_named(name, params | {"as_of": day})

    seen = {}
    for day in ("2022-06-01", "2025-06-01"):
        a, b = answers(embedded_bundled, day), answers(neo4j_bundled, day)
        assert a.columns == b.columns
        if name == "shortest_path":  # one of the shortest: among equally short paths each engine picks its own
            assert [r["length"] for r in a.rows] == [r["length"] for r in b.rows], day
            assert all(_held(r["path"], day) for r in a.rows + b.rows), day
        else:
            assert _rows(a) == _rows(b), day
        seen[day] = any(r["length"] == 1 for r in a.rows) if "length" in a.columns else "us-white-house" in repr(a.rows)
    assert seen == {"2022-06-01": True, "2025-06-01": False}, "the term's end was not applied"


def _held(path, day):
    """Every node and relationship of a path held on ``day`` (by its stored valid time)."""
    import datetime as dt

    from graph.valid_time import day_of, holds

    on = dt.date.fromisoformat(day)
    return all(holds((day_of(x.props.get("validFrom")), day_of(x.props.get("validTo"))), on)
               for x in (*path.nodes, *path.rels))
