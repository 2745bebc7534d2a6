"""The SPARQL console for the dashboard's query page: pick one of the examples or write a
query; SELECT/ASK results show as a table (CSV download), CONSTRUCT/DESCRIBE as Turtle.

It is mounted in the SPARQL tab of dashboard/app_pages/queries.py.

Where queries run: with ``GOVPLAT_SPARQL_URL`` set (e.g. ``http://sparql:7878/sparql`` in
docker-compose) the console asks that endpoint; otherwise it loads the store's RDF view into
pyoxigraph once per data version (``st.cache_resource``, shared by sessions) and runs queries
in a worker process of its own (never in the dashboard's threads), so a query past its timeout or
GOVPLAT_QUERY_MEMORY_MB, or one crashing the engine, ends that worker, not the dashboard. Read-only either way.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import streamlit as st

from dashboard import ui

__all__ = ["render", "query_form"]

def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (upper case), or '' when it cannot tell."""
    from graph.sparql.engine import query_form

    return query_form(text)


@st.cache_resource(show_spinner="Loading the RDF view into the SPARQL engine…", max_entries=1)
def _endpoint(version: str):
    """An in-process endpoint over the store as it is at ``version`` (one per data version)."""
    from dashboard import data
    from graph.settings import settings
    from graph.sparql.engine import Limits, dataset_from_records
    from graph.sparql.endpoint import Endpoint

    cfg = settings()
    limits = Limits(timeout=cfg.query_timeout, max_rows=cfg.row_cap, workers=2)

    def load():
        with data.reading() as store:
            entities, relations = store.dump()
            return dataset_from_records(entities, relations, spool=True)

    # Always a worker process, never threads of the dashboard: a query crashing the engine (pyoxigraph's
    # parser overflows its stack on a few thousand nested brackets) or past GOVPLAT_QUERY_MEMORY_MB then
    # ends the worker, which is replaced, not the dashboard every user shares.
    return Endpoint(load, limits, processes=1)


def _run(text: str, fmt: str) -> bytes:
    """The query's result in ``fmt``; raises QueryRefused (HTTP status and message)."""
    from graph.sparql.engine import QueryRefused

    url = os.environ.get("GOVPLAT_SPARQL_URL")
    if url:
        req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": text, "format": fmt}).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            raise QueryRefused(exc.read().decode("utf-8", "replace").strip(), exc.code) from None
        except OSError as exc:
            raise QueryRefused(f"cannot reach the SPARQL endpoint at {url}: {exc}", 503) from None
    from dashboard import data
    from graph.errors import GovplatError

    try:
        endpoint = _endpoint(data.version())
    except (GovplatError, RuntimeError, OSError) as exc:  # no worker process: never fall back to our threads
        raise QueryRefused(f"cannot start the SPARQL worker process: {exc}", 503) from None
    return endpoint.run(text, fmt=fmt)


def _table(body: bytes):
    import pandas as pd

    doc = json.loads(body)
    if "boolean" in doc:
        return None, doc["boolean"], False
    columns = doc["head"]["vars"]
    rows = [{c: b[c]["value"] if c in b else None for c in columns} for b in doc["results"]["bindings"]]
    truncated = bool(doc.get("govplat", {}).get("truncated"))
    return pd.DataFrame(rows, columns=columns), None, truncated


def render(*, key: str = "sparql") -> None:
    """The console: examples, a query box, results. Widget keys start with ``key`` + "_"."""
    from graph.sparql import examples as sparql_examples
    from graph.sparql.engine import QueryRefused

    examples = {e.name: e for e in sparql_examples.examples()}
    st.caption("SPARQL 1.1 over the RDF view of the graph (as `govplat export` writes it). Read-only; every "
               "query has a timeout and a row cap. Entities are `<https://w3id.org/govplat/id/…>`, terms `gp:`.")
    choice = st.selectbox("Start from an example", ["(write your own)", *examples], key=f"{key}_example",
                          format_func=lambda n: n if n not in examples else f"{n} — {examples[n].description}")
    if choice in examples and st.session_state.get(f"{key}_loaded") != choice:
        ex = examples[choice]
        st.session_state[f"{key}_text"] = ex.bind(ex.defaults())
        st.session_state[f"{key}_loaded"] = choice
    st.session_state.setdefault(f"{key}_text", next(iter(examples.values())).bind())
    text = st.text_area("SPARQL", height=260, key=f"{key}_text")
    if not (st.button("Run", key=f"{key}_run", type="primary") or st.session_state.get(f"{key}_ran")):
        return
    st.session_state[f"{key}_ran"] = True
    form = query_form(text)
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            body = _run(text, "ttl")
            st.code(body.decode("utf-8", "replace")[:200_000], language="turtle")
            st.download_button("Download Turtle", body, file_name="govplat-sparql.ttl", mime="text/turtle",
                               key=f"{key}_download_ttl", on_click="ignore")  # no rerun, no second query
            return
        df, boolean, truncated = _table(_run(text, "json"))
    except QueryRefused as exc:
        icon = "🚫" if exc.status == 403 else ("⏱️" if exc.status == 503 else None)
        st.error(f"{exc.status}: {exc}", icon=icon)
        return
    if df is None:
        st.success(f"ASK: {'yes' if boolean else 'no'}")
        return
    st.caption(f"{len(df)} row{'s' if len(df) != 1 else ''}" + (" (stopped at the row cap)" if truncated else ""))
    st.dataframe(df, hide_index=True, key=f"{key}_table", width="stretch")
    if len(df):
        ui.download_table(df, key=f"{key}_download", name="govplat-sparql")
