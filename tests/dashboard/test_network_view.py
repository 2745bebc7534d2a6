"""network_view: hostile text stays text, links are http(s) only, large views are static."""
from __future__ import annotations

import json
import re

import networkx as nx

from dashboard import network_view as NV

EVIL = "<img src=x onerror=window.__xss=1></script><script>window.__xss=1</script>"


def _view() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("a", cls="Platform", name=EVIL, description="<b>x</b>'\"&", sources=["s1", "s2"])
    G.add_node("b", cls="Agency", name="DHS", sources=[])
    G.add_edge("b", "a", key="ADDRESSED_TO", type="ADDRESSED_TO", role=EVIL)
    return G


SOURCES = {"s1": {"title": EVIL, "url": "javascript:window.__xss=1"},
           "s2": {"title": "ok", "url": "https://example.org/?q=<script>"}}


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


def test_hostile_names_never_become_markup():
    page = NV.render(_view(), sources=SOURCES)
    # The only <script> elements are ours: vis-network and the bootstrap code.
    scripts = _scripts(page)
    assert len(scripts) == 2
    ours = page.replace(scripts[0], "")  # everything but the vis-network library itself
    assert "<img" not in ours
    assert "javascript:" not in ours
    assert "onerror=window.__xss=1>" not in ours  # never unescaped in markup
    # The card is escaped HTML inside JSON: decoding the JSON gives text with entities only.
    data = re.search(r"var nodeList = (\[.*?\]);\n", page).group(1)
    nodes = json.loads(data)
    card = next(n["title"] for n in nodes if n["id"] == "a")
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in card and "<img" not in card
    assert 'href="https://example.org/?q=&lt;script&gt;"' in card


def test_safe_url():
    assert NV.safe_url("https://example.org/x") == "https://example.org/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "/relative", None, 3, " JAVASCRIPT:x"):
        assert NV.safe_url(bad) is None


def test_large_views_are_static_and_small_ones_settle():
    small = NV.render(_view())
    assert '"enabled": true' in re.search(r"var options = (.*?);\n", small).group(1)
    G = nx.MultiDiGraph(nx.gnm_random_graph(400, 800, seed=1))
    nx.set_node_attributes(G, "Platform", "cls")
    big = NV.render(G)
    opts = json.loads(re.search(r"var options = (.*?);\n", big).group(1))
    assert opts["physics"] == {"enabled": False} and opts["edges"]["smooth"] is False
    nodes = json.loads(re.search(r"var nodeList = (\[.*?\]);\n", big).group(1))
    assert all("x" in n and "y" in n for n in nodes)


def test_legend_and_standalone():
    items = NV.legend(_view())
    assert {i["cls"] for i in items} == {"Platform", "Agency"}
    page = NV.render(_view())
    assert 'var entityBase = "entity?id=";' in page
    assert "var entityBase = null;" in NV.standalone(page)
    assert NV.style("Agency") != NV.style("Platform")


def test_default_pyvis_baseline_has_physics_and_no_remote_assets():
    page = NV.default_pyvis_html(_view())
    assert "cdnjs" not in page and "cdn.jsdelivr" not in page
    assert "stabilized" in page
