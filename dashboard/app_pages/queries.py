"""Queries: run any named query through a form built from its typed parameters, or read-only Cypher.

Results show as a table and, when they hold nodes, relationships or paths, as a network.
"""
import datetime as dt

import streamlit as st

from dashboard import data, ui
from graph import analytics
from graph.errors import GovplatError, ReadOnlyViolation
from graph.ontology import ontology
from graph.queries import registry

EXAMPLE = ("MATCH (d:InformationRequest)-[:MADE_BY]->(g:Agency)\n"
           "RETURN g.name AS body, count(d) AS demands\nORDER BY demands DESC LIMIT 10")


def show_result(result, key: str, hidden: frozenset = frozenset()) -> None:
    """``hidden``: a named query's internal columns (sort keys, date precisions), not shown."""
    rows = result.rows
    st.caption(f"{len(rows)} row{'s' if len(rows) != 1 else ''}" + (" (stopped at the row cap)" if result.truncated else ""))
    df = ui.frame(rows, [c for c in result.columns if c not in hidden])
    links = entity_links(rows, [c for c in result.columns if c not in hidden])
    shown = df.copy()
    for col, urls in links.items():  # each column of entities gets a link to their pages beside it
        shown.insert(shown.columns.get_loc(col) + 1, f"{col} ↗", urls)
    st.dataframe(shown, hide_index=True, key=f"{key}_table", width="stretch",
                 column_config={f"{c} ↗": st.column_config.LinkColumn(f"{c} ↗", display_text="open ↗", width="small")
                                for c in links})
    if len(df):
        ui.download_table(df, key=f"{key}_table", name="govplat-query")
    view = analytics.result_graph(rows, base=data.graph())
    if view.number_of_nodes():
        st.markdown("**As a network**")
        ui.show_network(view, key=f"{key}_net", height=520, downloads=False,
                        signature=f"{key}:{hash(repr(df.to_dict()))}")


def entity_links(rows: list[dict], columns: list[str]) -> dict[str, list]:
    """Columns whose values are entities (nodes, or ids of nodes in the graph), with each row's
    link to that entity's page."""
    from graph.model import Node

    G = data.graph()
    out = {}
    for c in columns:
        values = [r.get(c) for r in rows]
        ids = [v.id if isinstance(v, Node) else v if isinstance(v, str) and v in G else None for v in values]
        if any(ids) and all(i is not None or v is None for i, v in zip(ids, values)):
            out[c] = [ui.entity_url(i) if i else None for i in ids]
    return out


def _initial(p):
    """A parameter's starting value: its default, else its example (a date as a date, a list as text)."""
    start = p.default if p.default is not None else p.example
    if p.type == "int":
        return int(start or 0)
    if p.type == "float":
        return float(start or 0.0)
    if p.type == "date":
        return dt.date.fromisoformat(str(start)) if start else None
    if p.type == "list":
        return ", ".join(map(str, p.default or []))
    return str(start if start is not None else "")


_PARSE = {"int": int, "float": float, "date": dt.date.fromisoformat}


def _url_param(p) -> str:
    return f"p.{p.name}"


def param_widget(q, p):
    """The form field of one parameter, started from the URL (``?p.NAME=value``) when it holds one
    (a form field's state is its own: it starts from ``value``, which follows the URL)."""
    key = f"nq_{q.name}_{p.name}"
    value = ui.url_value(_url_param(p), _initial(p), parse=_PARSE.get(p.type, str))
    label = f"{p.name} ({p.type})" + ("" if (p.required and p.default is None) else " — optional")
    help_ = p.description + (f" Example: {p.example}" if p.example is not None else "")
    if p.type in ("int", "float"):
        return st.number_input(label, value=value, step=1 if p.type == "int" else None, key=key, help=help_)
    if p.type == "date":
        return st.date_input(label, value=value, key=key, help=help_)
    if p.type == "list":
        text = st.text_input(label, value=value, key=key, help=help_ + " (comma-separated)")
        return [s.strip() for s in text.split(",") if s.strip()]
    return st.text_input(label, value=value, key=key, help=help_) or None


def named_tab() -> None:
    """A named query and its parameters, all in the URL (``?query=NAME&p.PARAM=value&run=1``):
    a link opens the same query with the same values and shows its result."""
    queries = list(registry())
    names = [q.name for q in queries]
    by_name = {q.name: q for q in queries}
    first = "conflicts" if "conflicts" in names else names[0]
    ui.from_url("nq_name", "query", first, parse=lambda s: s if s in by_name else first)
    if "nq_last" not in st.session_state and st.query_params.get("run") == "1":
        st.session_state["nq_last"] = st.session_state["nq_name"]  # a shared link shows the result
    name = st.selectbox("Named query", names, key="nq_name", format_func=lambda n: f"{n} — {by_name[n].description}")
    q = by_name[name]
    st.caption(f"Defined in graph/queries/{q.file}.")
    with st.form(key=f"nq_form_{name}"):
        values = {p.name: param_widget(q, p) for p in q.params}
        if not q.params:
            st.caption("This query takes no parameters.")
        submitted = st.form_submit_button("Run", type="primary")
    with st.expander("Cypher"):
        st.code(q.render("ladybug" if data.engine() == "embedded" else "neo4j", ontology()), language="cypher")
    ran = submitted or st.session_state.get("nq_last") == name
    ui.to_url("query", name, first)
    ui.to_url("run", "1" if ran else None)
    ours = {_url_param(p) for p in q.params}
    for k in [k for k in st.query_params if k.startswith("p.") and k not in ours]:
        del st.query_params[k]
    def text(v):
        return ", ".join(v) if isinstance(v, list) else v.isoformat() if isinstance(v, dt.date) else v

    for p in q.params:
        ui.to_url(_url_param(p), text(values[p.name]), text(_initial(p)))
    ui.share_link()
    if ran:
        st.session_state["nq_last"] = name
        try:
            result = data.named(name, **{k: v for k, v in values.items() if v not in (None, "", [])})
        except GovplatError as exc:
            st.error(ui.md(exc))
            return
        show_result(result, key="nq", hidden=frozenset(q.hidden))


def cypher_tab() -> None:
    st.caption("Read-only: the engine plans each query, and only queries that just read the graph run (no writes, "
               "files, extensions or settings). Every query has a timeout, a row cap and a memory cap.")
    text = st.text_area("Cypher", EXAMPLE, height=140, key="cy_text")
    if st.button("Run", key="cy_run", type="primary") or st.session_state.get("cy_ran"):
        st.session_state["cy_ran"] = True
        try:
            result = data.run_user(text)
        except ReadOnlyViolation as exc:
            # The engine's message already says "refused: ..." and why; said once, capitalised.
            msg = str(exc)
            st.error(f"{ui.md(msg[:1].upper() + msg[1:])}. Use `govplat ingest` to change data.", icon="🚫")
            return
        except GovplatError as exc:
            st.error(ui.md(exc))
            return
        show_result(result, key="cy")


def sparql_tab() -> None:
    from dashboard.sparql_console import render

    render()


def body() -> None:
    st.title("Queries")
    if ui.empty_notice():
        st.caption("You can still look at the queries; they will return nothing until data is loaded.")
    named, cypher, sparql = st.tabs(["Named queries", "Cypher console", "SPARQL console"])
    with named:
        named_tab()
    with cypher:
        cypher_tab()
    with sparql:
        sparql_tab()


ui.guard(body)
