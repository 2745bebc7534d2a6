"""Shareable views and the network canvas's data (AppTest on the bundled data): every Network
choice is in the URL and comes back from it, a copy-link shows it, unknown ids say so, documents
and transparency figures stay out unless asked for."""
from __future__ import annotations

import json
import re

import networkx as nx

from dashboard import network_view as NV
from graph.derived import reserve_of
from tests.dashboard.test_pages import open_page, shown, texts


def qp(at, key: str) -> list[str]:
    v = at.query_params[key]
    return list(v) if isinstance(v, (list, tuple)) else [v]


def test_network_filters_restored_from_the_url_and_written_back(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py", mode="around", id="alt-uscis", depth="2",
                   cap="300")
    assert at.radio(key="net_mode").value == "around"
    assert at.slider(key="net_depth").value == 2
    assert at.number_input(key="net_cap").value == 300
    assert qp(at, "id") == ["alt-uscis"] and qp(at, "depth") == ["2"]
    link = at.code[0].value
    assert "id=alt-uscis" in link and "depth=2" in link and "cap=300" in link
    wide = shown(at)
    at.slider(key="net_depth").set_value(1).run()
    assert "depth" not in at.query_params and shown(at) < wide


def test_network_country_filter_round_trips(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py")
    whole = shown(at)
    at.multiselect(key="net_countries").set_value(["TR"]).run()
    assert qp(at, "country") == ["TR"]
    again = open_page(bundled_home, monkeypatch, "app_pages/network.py", country=["TR"])
    assert again.multiselect(key="net_countries").value == ["TR"]
    assert shown(again) == shown(at) < whole


def test_documents_and_figures_left_out_unless_asked(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py")
    assert at.toggle(key="net_documents").value is False
    assert "sources and transparency figures are left out" in texts(at)
    at.number_input(key="net_cap").set_value(20000).run()
    without = shown(at)
    at.toggle(key="net_documents").set_value(True).run()
    assert shown(at) > without and qp(at, "documents") == ["1"]
    assert "left out" not in texts(at)


def test_unknown_ids_say_so(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/conflict.py", id="no-such-conflict")
    assert "No conflict has the id" in texts(at)
    assert at.selectbox(key="conflict_pick_unknown").value is None
    assert not at.metric  # no other conflict's story shown in its place
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py", id="no-such-entity")
    assert "No entity has the id" in texts(at)


def _graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("c", cls="Conflict", name="A conflict", startDate="2017-02-01", status="ongoing")
    G.add_node("tr", cls="Jurisdiction", name="Turkey", countryCode="TR")
    G.add_node("p", cls="Platform", name="Platform")
    G.add_edge("c", "tr", key="IN_JURISDICTION", type="IN_JURISDICTION")
    G.add_edge("c", "p", key="INVOLVES", type="INVOLVES")
    for i in range(25):
        G.add_node(f"a{i}", cls="Account", name=f"account {i}")
        G.add_edge(f"a{i}", "p", key="OPERATED_BY", type="OPERATED_BY")
    return G


def _nodes(page: str) -> list[dict]:
    return json.loads(re.search(r"var nodeList = (\[.*?\]);\n", page).group(1))


def test_canvas_carries_undrawn_neighbours_and_style_facts():
    G = _graph()
    page = NV.render(G.subgraph(["c", "tr", "p"]), around=G)
    nodes = {n["id"]: n for n in _nodes(page)}
    assert {i for i, n in nodes.items() if n.get("reserve")} == {f"a{i}" for i in range(25)}
    assert nodes["p"]["nb"] == 26  # the conflict and 25 accounts: "expand" knows how many wait
    assert nodes["c"]["facts"] == {"country": "TR", "year": 2017, "status": "ongoing", "community": nodes["c"]["facts"]["community"]}
    assert nodes["c"].get("labelled") and nodes["c"]["scaling"]["label"]["drawThreshold"] == 0
    assert not nodes["a3"].get("labelled")
    assert len(reserve_of(G.subgraph(["p"]), G, per_node=5)) == 5 and "c" in reserve_of(G.subgraph(["p"]), G, per_node=5)


def test_time_slider_next_and_play(bundled_home, monkeypatch):
    """The Overview's Streamlit slider (the Network page's lives in its drawing: test_browser)."""
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py", as_of="2017-03")
    at.button(key="overview_asof_next").click().run()
    assert at.select_slider(key="overview_asof_month").value.isoformat() == "2017-04-01"
    assert qp(at, "as_of") == ["2017-04"] and "As of 2017-04-30" in texts(at)
    at.radio(key="overview_asof_step").set_value("year").run()
    at.button(key="overview_asof_next").click().run()
    assert qp(at, "as_of") == ["2018-04"]
    at.button(key="overview_asof_play").click().run()
    assert at.session_state["overview_asof_playing"] is True
    assert at.button(key="overview_asof_play").label == "Pause"
    # A tick of the player (its timer fires in a browser) moves the slider one step on.
    at.session_state["overview_asof_tick"] = True
    at.run()
    assert qp(at, "as_of") == ["2019-04"]
    at.button(key="overview_asof_play").click().run()
    assert at.button(key="overview_asof_play").label == "Play"


def test_time_axis_keeps_every_year():
    import datetime as dt

    from dashboard.ui import time_ticks

    ticks, fmt = time_ticks(dt.date(2012, 5, 3), dt.date(2019, 2, 1))
    assert fmt == "%Y" and [t.year for t in ticks] == list(range(2012, 2021))  # 2013-2018 kept, empty or not
    ticks, fmt = time_ticks(dt.date(2024, 8, 30), dt.date(2024, 10, 2))
    assert fmt == "%Y-%m" and [t.month for t in ticks] == [8, 9, 10, 11]


def test_paths_and_analytics_state_in_the_url(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/paths.py", source="alt-uscis", target="us-dhs", length="2")
    assert at.slider(key="paths_len").value == 2
    assert qp(at, "source") == ["alt-uscis"] and qp(at, "length") == ["2"]
    assert "length=2" in at.code[0].value
    at = open_page(bundled_home, monkeypatch, "app_pages/analytics.py", seed="7", documents="1")
    assert at.number_input(key="an_seed").value == 7 and at.toggle(key="an_sources").value is True
    at.number_input(key="an_seed").set_value(42).run()
    assert "seed" not in at.query_params


def test_entity_page_combines_predecessor_and_successor(bundled_home, monkeypatch):
    """Twitter, Inc. was succeeded by X Corp. (SUCCEEDED_BY in the registry): either page shows
    both names, and the conflicts of both unless the reader switches that off."""
    at = open_page(bundled_home, monkeypatch, "app_pages/entity.py", id="x-corp")
    assert any("Twitter, Inc." in i.value.replace("\\", "") and "X Corp." in i.value.replace("\\", "") for i in at.info)
    assert at.toggle(key="entity_combined").value is True
    conflicts = lambda at: next((len(f) for f in (d.value for d in at.dataframe) if "story" in f.columns), 0)  # noqa: E731
    both = conflicts(at)
    at.toggle(key="entity_combined").set_value(False).run()
    assert qp(at, "combined") == ["0"]
    assert conflicts(at) < both
    assert "Around it" in texts(at) and at.expander  # the mini-network and relationships by class
    labels = [e.label for e in at.expander]
    assert any(lbl.startswith("Platform") for lbl in labels)
