"""CSV formula injection: every CSV and TSV govplat writes shows formula-like text as text
(a leading apostrophe, as OWASP recommends) and keeps numbers numeric."""
from __future__ import annotations

import csv
import io
import re

import networkx as nx
import pandas as pd
import pytest

from graph.rdf.terms import IRI, Lit, XSD
from tests.conftest import ROOT

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://127.0.0.1/x","y")',
           "=cmd|' /C calc'!A0", " =1+1", "\uff1d1+1"]
NUMBERS = ["-3", "+4", "-2.5e3", "12"]
HARMLESS = ["Twitter", "a=b", "x-y", "e-mail", ""]


def cells(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_safe(cell: str, original: str) -> None:
    if original in HOSTILE:
        assert cell == "'" + original, (cell, original)
    else:
        assert cell == original, (cell, original)


def test_analytics_to_csv():
    from graph import analytics

    G = nx.MultiDiGraph()
    names = HOSTILE + NUMBERS + HARMLESS
    for i, name in enumerate(names):
        G.add_node(f"n{i}", cls="Platform", name=name, sources=[name])
    for i, name in enumerate(names):
        G.add_edge("n0", f"n{i}", type="OPERATES", role=name)
    nodes, edges = analytics.to_csv(G)
    node_rows, edge_rows = cells(nodes)[1:], cells(edges)[1:]
    assert len(node_rows) == len(edge_rows) == len(names)
    for row, name in zip(node_rows, names):
        assert_safe(row[2], name)  # name
        assert_safe(row[3], name)  # sources
    for row, name in zip(edge_rows, names):
        assert_safe(row[3], name)  # role


def test_sparql_csv_results():
    from graph.rdf.results import RESULT_WRITERS

    w = RESULT_WRITERS["csv"](["v"])
    text = w.head() + "".join(w.row([Lit(v)]) for v in HOSTILE + NUMBERS + HARMLESS)
    for row, name in zip(cells(text)[1:], HOSTILE + NUMBERS + HARMLESS):
        assert_safe(row[0] if row else "", name)
    typed = w.row([Lit("-3", XSD + "integer")]) + w.row([IRI("https://w3id.org/govplat/id/x")])
    assert typed == "-3\r\nhttps://w3id.org/govplat/id/x\r\n"


def test_sparql_tsv_results():
    """TSV cells are N-Triples terms: the literal's lexical form, inside its quotes, is neutralised."""
    from graph.rdf.results import RESULT_WRITERS

    w = RESULT_WRITERS["tsv"](["v"])
    rows = [w.row([Lit(v)]) for v in HOSTILE]
    for row, name in zip(rows, HOSTILE):
        assert row.startswith("\"'"), (row, name)
    assert w.row([Lit("=1+1", lang="en")]).startswith("\"'=1+1\"@en")
    assert w.row([Lit("-3", XSD + "integer")]) == "-3\n"
    assert w.row([Lit("-2.5", XSD + "decimal")]).startswith('"-2.5"')


def test_dashboard_downloads(monkeypatch):
    """ui.download_table (every table download on the dashboard pages) writes safe CSV."""
    from dashboard import ui

    got = {}
    monkeypatch.setattr(ui.st, "download_button", lambda label, data, **kw: got.update(data=data, **kw))
    df = pd.DataFrame({"name": HOSTILE + NUMBERS + HARMLESS, "n": range(len(HOSTILE + NUMBERS + HARMLESS)),
                       "score": [-1.5] + [None] * (len(HOSTILE + NUMBERS + HARMLESS) - 1)})
    ui.download_table(df, key="t", name="t")
    text = got["data"]() if callable(got["data"]) else got["data"]
    rows = cells(text)
    assert rows[0] == ["name", "n", "score"]
    for row, name in zip(rows[1:], HOSTILE + NUMBERS + HARMLESS):
        assert_safe(row[0], name)
    assert rows[1][1:] == ["0", "-1.5"] and rows[2][1:] == ["1", ""]


@pytest.mark.parametrize("folder", ["graph", "dashboard", "ingest"])
def test_no_csv_writer_bypasses_csv_cells(folder):
    """New CSV writers must use graph.csv_cells (this list is how we know there is one place)."""
    pattern = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(index")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*.py")
                 if p.name != "csv_cells.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
