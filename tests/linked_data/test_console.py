"""The dashboard's SPARQL console (dashboard/sparql_console.py), against the test endpoint."""
from __future__ import annotations

import pytest

from dashboard.sparql_console import query_form
from tests.conftest import require_module


def test_query_form_reads_past_prefixes_and_comments():
    assert query_form("PREFIX gp: <https://w3id.org/govplat/ontology#>\n# SELECT\nCONSTRUCT { ?s ?p ?o } "
                      "WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("select * { ?s ?p 'ASK' }") == "SELECT"
    assert query_form("INSERT DATA {}") == ""


def _app():
    from dashboard.sparql_console import render

    render()


def test_console_runs_an_example_and_shows_a_table(endpoint, monkeypatch):
    testing = require_module("streamlit.testing.v1")
    monkeypatch.setenv("GOVPLAT_SPARQL_URL", endpoint.url + "/sparql")
    at = testing.AppTest.from_function(_app, default_timeout=60)
    at.run()
    assert not at.exception
    at.selectbox(key="sparql_example").select("conflicts").run()
    at.button(key="sparql_run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 20


def test_console_shows_refusals(endpoint, monkeypatch):
    testing = require_module("streamlit.testing.v1")
    monkeypatch.setenv("GOVPLAT_SPARQL_URL", endpoint.url + "/sparql")
    at = testing.AppTest.from_function(_app, default_timeout=60)
    at.run()
    at.text_area(key="sparql_text").input("DELETE WHERE { ?s ?p ?o }").run()
    at.button(key="sparql_run").click().run()
    assert at.error and "403" in at.error[0].value
