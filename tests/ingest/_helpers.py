"""Helpers shared by the bulk-source tests (tests/ingest/test_{lumen,courtlistener,...}.py)."""
from __future__ import annotations

from ingest.run import available_sources, run_source


def ingest(store, name, *paths):
    return run_source(available_sources()[name], store, list(paths))


def snapshot(store):
    entities, relations = store.dump()
    return sorted(map(repr, entities)), sorted(map(repr, relations))


def one(store, cypher, **params):
    rows = store.run(cypher, params).rows
    assert len(rows) == 1, rows
    return rows[0]


def value(store, cypher, **params):
    return next(iter(one(store, cypher, **params).values()))
