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
