"""The columnar bulk path into the embedded store: ``govplat ingest --bulk`` (and any ingest into
an empty embedded store).

Records go through :meth:`Store.upsert` exactly as on the transactional path (the same checks,
the same errors, raised by the batch that has the bad record), but the rows it produces are
staged as Arrow record batches, one list per class and per (relationship type, from class, to
class), instead of being MERGEd one transaction at a time. What the store or an earlier batch
holds is merged at the flush, not at staging: a row for an id seen before keeps only its own
values until then. :meth:`BulkStore.flush` folds the staged rows of each id (and relationship)
into one, as the transactional path merges them one after the other (sources and multi-valued
properties unioned, single values overwritten only by values a later row has), and writes them
in one transaction (into an empty store: as :func:`copy_tables` writes, wiped if it fails): the
rows new to the store go in with Ladybug's ``COPY FROM``, the rows of what the store held before
are merged the transactional way. A source that looks up what is stored (:meth:`Store.node_table`,
:meth:`Store.link_table`) gets the same fold of the stored and the staged rows, without a flush;
the valid-time stamp reads the same way and its stamps are staged with the rows. A flush
happens when the ingest ends (``close``) and before anything else reads the store (Cypher, a
dump, counts), so both paths give the same graph.

Records a source emits as columns (ingest.context.Context.emit_table) are staged as the Arrow
tables they are (:meth:`BulkStore.upsert_table`), with the same ``_new`` marks, and merged at the
flush in the same way.

Memory: the staged rows as Arrow columns (about 150 bytes per relation) and the class of every
staged id (a dict, about 100 bytes per entity; kept after the flush while only this store has
written to it, so that later batches need not look their ids up in the store), not Python row dicts.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.arrow_types import arrow_type
from graph.errors import StoreError, ValidationError
from graph.model import Entity, Relation
from graph.settings import COPY_MIN_ROWS
from graph.stores.base import Existing, Result, Store, Writes, _union
from graph.stores.embedded import EmbeddedStore

__all__ = ["BulkStore", "copy_tables", "load_tables"]



def _date(v: Any) -> Any:
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


@contextmanager
def _writes_into_empty(store: EmbeddedStore):
    """The connection for the writes of a load into an empty store: each statement commits on
    its own with automatic checkpoints off (the rows wait in the write-ahead log), then one
    CHECKPOINT writes them all; if a statement fails, what the earlier ones wrote is wiped, so
    nothing is stored half-written (the store was empty). A killed load leaves the statements it
    committed, as a killed ingest leaves its batches: the next reader says so, and ingesting
    again (idempotent) completes it.

    Not one transaction: Ladybug checkpoints after every COPY statement, and COPYs inside a
    transaction go through its local storage, whose merge at the commit grows faster than the
    data (3M relations: 167 s, most of it the commit; 1M: 21 s of CPU against 11 s this way)."""
    conn = store._conn
    conn.execute("CALL auto_checkpoint=false")
    try:
        yield conn
        conn.execute("CHECKPOINT")
    except BaseException:
        store.wipe()
        raise
    finally:
        conn.execute("CALL auto_checkpoint=true")
        store._bump_version()


def copy_tables(store: EmbeddedStore, entities: dict[str, pa.Table],
                relations: dict[tuple[str, str, str], pa.Table]) -> None:
    """Tables in the store's column layout (graph.synthetic.Tables), already checked
    (:func:`load_tables`), into an empty embedded store: one COPY per table."""
    if any(store._count_entities().values()):
        raise StoreError(f"the table path loads an empty store only; {store.path} holds a graph "
                         "(ingest into it through the record path, or `govplat wipe --yes` first)")
    with _writes_into_empty(store) as conn:
        for cls, rows in entities.items():
            _copy(conn, cls, rows)
        for key, rows in relations.items():
            _copy_relation(conn, key, rows)


def load_tables(store: EmbeddedStore, entities: dict[str, pa.Table],
                relations: dict[tuple[str, str, str], pa.Table], where: str = "") -> None:
    """A graph held as tables in the store's column layout into an empty embedded store: every
    row checked column-wise as the record path checks records (graph.stores.table_checks; the
    first bad row is refused naming ``where``, the record and the field, and nothing is stored),
    then :func:`copy_tables`."""
    from graph.stores.table_checks import check_tables

    copy_tables(store, *check_tables(entities, relations, where))


def _first_rows(table: pa.Table, keys: list[str]) -> np.ndarray:
    """A mask of the rows that are the first of their key in ``table``."""
    n = table.num_rows
    idx = pa.array(np.arange(n, dtype=np.int64))
    firsts = table.select(keys).append_column("_i", idx).group_by(keys, use_threads=False).aggregate([("_i", "min")])
    mask = np.zeros(n, dtype=bool)
    mask[firsts["_i_min"].to_numpy()] = True
    return mask


def _fold(table: pa.Table, key: list[str], multi: set[str]) -> pa.Table:
    """One row per ``key``: the rows of a key applied in order, as the transactional path merges
    them one after the other (multi-valued columns unioned, a single value replaced only by a
    value a later row has, other columns as the first row has them). Rows of a key seen once stay
    as they are; the folded rows follow them."""
    first = _first_rows(table, key)
    if first.all():
        return table
    keys = list(zip(*(table[k].to_pylist() for k in key)))
    twice = {k for k, f in zip(keys, first) if not f}
    mask = np.array([k in twice for k in keys])
    folded: dict[tuple, dict] = {}
    singles = [c for c in table.column_names if c not in multi and c not in key and not c.startswith("_")]
    for k, row in zip((k for k in keys if k in twice), table.filter(pa.array(mask)).to_pylist()):
        acc = folded.get(k)
        if acc is None:
            folded[k] = row
            continue
        for c in multi:
            acc[c] = _union(acc[c], row[c])
        for c in singles:
            if row[c] is not None:
                acc[c] = row[c]
    return pa.concat_tables([table.filter(pa.array(~mask)),
                             pa.Table.from_pylist(list(folded.values()), schema=table.schema)])


def _stamped(table: pa.Table, stamps: dict[str, dict]) -> pa.Table:
    """``table`` with the ``validFrom`` / ``validTo`` of the ids in ``stamps`` (``{id: {validFrom,
    validTo}}``, a date or None) replaced by theirs, where it has those columns."""
    at = pc.index_in(table["id"], value_set=pa.array(list(stamps), pa.string()))
    for prop in ("validFrom", "validTo"):
        i = table.schema.get_field_index(prop)
        if i >= 0:
            values = pa.array([r[prop] for r in stamps.values()], pa.date32())
            table = table.set_column(i, prop, pc.if_else(pc.is_valid(at), pc.take(values, at), table[prop]))
    return table


class BulkStore(Store):
    """An :class:`EmbeddedStore` written through staged Arrow batches and ``COPY FROM``."""

    engine = "ladybug"

    def __init__(self, inner: EmbeddedStore) -> None:
        super().__init__()
        self.inner = inner
        self._empty = not any(inner._count_entities().values())  # nothing to look up in the store
        # While only this store has written to an empty store, what it holds is what was flushed:
        # an id is looked up here, not in the store (a write through run() ends that).
        self._only_ours = self._empty
        self._flushed: dict[str, str] = {}  # every flushed id -> its class, while _only_ours
        self._schemas: dict[str, pa.Schema] = {}
        rel_fields = [pa.field("from", pa.string()), pa.field("to", pa.string())]
        self._rel_schema = pa.schema(rel_fields + [pa.field(p.name, arrow_type(p))
                                                   for p in self.onto.relation_properties()])
        self._reset()

    def _reset(self) -> None:
        self._classes: dict[str, str] = {}  # every staged id -> its class
        self._stored: set[str] = set()  # staged ids the store held before the flush
        self._entities: dict[str, list[pa.RecordBatch]] = defaultdict(list)  # with a bool column _new
        self._relations: dict[tuple[str, str, str], list[pa.RecordBatch]] = defaultdict(list)
        self._n_relations = 0
        self._restamp: dict[str, dict[str, dict]] = defaultdict(dict)  # stamps of stored ids, after the flush

    def _schema(self, cls: str) -> pa.Schema:
        if cls not in self._schemas:
            self._schemas[cls] = pa.schema([pa.field(p.name, arrow_type(p)) for p in self.onto.properties_of(cls)])
        return self._schemas[cls]

    # ------------------------------------------------------------------ staging
    def _existing(self, ids: list[str], full: set[str]) -> dict[str, Existing]:
        # A staged id answers with its class only: its values are merged at the flush.
        out: dict[str, Existing] = {}
        rest = []
        for i in ids:
            cls = self._classes.get(i)
            if cls is not None:
                out[i] = Existing(cls, {})
            elif (cls := self._flushed.get(i)) is not None:
                out[i] = Existing(cls, {})
                self._stored.add(i)
            else:
                rest.append(i)
        if rest and not self._empty and not self._only_ours:
            found = self.inner._existing(rest, full & set(rest))
            self._stored.update(found)
            out.update(found)
        return out

    def _existing_relation_sources(self, rtype, groups):
        return {}  # merged at the flush, with the store and with earlier staged rows

    def _write(self, writes: Writes) -> None:
        for cls, rows in writes.entities.items():
            schema = self._schema(cls)
            try:
                batch = pa.RecordBatch.from_pylist(rows, schema=schema)
            except (pa.ArrowTypeError, pa.ArrowInvalid):  # a date given as text or as a datetime
                dates = [p.name for p in self.onto.properties_of(cls) if p.kind == "date"]
                rows = [{**r, **{d: _date(r[d]) for d in dates if r.get(d) is not None}} for r in rows]
                batch = pa.RecordBatch.from_pylist(rows, schema=schema)
            new = pa.array([r["id"] in writes.new_entities for r in rows], pa.bool_())
            self._entities[cls].append(batch.append_column("_new", new))
            for r in rows:
                self._classes[r["id"]] = cls
        dates = [p.name for p in self.onto.relation_properties() if p.kind == "date"]
        for key, rows in writes.relations.items():
            cols = {"from": [r["f"] for r in rows], "to": [r["t"] for r in rows]}
            for field in self._rel_schema:
                if field.name not in cols:
                    vals = [r.get(field.name) for r in rows]
                    cols[field.name] = [None if v is None else _date(v) for v in vals] if field.name in dates else vals
            self._relations[key].append(pa.RecordBatch.from_pydict(cols, schema=self._rel_schema))
            self._n_relations += len(rows)

    def upsert_table(self, cls: str, table: pa.Table, relations: dict[str, pa.Table], origins=None,
                     relation_origins=None) -> None:
        """Records given as columns (Store.upsert_table), staged as they are: the table (one row
        per id, in the store's column layout, checked) is cast to the class's staged schema with
        ``_new`` telling the ids new to the store from those staged or stored before (merged at
        the flush like any repeated record), and each relationship table is split by the class
        of its ``to`` end. An id stored as another class, or a relationship to an unknown id or
        between classes the ontology does not join, is refused as Store.upsert refuses it, and
        then nothing of the call is staged."""
        ids = table.column("id").to_pylist()
        dst = sorted({t for rels in relations.values() for t in rels.column("to").to_pylist()})
        existing = self._existing(ids + [d for d in dst if d not in self._classes], set())
        for i in ids:
            old = existing.get(i)
            if old is not None and old.cls != cls:
                raise ValidationError(f"id is already stored as a {old.cls}, not a {cls}", record=i, field="class")
        own = set(ids)
        classes = {d: cls if d in own else self._classes.get(d) or (existing[d].cls if d in existing else None)
                   for d in dst}
        parts: list[tuple[tuple[str, str, str], pa.Table]] = []
        for rtype, rels in relations.items():
            by_class: dict[str | None, list[int]] = defaultdict(list)
            for row, t in enumerate(rels.column("to").to_pylist()):
                by_class[classes.get(t)].append(row)
            for dcls, rows in by_class.items():
                first = rels.slice(rows[0], 1).to_pylist()[0]
                record = f"{first['from']} {rtype} {first['to']}"
                if dcls is None:
                    raise ValidationError(f"refers to unknown entity {first['to']!r}", record=record, field="to")
                if not self.onto.allows(rtype, cls, dcls):
                    raise ValidationError(f"{rtype} cannot join a {cls} to a {dcls}", record=record, field="type")
                parts.append(((rtype, cls, dcls), rels.take(pa.array(rows, pa.int64())) if len(rows) < rels.num_rows
                              else rels))
        if ids:
            schema = self._schema(cls)
            names = set(table.column_names)
            cols = [table.column(f.name).cast(f.type) if f.name in names else pa.nulls(len(ids), f.type)
                    for f in schema]
            new = pa.array([i not in existing for i in ids], pa.bool_())
            batch = pa.Table.from_arrays(cols, schema=schema).combine_chunks().to_batches()[0]
            self._entities[cls].append(batch.append_column("_new", new))
            self._classes.update(dict.fromkeys(ids, cls))
        for key, part in parts:
            names = set(part.column_names)
            cols = [part.column(f.name).cast(f.type) if f.name in names else pa.nulls(part.num_rows, f.type)
                    for f in self._rel_schema]
            self._relations[key].extend(pa.Table.from_arrays(cols, schema=self._rel_schema).to_batches())
            self._n_relations += part.num_rows

    def staged(self) -> tuple[int, int]:
        """Entities and relations waiting for the flush (a relation staged twice counts twice)."""
        return len(self._classes), self._n_relations

    def _staged_entities(self, cls: str) -> pa.Table:
        """The rows staged for ``cls``, one per id (:func:`_fold`), with the bool column ``_new``."""
        return _fold(pa.Table.from_batches(self._entities[cls]), ["id"], self._multi(cls))

    def _staged_relations(self, key: tuple[str, str, str]) -> pa.Table:
        """The rows staged for (type, from class, to class), one per relationship (:func:`_fold`)."""
        return _fold(pa.Table.from_batches(self._relations[key]), ["from", "to"], {"sources"})

    def _multi(self, cls: str) -> set[str]:
        return {p.name for p in self.onto.properties_of(cls) if p.multi}

    def flush(self) -> None:
        """Write what is staged, one row per id and per relationship (the staged rows of each
        folded into one as the transactional path merges them): COPY the rows new to the store
        (small tables are CREATEd: a COPY has a fixed cost), MERGE the rows of what it holds; then
        the valid time of stored entities stamped while their rows were staged."""
        if not self._classes and not self._n_relations:
            return
        inner = self.inner
        with _writes_into_empty(inner) if self._empty else inner.transaction() as conn:
            for cls in self._entities:
                table = self._staged_entities(cls)
                new_mask = table["_new"]
                table = table.drop_columns(["_new"])
                new = table.filter(new_mask)
                if new.num_rows >= COPY_MIN_ROWS:
                    _copy(conn, cls, new)
                elif new.num_rows:
                    inner._create_entities(cls, new.to_pylist())
                rest = table.filter(pc.invert(new_mask))
                if rest.num_rows:
                    self._merge_entities(cls, rest.to_pylist())
            for key in self._relations:
                table = self._staged_relations(key)
                new = np.ones(table.num_rows, dtype=bool)
                if not self._empty:  # a relationship the store holds is merged
                    pairs = list(zip(table["from"].to_pylist(), table["to"].to_pylist()))
                    candidates = [(f, t) for f, t in pairs if f in self._stored and t in self._stored]
                    if candidates:
                        held = inner._existing_relation_sources(key[0], {key[1:]: candidates})
                        new = np.array([p not in held for p in pairs], dtype=bool)
                rows = table.filter(pa.array(new))
                if rows.num_rows >= COPY_MIN_ROWS:
                    _copy_relation(conn, key, rows)
                elif rows.num_rows:
                    inner._write_relations(*key, [{"f": r.pop("from"), "t": r.pop("to"), **r}
                                                  for r in rows.to_pylist()], "CREATE")
                rest = table.filter(pa.array(~new))
                if rest.num_rows:
                    self._merge_relations(key, [{"f": r.pop("from"), "t": r.pop("to"), **r} for r in rest.to_pylist()])
        if self._only_ours:
            self._flushed.update(self._classes)
        restamp = self._restamp
        self._reset()
        self._empty = False
        if restamp:
            inner.set_valid_time({cls: list(rows.values()) for cls, rows in restamp.items()})

    def _merge_entities(self, cls: str, rows: list[dict]) -> None:
        """Rows of ids the store holds, one per id: multi-valued properties unioned with what is
        stored, single values kept where the row has none."""
        multi = self._multi(cls)
        held = self.inner._existing([r["id"] for r in rows], {r["id"] for r in rows})
        for r in rows:
            old = held[r["id"]].multi
            for m in multi:
                r[m] = _union(old.get(m), r.get(m))
        self.inner._merge_entities(cls, rows)

    def _merge_relations(self, key: tuple[str, str, str], rows: list[dict]) -> None:
        rtype, s, d = key
        held = self.inner._existing_relation_sources(rtype, {(s, d): [(r["f"], r["t"]) for r in rows]})
        for r in rows:
            r["sources"] = _union(held.get((r["f"], r["t"])), r["sources"])
        self.inner._write_relations(rtype, s, d, rows, "MERGE")

    # ------------------------------------------------------------------ lookups: what is staged and stored
    def node_table(self, cls: str, props: list[str]) -> pa.Table:
        """What a flush would leave in the store, read without one: the stored rows (if the store
        holds anything) and the staged rows of ``cls``, folded per id in that order."""
        parts = []
        if not self._empty:
            parts.append(self.inner.node_table(cls, props))
        if self._entities.get(cls):
            parts.append(pa.Table.from_batches(self._entities[cls]).select(["id", *props]))
        if not parts:
            return pa.Table.from_pylist([], schema=self._schema(cls)).select(["id", *props])
        table = _fold(pa.concat_tables(parts), ["id"], self._multi(cls) & set(props))
        return _stamped(table, self._restamp[cls]) if self._restamp.get(cls) else table

    def link_table(self, rtype: str, src: str | None = None, dst: str | None = None) -> pa.Table:
        """As :meth:`node_table`: the stored and the staged relationships of ``rtype``, each once."""
        parts = [self.inner.link_table(rtype, src, dst)] if not self._empty else []
        parts += [pa.Table.from_batches(batches).select(["from", "to"]) for (t, s, d), batches in self._relations.items()
                  if t == rtype and src in (None, s) and dst in (None, d)]
        if not parts:
            return pa.table({"from": pa.array([], pa.string()), "to": pa.array([], pa.string())})
        table = pa.concat_tables(parts)
        return table.filter(pa.array(_first_rows(table, ["from", "to"])))

    def set_valid_time(self, rows_by_class: dict[str, list[dict]]) -> None:
        """The stamps of staged ids new to the store go into their staged rows (COPYed with them);
        those of ids the store holds are written after the flush (a stamp may clear a stored date,
        which a merged row cannot)."""
        if not self._classes:
            self.inner.set_valid_time(rows_by_class)
            return
        for cls, rows in rows_by_class.items():
            fresh = {r["id"]: r for r in rows if r["id"] in self._classes and r["id"] not in self._stored}
            for r in rows:
                if r["id"] not in fresh:
                    self._restamp[cls][r["id"]] = r
            if fresh:
                self._entities[cls] = _stamped(pa.Table.from_batches(self._entities[cls]), fresh).to_batches()

    # ------------------------------------------------------------------ reading: the store, after a flush
    def _check_read_only(self, cypher, params, timeout) -> None:
        self.flush()
        self.inner._check_read_only(cypher, params, timeout)

    def run(self, cypher, params=None, *, read_only=True, timeout=None, max_rows=None) -> Result:
        self.flush()
        if not read_only:  # the store may now hold other ids than those flushed: look them up there
            self._only_ours = False
            self._flushed.clear()
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

    def data_version(self) -> str | None:
        self.flush()
        return self.inner.data_version()

    def wipe(self) -> None:
        self._reset()
        self.inner.wipe()
        self._empty = self._only_ours = True
        self._flushed.clear()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.inner.close()
