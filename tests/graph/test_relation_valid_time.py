"""Relationships with valid time of their own (issue 12): a link stated in the case format with
validFrom/validTo holds only within them, on top of its two ends holding. A made-up official
is a member of DHS from 2020-01-10 to 2020-06-30; the demand they made is dated 2020-01-02, so
the official holds from then on and the membership does not."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from graph import valid_time
from graph.rdf import view as rdf
from graph.rdf.importer import read
from graph.stores.embedded import EmbeddedStore
from tests.ingest.test_cases import BROKEN_BASE, copy_data, ingest

TERM = BROKEN_BASE + """\
  - {id: test-official, class: Official, name: A test official, sources: [src-a]}
relations:
  - [good-demand, MADE_BY, test-official]
  - [test-official, MEMBER_OF, us-dhs, {role: Secretary, validFrom: 2020-01-10, validTo: 2020-06-30}]
"""
BEFORE, DURING, AFTER = "2020-01-05", "2020-03-01", "2020-08-01"


@pytest.fixture(scope="module")
def term_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    reg, cases = copy_data(tmp, TERM, name="term.yaml")
    store = EmbeddedStore(tmp / "graph.lbdb")
    counters = ingest(store, reg, cases)
    assert [str(e) for e in counters.errors] == []
    valid_time.stamp(store)
    yield store
    store.close()


def _member_of(store, **when):
    return [r for r in store.run_named("relations_of", {"id": "test-official", **when}).rows
            if r["relation"] == "MEMBER_OF"]


def test_the_case_format_stores_a_relations_own_dates(term_store):
    row = term_store.run("MATCH (:Official {id: 'test-official'})-[r:MEMBER_OF]->(:Agency {id: 'us-dhs'}) "
                         "RETURN r.validFrom AS f, r.validTo AS t, r.role AS role").rows
    assert row == [{"f": dt.date(2020, 1, 10), "t": dt.date(2020, 6, 30), "role": "Secretary"}]
    # the official's own interval is still derived from its dated neighbour, not from the term
    f = term_store.run("MATCH (o:Official {id: 'test-official'}) RETURN o.validFrom AS f").rows[0]["f"]
    assert f == dt.date(2020, 1, 2)


def test_holds_reads_a_relations_own_dates(term_store):
    assert _member_of(term_store) and _member_of(term_store, as_of=DURING)
    assert not _member_of(term_store, as_of=BEFORE)      # both ends hold, the term has not begun
    assert not _member_of(term_store, as_of=AFTER)       # the term is over
    assert _member_of(term_store, **{"from": "2020-06-30", "to": "2020-12-31"})  # its last day is in range
    assert _member_of(term_store, as_of=DURING)[0]["valid_to"] == dt.date(2020, 6, 30)


def test_paths_and_neighbours_skip_a_relation_that_did_not_hold(term_store):
    def near(day):
        return {r["id"] for r in term_store.run_named("neighbourhood", {"id": "test-official", "depth": 1,
                                                                         "as_of": day}).rows}
    assert "us-dhs" in near(DURING) and "us-dhs" not in near(AFTER)
    assert "good-demand" in near(AFTER)

    def shortest(day):
        rows = term_store.run_named("shortest_path", {"source": "test-official", "target": "us-dhs", "as_of": day}).rows
        return rows[0]["length"] if rows else None
    assert shortest(DURING) == 1
    assert shortest(AFTER) != 1   # a longer way round, or none: never the ended membership

    def paths(day):
        return term_store.run_named("all_paths", {"source": "test-official", "target": "us-dhs", "as_of": day}).rows
    assert any(p["types"] == ["MEMBER_OF"] for p in paths(DURING))
    assert not any("MEMBER_OF" in p["types"] for p in paths(AFTER))
    entity = term_store.run_named("entity", {"id": "test-official", "as_of": AFTER}).rows[0]
    assert not any("MEMBER_OF" in line for line in entity["outgoing"])


def test_export_as_of_keeps_a_relation_only_within_its_dates(term_store):
    def kept(day):
        ents, rels = valid_time.as_it_stood(*term_store.dump(), dt.date.fromisoformat(day))
        list(ents)
        return {(r.src, r.type, r.dst) for r in rels}
    member = ("test-official", "MEMBER_OF", "us-dhs")
    assert member in kept(DURING) and member not in kept(AFTER) and member not in kept(BEFORE)


def test_what_changed_lists_a_relation_begun_and_ended(term_store):
    from graph.analytics import from_records

    G = from_records(*term_store.dump())
    found = valid_time.changes(G, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert any(r["type"] == "MEMBER_OF" and r["date"] == dt.date(2020, 1, 10) for r in found["relations"])
    assert [(r["type"], r["date"]) for r in found["relations_ended"]] == [("MEMBER_OF", dt.date(2020, 6, 30))]


@pytest.mark.parametrize("mode", rdf.RELATION_MODES)
def test_rdf_states_the_dates_on_the_relationship_and_reads_them_back(term_store, mode):
    entities, relations = (list(x) for x in term_store.dump())
    out = io.BytesIO()
    rdf.write(entities, relations, "ttl", out, relations_mode=mode)
    text = out.getvalue().decode()
    assert 'gp:validFrom "2020-01-10"^^xsd:date' in text and 'gp:validTo "2020-06-30"^^xsd:date' in text
    back = read(io.BytesIO(out.getvalue()), "ttl")
    member = next(r for r in back.relations if (r.src, r.type, r.dst) == ("test-official", "MEMBER_OF", "us-dhs"))
    assert (member.props["validFrom"], member.props["validTo"]) == (dt.date(2020, 1, 10), dt.date(2020, 6, 30))


def test_the_dashboards_held_on_rule_drops_ended_nodes_and_relations(term_store):
    """graph.derived's arrays (what the dashboard's time sliders filter with) keep what the named
    queries' as_of keeps: a relation whose own term ended is dropped while both its ends hold."""
    from graph import derived
    from graph.analytics import from_records

    G = from_records(*term_store.dump())
    va = derived.RECIPES["validity"](G)
    ids, types = va["ids"], va["types"]

    def edges_on(day: dt.date, mode: str = "held") -> set:
        nodes = derived.held(va, day, mode)
        return {(ids[u], types[t], ids[v]) for u, v, t in va["edges"][derived.held_edges(va, day, mode, nodes)]}

    member = ("test-official", "MEMBER_OF", "us-dhs")
    assert member in edges_on(dt.date(2020, 3, 1))
    after = edges_on(dt.date(2020, 8, 1))
    assert member not in after and ("good-demand", "MADE_BY", "test-official") in after
    assert member not in edges_on(dt.date(2020, 1, 5), "begun")   # not begun yet
    assert member in edges_on(dt.date(2020, 8, 1), "begun")       # ended ones kept as history
    held = {ids[i] for i in derived.held(va, dt.date(2020, 8, 1)).nonzero()[0]}
    rows = {r["id"] for r in term_store.run_named("search", {"text": "test", "as_of": "2020-08-01"}).rows}
    assert rows == {n for n in held if "test" in n or "test" in G.nodes[n].get("name", "").lower()}
