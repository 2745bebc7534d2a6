"""Every page opens without an exception on an empty store, the bundled data and a synthetic
graph of 10,000+ entities; filters, search, expansion, the path finder and the console change
what is shown (AppTest, in process)."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP

PAGES = ["app_pages/overview.py", "app_pages/network.py", "app_pages/entity.py", "app_pages/conflict.py",
         "app_pages/paths.py", "app_pages/statistics.py", "app_pages/analytics.py", "app_pages/queries.py"]


def open_page(home, monkeypatch, page: str, **params) -> AppTest:
    monkeypatch.setenv("GOVPLAT_HOME", str(home))
    monkeypatch.setenv("GOVPLAT_STORE", "embedded")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("caption", "markdown", "info", "warning", "error", "title", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def shown(at: AppTest) -> int:
    """Entities drawn, from the network caption."""
    m = re.search(r"Showing ([\d,]+) entities", texts(at))
    assert m, texts(at)
    return int(m.group(1).replace(",", ""))


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_store(empty_home, monkeypatch, page):
    at = open_page(empty_home, monkeypatch, page)
    assert "govplat ingest" in texts(at)


@pytest.mark.parametrize("page,params", [
    ("app_pages/overview.py", {}), ("app_pages/network.py", {}), ("app_pages/entity.py", {"id": "alt-uscis"}),
    ("app_pages/entity.py", {}), ("app_pages/conflict.py", {"id": "twitter-dhs-alt-uscis-2017"}),
    ("app_pages/conflict.py", {}), ("app_pages/paths.py", {"source": "alt-uscis", "target": "us-dhs"}),
    ("app_pages/statistics.py", {}), ("app_pages/analytics.py", {}), ("app_pages/queries.py", {})])
def test_every_page_on_the_bundled_data(bundled_home, monkeypatch, page, params):
    at = open_page(bundled_home, monkeypatch, page, **params)
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page,params", [
    ("app_pages/overview.py", {}), ("app_pages/network.py", {}), ("app_pages/entity.py", {"id": "syn-body-1"}),
    ("app_pages/conflict.py", {}), ("app_pages/paths.py", {"source": "syn-body-1", "target": "syn-platform-2"}),
    ("app_pages/statistics.py", {}), ("app_pages/analytics.py", {}), ("app_pages/queries.py", {})])
def test_every_page_on_a_synthetic_graph_of_10000_entities(synthetic_home, monkeypatch, page, params):
    at = open_page(synthetic_home, monkeypatch, page, **params)
    assert not at.error, [e.value for e in at.error]
    if page.endswith("network.py"):
        assert shown(at) == 1500  # capped, best connected first
        assert "only 1,500 are drawn" in texts(at)


def test_overview_search_finds_by_handle(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py")
    before = len(frames(at))
    at.text_input(key="overview_search").input("@ALT_uscis").run()
    hits = [f for f in frames(at) if "id" in f.columns and "alt-uscis" in set(f["id"])]
    assert hits and len(frames(at)) == before + 1


def test_overview_shows_shutdowns_and_notices(bundled_home, monkeypatch):
    """The curated cases hold blocking orders and demands: the Overview charts them by year,
    country and platform (named queries shutdowns_by_country_year, orders_by_agency_and_law)."""
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py")
    assert "Shutdowns and notices" in [h.value for h in at.subheader]
    assert "**Shutdowns by country**" in [m.value for m in at.markdown]


def test_network_filters_change_the_view(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py")
    everything = shown(at)
    at.multiselect(key="net_countries").select("US").run()
    us = shown(at)
    assert 0 < us < everything
    at.multiselect(key="net_hide").select("Conflict").run()
    assert shown(at) < us
    at.multiselect(key="net_hide").unselect("Conflict").run()
    at.text_input(key="net_outcome").input("no such outcome at all").run()
    assert "Nothing to draw" in texts(at)


def test_network_expands_around_a_searched_entity(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py")
    at.radio(key="net_mode").set_value("around").run()
    at.text_input(key="net_start_q").input("ALT_uscis").run()
    assert at.selectbox(key="net_start_pick").value == "alt-uscis"
    one = shown(at)
    at.slider(key="net_depth").set_value(2).run()
    two = shown(at)
    assert 1 < one < two
    at.number_input(key="net_cap").set_value(50).run()
    assert shown(at) == 50 and "closest first" in texts(at)


def test_path_finder_lists_and_narrows(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/paths.py", source="alt-uscis", target="us-dhs")
    table = next(f for f in frames(at) if "path" in f.columns)
    assert len(table) > 1 and table["length"].min() == 2
    assert "**2** relationships" in texts(at)
    at.slider(key="paths_len").set_value(2).run()
    narrowed = next(f for f in frames(at) if "path" in f.columns)
    assert len(narrowed) < len(table) and set(narrowed["length"]) == {2}


def test_console_runs_reads_and_refuses_writes(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/queries.py")
    at.text_area(key="cy_text").input("MATCH (p:Platform) RETURN p AS platform, p.name AS name LIMIT 3").run()
    at.button(key="cy_run").click().run()
    assert not at.error
    table = next(f for f in frames(at) if len(f) == 3 and "name" in f.columns)
    assert all(u.startswith("entity?id=") for u in table["platform ↗"])  # each platform links to its page
    assert "As a network" in texts(at)
    at.text_area(key="cy_text").input("MATCH (n) DETACH DELETE n").run()
    at.button(key="cy_run").click().run()
    refusal = next(e.value for e in at.error if "only reads the graph" in e.value)
    assert refusal.startswith("Refused") and refusal.lower().count("refused") == 1


def test_named_query_form(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/queries.py")
    at.selectbox(key="nq_name").set_value("search").run()
    at.text_input(key="nq_search_text").input("Twitter")  # a form: sent with its Run button
    next(b for b in at.button if b.label == "Run" and b.key != "cy_run").click().run()
    assert any("name" in f.columns and f["name"].str.fullmatch("Twitter").any() for f in frames(at))
    # The query, its parameters and its result are in the URL; the link opens the same result.
    assert at.query_params["query"] in (["search"], "search") and at.query_params["p.text"] in (["Twitter"], "Twitter")
    assert at.query_params["run"] in (["1"], "1")
    again = open_page(bundled_home, monkeypatch, "app_pages/queries.py", query="search", **{"p.text": "Twitter"}, run="1")
    assert again.selectbox(key="nq_name").value == "search" and again.text_input(key="nq_search_text").value == "Twitter"
    assert any("name" in f.columns and f["name"].str.fullmatch("Twitter").any() for f in frames(again))
    bad = open_page(bundled_home, monkeypatch, "app_pages/queries.py", query="no-such-query", **{"p.limit": "x"})
    assert bad.selectbox(key="nq_name").value == "conflicts" and not bad.error
