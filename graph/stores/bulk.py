"""The columnar bulk path into the embedded store: ``govplat ingest --bulk`` (and any ingest into
an empty embedded store).

Records go through :meth:`Store.upsert` exactly as on the transactional path (the same checks,
the same merging of sources and properties, the same errors), but the rows it produces are
staged in memory instead of being MERGEd one transaction at a time. :meth:`BulkStore.flush`
then writes them column-wise: rows new to the store become Arrow tables, one per class and
one per (relationship type, from class, to class), loaded with Ladybug's ``COPY FROM``; rows
for ids the store already held are merged the usual way. A flush happens when the ingest
ends (``close``) and before anything reads the store (a source that looks up what is
stored sees what was staged before it), so both paths give the same graph.

Memory: the staged rows of one ingest run are held until the flush (about 1 KB per record).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from graph.errors import StoreError
from graph.model import Entity, Relation
from graph.stores.base import Existing, Result, Store, Writes
from graph.stores.embedded import EmbeddedStore

__all__ = ["BulkStore", "arrow_type", "copy_tables"]

# Fewer new rows than this in one table are CREATEd (UNWIND) instead: a COPY has a fixed cost of
# tens of milliseconds, an UNWIND CREATE of a few hundred rows costs less.
COPY_MIN_ROWS = 500
_ARROW = {"string": pa.string(), "date": pa.date32(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}


def arrow_type(prop) -> pa.DataType:
    """The Arrow type of an ontology property (a list type for a multi-valued one)."""
    t = _ARROW[prop.kind]
    return pa.list_(t) if prop.multi else t


def _value(v: Any, kind: str) -> Any:
    if kind == "date":
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str):
            return dt.date.fromisoformat(v)
    return v


def _copy(conn, table: str, rows: pa.Table, options: str = "") -> None:
    try:
        conn.execute(f"COPY `{table}` FROM $rows{options}", {"rows": rows})
    except RuntimeError as exc:
        raise StoreError(f"the bulk load of {rows.num_rows} rows into {table} failed: {exc}") from exc


def _copy_relation(conn, key: tuple[str, str, str], rows: pa.Table) -> None:
    rtype, s, d = key
    _copy(conn, rtype, rows, f" (from='{s}', to='{d}')")


def copy_tables(store: EmbeddedStore, entities: dict[str, pa.Table],
                relations: dict[tuple[str, str, str], pa.Table]) -> None:
    """Tables in the store's column layout (graph.synthetic.Tables) into an empty embedded store:
    one COPY per table, all in one transaction."""
    with store.transaction() as conn:
        for cls, rows in entities.items():
            _copy(conn, cls, rows)
        for key, rows in relations.items():
            _copy_relation(conn, key, rows)


class BulkStore(Store):
    """An :class:`EmbeddedStore` written through staged rows and ``COPY FROM``."""

    engine = "ladybug"

    def __init__(self, inner: EmbeddedStore) -> None:
        super().__init__()
        self.inner = inner
        self._empty = not any(inner._count_entities().values())  # nothing to look up in the store
        self._reset()

    def _reset(self) -> None:
        # class -> id -> row; ids whose row the store does not hold yet
        self._entities: dict[str, dict[str, dict]] = defaultdict(dict)
        self._classes: dict[str, str] = {}
        self._new_entities: set[str] = set()
        # (type, from class, to class) -> (from, to) -> row; keys (from, type, to) new to the store
        self._relations: dict[tuple[str, str, str], dict[tuple[str, str], dict]] = defaultdict(dict)
        self._relation_keys: dict[tuple[str, str, str], tuple[str, str, str]] = {}  # (f, type, t) -> table key
        self._new_relations: set[tuple[str, str, str]] = set()

    # ------------------------------------------------------------------ staging
    def _existing(self, ids: list[str], full: set[str]) -> dict[str, Existing]:
        out: dict[str, Existing] = {}
        rest = []
        for i in ids:
            cls = self._classes.get(i)
            if cls is None:
                rest.append(i)
                continue
            row = self._entities[cls][i]
            out[i] = Existing(cls, {p.name: row.get(p.name) for p in self.onto.properties_of(cls) if p.multi})
        if rest and not self._empty:
            out.update(self.inner._existing(rest, full & set(rest)))
        return out

    def _existing_relation_sources(self, rtype, groups):
        out: dict[tuple[str, str], list[str]] = {}
        rest: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for (s, d), pairs in groups.items():
            staged = self._relations.get((rtype, s, d), {})
            for pair in pairs:
                if pair in staged:
                    out[pair] = staged[pair]["sources"]
                else:
                    rest.setdefault((s, d), []).append(pair)
        if rest and not self._empty:
            out.update(self.inner._existing_relation_sources(rtype, rest))
        return out

    def _write(self, writes: Writes) -> None:
        # Rows come with sources and multi-valued properties already unioned with what is stored
        # or staged; a single value the record does not have keeps the one before (as MERGE's
        # coalesce does in the embedded store).
        for cls, rows in writes.entities.items():
            staged = self._entities[cls]
            for row in rows:
                old = staged.get(row["id"])
                if old is None:
                    staged[row["id"]] = dict(row)
                    self._classes[row["id"]] = cls
                    if row["id"] in writes.new_entities:
                        self._new_entities.add(row["id"])
                else:
                    old.update({k: v for k, v in row.items() if v is not None})
        for key, rows in writes.relations.items():
            staged = self._relations[key]
            for row in rows:
                pair = (row["f"], row["t"])
                rkey = (row["f"], key[0], row["t"])
                old = staged.get(pair)
                if old is None:
                    staged[pair] = dict(row)
                    self._relation_keys[rkey] = key
                    if rkey in writes.new_relations:
                        self._new_relations.add(rkey)
                else:
                    old.update({k: v for k, v in row.items() if v is not None})

    def staged(self) -> tuple[int, int]:
        """Entities and relations waiting for the flush."""
        return len(self._classes), len(self._relation_keys)

    def flush(self) -> None:
        """Write what is staged in one transaction: COPY the tables of rows new to the store (small
        ones are CREATEd: a COPY has a fixed cost), MERGE the rows of ids the store already held."""
        if not self._classes and not self._relation_keys:
            return
        conn = self.inner._conn
        with self.inner.transaction():
            rows_by_class: dict[str, list[dict]] = {}
            created: set[str] = set()
            for cls, rows in self._entities.items():
                new = [r for i, r in rows.items() if i in self._new_entities]
                if len(new) >= COPY_MIN_ROWS:
                    props = self.onto.properties_of(cls)
                    _copy(conn, cls, pa.table({p.name: pa.array([_value(r.get(p.name), p.kind) for r in new],
                                                                arrow_type(p)) for p in props}))
                    new = []
                created.update(r["id"] for r in new)
                rest = new + [r for i, r in rows.items() if i not in self._new_entities]
                if rest:
                    rows_by_class[cls] = rest
            self.inner._write_rows(Writes(rows_by_class, {}, created, set()))
            rel_props = self.onto.relation_properties()
            rows_by_key: dict[tuple[str, str, str], list[dict]] = {}
            created_rel: set[tuple[str, str, str]] = set()
            for (rtype, s, d), rows in self._relations.items():
                new = [r for (f, t), r in rows.items() if (f, rtype, t) in self._new_relations]
                if len(new) >= COPY_MIN_ROWS:
                    cols = {"from": pa.array([r["f"] for r in new], pa.string()),
                            "to": pa.array([r["t"] for r in new], pa.string())}
                    cols.update({p.name: pa.array([_value(r.get(p.name), p.kind) for r in new], arrow_type(p))
                                 for p in rel_props})
                    _copy_relation(conn, (rtype, s, d), pa.table(cols))
                    new = []
                created_rel.update((r["f"], rtype, r["t"]) for r in new)
                rest = new + [r for (f, t), r in rows.items() if (f, rtype, t) not in self._new_relations]
                if rest:
                    rows_by_key[(rtype, s, d)] = rest
            self.inner._write_rows(Writes({}, rows_by_key, set(), created_rel))
        self._reset()
        self._empty = False

    # ------------------------------------------------------------------ reading: the store, after a flush
    def _check_read_only(self, cypher, params, timeout) -> None:
        self.flush()
        self.inner._check_read_only(cypher, params, timeout)

    def run(self, cypher, params=None, *, read_only=True, timeout=None, max_rows=None) -> Result:
        self.flush()
        return self.inner.run(cypher, params, read_only=read_only, timeout=timeout, max_rows=max_rows)

    def dump(self) -> tuple[Iterator[Entity], Iterator[Relation]]:
        self.flush()
        return self.inner.dump()

    def _count_entities(self) -> dict[str, int]:
        self.flush()
        return self.inner._count_entities()

    def _count_relations(self) -> dict[str, int]:
        self.flush()
        return self.inner._count_relations()

    def set_valid_time(self, rows_by_class: dict[str, list[dict]]) -> None:
        self.flush()
        self.inner.set_valid_time(rows_by_class)

    def data_version(self) -> str | None:
        self.flush()
        return self.inner.data_version()

    def wipe(self) -> None:
        self._reset()
        self.inner.wipe()
        self._empty = True

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.inner.close()
