"""Overview and Analytics open from what ingest computed for the data version (graph/derived.py),
without projecting the whole graph; a new write makes them compute again (issue 12, Speed)."""
from __future__ import annotations

import pytest
import streamlit as st

from graph import derived
from tests.dashboard.test_pages import frames, open_page, texts


@pytest.fixture
def no_projection(monkeypatch):
    """Fail any attempt to project the whole store into networkx; start with empty caches."""
    from graph import analytics

    st.cache_data.clear()
    st.cache_resource.clear()

    def refuse(store):
        raise AssertionError("the page loaded the whole graph")

    monkeypatch.setattr(analytics, "to_networkx", refuse)
    saved = derived.load
    monkeypatch.setattr(derived, "load", lambda version, name, **args:
                        refuse(None) if name == "graph" else saved(version, name, **args))
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_ingest_leaves_the_first_visit_results_on_disk(bundled_home, monkeypatch):
    from graph.stores.embedded import read_version

    monkeypatch.setenv("GOVPLAT_HOME", str(bundled_home))
    version = read_version(bundled_home / "graph.lbdb")
    assert version
    for name, args in derived.DEFAULTS:
        if not callable(args):
            assert derived.load(version, name, **args) is not derived.MISSING, name
    assert derived.load(version, "graph") is not derived.MISSING


def test_analytics_overview_and_network_open_without_projecting_the_graph(bundled_home, monkeypatch, no_projection):
    at = open_page(bundled_home, monkeypatch, "app_pages/analytics.py")
    assert any(len(f) > 10 for f in frames(at))                 # the centrality table is there
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py")
    assert "What changed between two dates" in texts(at)
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py")
    assert "Showing " in texts(at) and len(at.get("iframe")) == 1  # the default view, drawn
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py", as_of="2017-03")
    assert "held on 2017-03-31" in texts(at)                     # the slider counts from stored valid time


def test_ingest_without_precompute(tmp_path):
    from tests.dashboard.conftest import ingest

    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "one.yaml").write_text(
        "conflict:\n  id: one-conflict\n  name: One\n  startDate: 2021-01-01\n  status: ongoing\n"
        "  statusAsOf: 2021-01-02\n  countries: [FR]\n  sources: [one-a, one-b]\n"
        "sources:\n  - {id: one-a, kind: news, publisher: P, title: A, url: 'https://example.org/1', "
        "publishedDate: 2021-01-01, retrievedDate: 2021-01-02}\n"
        "  - {id: one-b, kind: news, publisher: Q, title: B, url: 'https://example.org/2', "
        "publishedDate: 2021-01-01, retrievedDate: 2021-01-02}\n", encoding="utf-8")
    proc = ingest(tmp_path, "cases", str(cases), "--no-precompute")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not list((tmp_path / "cache").rglob("*.pickle"))  # pages compute on their first visit


def test_results_follow_the_data_version(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVPLAT_HOME", str(tmp_path))
    derived.save("v1", "facets", [{"id": "a"}])
    assert derived.load("v1", "facets") == [{"id": "a"}]
    assert derived.get("v1", "facets", lambda: pytest.fail("recomputed a saved result")) == [{"id": "a"}]
    derived.save("v2", "facets", [])
    assert derived.load("v1", "facets") is derived.MISSING   # another version's files are gone
    assert derived.load(None, "facets") is derived.MISSING     # no data version (Neo4j): nothing on disk
