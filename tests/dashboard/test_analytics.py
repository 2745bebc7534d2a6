"""graph.analytics on small known graphs with exact expected values, and the all_paths query."""
from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from graph import analytics as A
from graph.model import Entity, Relation


def _g() -> nx.MultiDiGraph:
    """Two demands by one agency at one platform run by a company; a conflict in the US."""
    ents = [
        Entity("us", "Country", {"name": "United States", "countryCode": "US"}, ["s"]),
        Entity("dhs", "Agency", {"name": "DHS"}, ["s"]),
        Entity("tw", "Platform", {"name": "Twitter"}, ["s"]),
        Entity("twinc", "Company", {"name": "Twitter, Inc."}, ["s"]),
        Entity("d1", "InformationRequest", {"name": "summons", "date": dt.date(2017, 3, 14)}, ["s"]),
        Entity("d2", "RemovalRequest", {"name": "takedown", "date": dt.date(2018, 1, 2)}, ["s"]),
        Entity("c", "Conflict", {"name": "C", "startDate": dt.date(2017, 3, 14), "status": "resolved",
                                 "outcome": "summons withdrawn"}, ["s"]),
        Entity("doc", "LegalDoctrine", {"name": "Anonymous speech"}, ["s"]),
        Entity("s", "Source", {"title": "A source", "url": "https://example.org"}, ["s"]),
    ]
    rels = [
        Relation("OPERATES", "twinc", "tw", {}, ["s"]),
        Relation("MADE_BY", "d1", "dhs", {}, ["s"]), Relation("ADDRESSED_TO", "d1", "twinc", {}, ["s"]),
        Relation("MADE_BY", "d2", "dhs", {}, ["s"]), Relation("TARGETS", "d2", "tw", {}, ["s"]),
        Relation("IN_JURISDICTION", "dhs", "us", {}, ["s"]), Relation("IN_JURISDICTION", "c", "us", {}, ["s"]),
        Relation("IN_CONFLICT", "d1", "c", {}, ["s"]), Relation("INVOLVES", "c", "tw", {"role": "platform"}, ["s"]),
        Relation("INVOKES", "d1", "doc", {}, ["s"]),
    ]
    return A.from_records(ents, rels)


def test_projection_keeps_classes_props_and_multi_edges():
    G = _g()
    assert G.nodes["d1"]["cls"] == "InformationRequest" and G.nodes["us"]["countryCode"] == "US"
    assert G.nodes["tw"]["sources"] == ["s"]
    assert G.edges["c", "tw", "INVOLVES"]["role"] == "platform"
    assert G.number_of_edges() == 10


def test_degree_centrality_exact():
    G = nx.MultiDiGraph([("a", "b"), ("a", "b"), ("a", "c"), ("d", "a")])
    assert A.degree_centrality(G) == {"a": 1.0, "b": 1 / 3, "c": 1 / 3, "d": 1 / 3}


def test_pagerank_matches_networkx_reference():
    G = nx.gnp_random_graph(60, 0.08, seed=4, directed=True)
    ours, ref = A.pagerank(G), _pagerank_python(G, tol=1e-12, max_iter=500)
    assert max(abs(ours[n] - ref[n]) for n in G) < 1e-8
    assert A.pagerank(nx.DiGraph()) == {}


def test_centralities_rows_and_seeded_sampling():
    G = _g()
    rows = A.centralities(G)
    assert {r["id"] for r in rows} == set(G.nodes)
    assert rows == sorted(rows, key=lambda r: (-r["pagerank"], r["id"]))
    big = nx.MultiDiGraph(nx.gnm_random_graph(400, 900, seed=1))
    assert A.centralities(big, seed=5, betweenness_samples=50) == A.centralities(big, seed=5, betweenness_samples=50)


def test_louvain_is_seeded_and_finds_two_cliques():
    G = nx.MultiDiGraph()
    G.add_edges_from([(a, b) for a in "abcd" for b in "abcd" if a < b] + [(a, b) for a in "wxyz" for b in "wxyz" if a < b]
                     + [("a", "w")])
    rows, member = A.communities(G, seed=3)
    assert [r["size"] for r in rows] == [4, 4]
    assert len({member[n] for n in "abcd"}) == 1 and member["a"] != member["w"]
    assert A.communities(G, seed=3) == (rows, member)


def test_pressure_bipartite_and_projection():
    G = _g()
    table = A.pressure_table(G)
    # d1 is addressed to the company that runs exactly one platform, d2 targets the platform.
    assert table == [{"body_id": "dhs", "body": "DHS", "platform_id": "tw", "platform": "Twitter", "actions": 2}]
    B = A.pressure_graph(G)
    assert nx.is_bipartite(B) and B.nodes["dhs"]["bipartite"] == 0
    assert A.co_pressure(G, 0) == []


def test_demands_per_year_by_country():
    assert A.demands_per_year(_g()) == [{"year": 2017, "country": "US", "demands": 1},
                                        {"year": 2018, "country": "US", "demands": 1}]


def test_facets_filters_and_neighbourhood():
    G = _g()
    (row,) = A.conflict_facets(G)
    assert row["countries"] == ["US"] and row["platforms"] == ["Twitter"] and row["doctrines"] == ["Anonymous speech"]
    assert set(A.filter_graph(G, countries=["US"])) == A.conflict_scope(G, "c")
    assert len(A.filter_graph(G, countries=["FR"])) == 0
    assert len(A.filter_graph(G, years=(2019, 2020))) == 0
    assert len(A.filter_graph(G, outcome="WITHDRAWN")) > 0
    assert set(A.filter_graph(G, classes=["Agency", "Platform"])) == {"dhs", "tw"}
    assert A.filter_graph(G) is G
    nodes, cut = A.neighbourhood(G, "dhs", 1, cap=100)
    assert nodes == {"dhs", "d1", "d2", "us"} and not cut
    nodes, cut = A.neighbourhood(G, "dhs", 2, cap=5)
    assert len(nodes) == 5 and cut


def test_layout_is_deterministic_and_spreads_nodes():
    G = nx.MultiDiGraph(nx.gnm_random_graph(1200, 3000, seed=2))  # above the exact-repulsion size
    G.add_node("isolated")
    from dashboard.layout import layout

    p1, p2 = layout(G, seed=1), layout(G, seed=1)
    assert p1 == p2 and set(p1) == set(G.nodes)
    xs = sorted(round(x) for x, _ in p1.values())
    assert xs[-1] - xs[0] > 1000  # not collapsed onto a point


def test_exports_and_result_graph():
    from graph.model import Node, Path, Rel

    G = _g()
    text = A.to_graphml(G).decode()
    assert "<graphml" in text and "Anonymous speech" in text
    nodes_csv, edges_csv = A.to_csv(G)
    header = nodes_csv.splitlines()[0].split(",")
    assert header[:4] == ["id", "class", "name", "sources"] and "d1,ADDRESSED_TO,twinc" in edges_csv
    props = {k for _, a in G.nodes(data=True) for k in a} - {"cls", "name", "sources"}
    assert props and props <= set(header)  # every property has its column (dates, country, status...)
    p = Path((Node("a", "Platform", {"name": "A"}), Node("b", "Company", {"name": "B"})),
             (Rel("OPERATES", "b", "a", {}),))
    R = A.result_graph([{"path": p, "x": [Rel("OPERATES", "b", "tw", {})]}], base=G)
    assert set(R) == {"a", "b", "tw"} and R.nodes["tw"]["name"] == "Twitter"


def _trails(G: nx.MultiDiGraph, src: str, dst: str, max_len: int) -> set[tuple]:
    """Every trail (no relationship twice, either direction) from src to dst, as (ids, types)."""
    out = set()
    adj = {}
    for u, v, k in G.edges(keys=True):
        adj.setdefault(u, []).append((v, (u, v, k)))
        adj.setdefault(v, []).append((u, (u, v, k)))

    def walk(node, ids, types, used):
        if len(types) and node == dst:
            out.add((tuple(ids), tuple(types)))
        if len(types) == max_len:
            return
        for nxt, e in adj.get(node, []):
            if e not in used:
                walk(nxt, ids + [nxt], types + [e[2]], used | {e})

    walk(src, [src], [], frozenset())
    return out


@pytest.mark.parametrize("max_len", [1, 2, 3, 4])
def test_all_paths_query_returns_every_trail(store, max_len):
    G = _g()
    ents = [Entity(n, a["cls"], {k: v for k, v in a.items() if k not in ("cls", "sources")}, a["sources"])
            for n, a in G.nodes(data=True)]
    rels = [Relation(k, u, v, {x: y for x, y in d.items() if x in ("role",)}, d["sources"])
            for u, v, k, d in G.edges(keys=True, data=True)]
    store.upsert(ents, rels)
    rows = store.run_named("all_paths", {"source": "dhs", "target": "tw", "max_length": max_len, "limit": 500}).rows
    got = {(tuple(r["ids"]), tuple(r["types"])) for r in rows}
    assert got == _trails(G, "dhs", "tw", max_len)
    assert [r["length"] for r in rows] == sorted(r["length"] for r in rows)
    for r in rows:  # the path object agrees with the id/type columns
        assert [n.id for n in r["path"].nodes] == list(r["ids"])
        assert [x.type for x in r["path"].rels] == list(r["types"])
