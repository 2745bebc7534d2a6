"""Helpers shared by the bulk-source tests (tests/ingest/test_{lumen,courtlistener,...}.py)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from graph.model import Entity
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


@contextmanager
def embedded_home(home: Path):
    """A fresh embedded store under ``home``, with GOVPLAT_HOME pointing there while it is open
    (sources keep per-run state in the home); the old GOVPLAT_HOME comes back afterwards."""
    from graph.stores.embedded import EmbeddedStore

    old = os.environ.get("GOVPLAT_HOME")
    os.environ["GOVPLAT_HOME"] = str(home)
    store = EmbeddedStore(home / "store.lbug")
    try:
        yield store
    finally:
        store.close()
        if old is None:
            os.environ.pop("GOVPLAT_HOME", None)
        else:
            os.environ["GOVPLAT_HOME"] = old


@contextmanager
def ingested_twice(home: Path, source: str, files: list[Path]):
    """``files`` ingested twice by ``source`` into a fresh embedded store under ``home``; yields
    (store, first counters, second counters, counts after the first, dump after the first)."""
    with embedded_home(home) as store:
        first = ingest(store, source, *files)
        counts, dump = store.counts(), snapshot(store)
        second = ingest(store, source, *files)
        yield store, first, second, counts, dump


class Capture:
    """A stand-in store that keeps what a run writes, so real files can be checked value by
    value without the cost of a database (the Context still batches and runs SHACL)."""

    def __init__(self):
        self.entities: dict[str, Entity] = {}
        self.relations: set[tuple[str, str, str]] = set()

    def upsert(self, entities, relations):
        for e in entities:
            self.entities[e.id] = e
        for r in relations:
            self.relations.add((r.src, r.type, r.dst))

    def upsert_table(self, cls, table, relations, origins=None, relation_origins=None):
        from graph.stores.base import table_records

        self.upsert(*table_records(cls, table, relations, origins, relation_origins))

    def stats(self, **where) -> list[Entity]:
        return [e for e in self.entities.values() if e.cls == "RequestStatistic"
                and all(e.props.get(k) == v for k, v in where.items())]

    def links(self, entity_id: str, rtype: str) -> set[str]:
        """Ids the entity points to by relationship type ``rtype``."""
        return {d for s, t, d in self.relations if s == entity_id and t == rtype}

    def one(self, **where) -> Entity:
        found = self.stats(**where)
        assert len(found) == 1, f"{len(found)} statistics match {where}"
        return found[0]


def run_captured(source: str, *paths: Path):
    """Run a source on files into a Capture (no valid-time stamping: that needs a store); returns
    (counters, capture)."""
    cap = Capture()
    counters = run_source(available_sources()[source], cap, list(paths), stamp=False)  # type: ignore[arg-type]
    return counters, cap


def file_report(counters, name: str) -> dict:
    """The per-file summary (layout, rows, rejected_rows, statistics, stored) of the one file
    whose path ends with ``name`` (a file name, or folder/file name)."""
    found = [v for k, v in counters.notes["files"].items() if Path(k).as_posix().endswith("/" + name)]
    assert len(found) == 1, f"{len(found)} reports for {name}: {sorted(counters.notes['files'])}"
    return found[0]
