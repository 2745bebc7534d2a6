"""The one Store interface; each engine implements the few primitives at the bottom.

Upserts are idempotent: entities MERGE on ``id``, relationships on (from, type, to);
``sources`` and every multi-valued property are unioned with what is stored, single values
are overwritten only by values the record actually has. A batch is one transaction.
"""
from __future__ import annotations

import abc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graph.errors import QueryError, ReadOnlyViolation, ValidationError
from graph.model import Entity, Relation, entity_uri
from graph.ontology import Ontology, ontology

__all__ = ["Store", "Result", "Existing", "Writes", "table_records"]


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


@dataclass
class Existing:
    cls: str
    multi: dict[str, list]  # sources and multi-valued props as stored


@dataclass
class Writes:
    """One batch ready for an engine: rows per class and per (type, from class, to class).

    ``new_entities`` / ``new_relations`` name the rows known not to be stored before this batch
    (an engine may CREATE them instead of MERGE); every other row may exist and is merged.
    """
    entities: dict[str, list[dict]]
    relations: dict[tuple[str, str, str], list[dict]]
    new_entities: set[str]
    new_relations: set[tuple[str, str, str]]  # (from, type, to)


def _union(old: Iterable | None, new: Iterable | None) -> list:
    if not old:  # most values are new: no set to build for none or one of them
        if not new:
            return []
        if type(new) is list and len(new) == 1:
            return list(new)
    return sorted({*(old or ()), *(new or ())}, key=str)


@dataclass(frozen=True)
class _RowLayout:
    """The columns of a class's rows: all of them in order (a row starts as ``blank``), and
    which of them are single-valued (taken as the record has them) or multi-valued (unioned)."""
    blank: dict
    single: frozenset
    multi: tuple


def _entity_row(e: Entity, old: Existing | None, layout: _RowLayout) -> dict:
    """A record's row: sources and multi-valued properties unioned with what is stored (``old``),
    single values as the record has them (a record has a few of a class's many properties)."""
    row = layout.blank.copy()
    row["id"] = e.id
    row["uri"] = entity_uri(e.id)
    held = old.multi if old else {}
    row["sources"] = _union(held.get("sources"), e.sources)
    props = e.props
    for name in layout.multi:
        row[name] = _union(held.get(name), props.get(name))
    single = layout.single
    for name, value in props.items():
        if name in single:
            row[name] = value
    return row


def table_records(cls: str, table, relations: dict, origins=None, relation_origins=None
                  ) -> tuple[list[Entity], list[Relation]]:
    """The records of Store.upsert_table's columns: an entity per row of ``table`` (its null
    and empty values left out, as a record leaves out what it does not have), a relation per row
    of each relationship table; each with its origin (file:line) where given."""
    own = {"id", "uri", "sources"}
    entities = [] if table is None else [
        Entity(r["id"], cls, {k: v for k, v in r.items() if k not in own and v is not None and v != []},
               list(r["sources"] or []), origins[n] if origins else "") for n, r in enumerate(table.to_pylist())]
    ends = {"from", "to", "sources"}
    rels = []
    for rtype, t in relations.items():
        where = (relation_origins or {}).get(rtype)
        rels.extend(Relation(rtype, r["from"], r["to"], {k: v for k, v in r.items() if k not in ends and v is not None},
                             list(r["sources"] or []), where[n] if where else "") for n, r in enumerate(t.to_pylist()))
    return entities, rels


class Store(abc.ABC):
    engine: str = ""

    def __init__(self) -> None:
        self.onto: Ontology = ontology()

    # ------------------------------------------------------------------ writing
    def upsert(self, entities: list[Entity], relations: list[Relation]) -> None:
        """Write one batch in one transaction; nothing of it is stored if any part fails."""
        entities = self._dedupe_entities(entities)
        ids = {e.id for e in entities} | {r.src for r in relations} | {r.dst for r in relations}
        existing = self._existing(sorted(ids), {e.id for e in entities}) if ids else {}
        classes = {i: ex.cls for i, ex in existing.items()}
        for e in entities:
            old = existing.get(e.id)
            if old and old.cls != e.cls:
                raise ValidationError(
                    f"id is already stored as a {old.cls}, not a {e.cls}", where=e.origin, record=e.id, field="class")
            classes[e.id] = e.cls
        rows_by_class: dict[str, list[dict]] = defaultdict(list)
        layouts: dict[str, _RowLayout] = {}  # a class's row layout, made once per class, not per record
        for e in entities:
            layout = layouts.get(e.cls)
            if layout is None:
                layout = layouts[e.cls] = self._row_layout(e.cls)
            rows_by_class[e.cls].append(_entity_row(e, existing.get(e.id), layout))
        rels_by_key: dict[tuple[str, str, str], list[Relation]] = defaultdict(list)
        allowed: dict[tuple[str, str, str], bool] = {}  # checked once per (type, from class, to class)
        for r in relations:
            src, dst = classes.get(r.src), classes.get(r.dst)
            if src is None or dst is None:
                end, field = (r.src, "from") if src is None else (r.dst, "to")
                raise ValidationError(f"refers to unknown entity {end!r}", where=r.origin,
                                      record=f"{r.src} {r.type} {r.dst}", field=field)
            key = (r.type, src, dst)
            ok = allowed.get(key)
            if ok is None:
                ok = allowed[key] = self.onto.allows(*key)
            if not ok:
                raise ValidationError(f"{r.type} cannot join a {src} to a {dst}",
                                      where=r.origin, record=f"{r.src} {r.type} {r.dst}", field="type")
            rels_by_key[key].append(r)
        merged_by_key: dict[tuple[str, str, str], dict[tuple[str, str], Relation]] = {}
        for key, rels in rels_by_key.items():
            merged: dict[tuple[str, str], Relation] = {}
            copied: set[tuple[str, str]] = set()  # pairs merged into a copy (the records given stay as they are)
            for r in rels:
                pair = (r.src, r.dst)
                prev = merged.get(pair)
                if prev is None:
                    merged[pair] = r
                    continue
                if pair not in copied:
                    copied.add(pair)
                    prev = merged[pair] = Relation(prev.type, prev.src, prev.dst, dict(prev.props),
                                                   list(prev.sources), prev.origin)
                prev.sources = _union(prev.sources, r.sources)
                prev.props = {**prev.props, **{k: v for k, v in r.props.items() if v is not None}}
            merged_by_key[key] = merged
        # What is stored already, one lookup per relationship type; a pair with an end that is
        # new in this batch cannot be stored yet, so it is not looked up.
        stored: dict[tuple[str, str, str], list[str]] = {}
        for rtype in {k[0] for k in merged_by_key}:
            groups = {(k[1], k[2]): [p for p in merged_by_key[k] if p[0] in existing and p[1] in existing]
                      for k in merged_by_key if k[0] == rtype}
            groups = {k: v for k, v in groups.items() if v}
            if groups:
                found = self._existing_relation_sources(rtype, groups)
                stored.update({(s, rtype, d): v for (s, d), v in found.items()})
        rel_rows: dict[tuple[str, str, str], list[dict]] = {}
        new_relations: set[tuple[str, str, str]] = set()
        rel_props = [p.name for p in self.onto.relation_properties() if p.name != "sources"]
        blank = dict.fromkeys(rel_props)  # a row takes the few properties its relationship has
        known = frozenset(rel_props)
        for key, merged in merged_by_key.items():
            rows = rel_rows[key] = []
            for r in merged.values():
                rkey = (r.src, r.type, r.dst)
                if rkey not in stored:
                    new_relations.add(rkey)
                row = {"f": r.src, "t": r.dst, "sources": _union(stored.get(rkey), r.sources), **blank}
                for name, value in r.props.items():
                    if name in known:
                        row[name] = value
                rows.append(row)
        new_entities = {e.id for e in entities if e.id not in existing}
        self._write(Writes(dict(rows_by_class), rel_rows, new_entities, new_relations))

    def upsert_table(self, cls: str, table, relations: dict, origins=None, relation_origins=None) -> None:
        """Records given as columns (ingest.context.Context.emit_table): ``table`` one row per id of
        class ``cls`` in the store's column layout (checked: graph.stores.table_checks), and per
        relationship type a table of ``from`` (an id of ``table``), ``to`` and ``sources``; ``origins``
        and ``relation_origins`` (by type) the file:line of each row, for messages. Written
        as their records (:func:`table_records`) through :meth:`upsert`, in batches of
        settings' batch_size entities with the relations from them (one transaction each, as
        Context batches records); the bulk path stages the columns as they are
        (graph.stores.bulk.BulkStore.upsert_table)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from graph.settings import settings

        step = settings().batch_size
        relation_origins = relation_origins or {}
        for start in range(0, max(table.num_rows, 1), step):
            part = table.slice(start, step)
            ids = part.column("id")
            rels, where = {}, {}
            for rtype, t in relations.items():  # a batch's entities with the relations from them
                mine = pc.is_in(t.column("from"), value_set=ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids)
                rels[rtype] = t.filter(mine)
                if rtype in relation_origins:
                    where[rtype] = [w for w, m in zip(relation_origins[rtype], mine.to_pylist()) if m]
            self.upsert(*table_records(cls, part, rels, origins[start:start + step] if origins else None, where))

    @staticmethod
    def _dedupe_entities(entities: list[Entity]) -> list[Entity]:
        """One record per id, later values merged into earlier ones (into a copy: the records
        given stay as they are)."""
        seen: dict[str, Entity] = {}
        copied: set[str] = set()
        for e in entities:
            prev = seen.get(e.id)
            if prev is None:
                seen[e.id] = e
                continue
            if e.id not in copied:
                copied.add(e.id)
                prev = seen[e.id] = Entity(prev.id, prev.cls, dict(prev.props), list(prev.sources), prev.origin)
            prev.sources = _union(prev.sources, e.sources)
            for k, v in e.props.items():
                if isinstance(v, list):
                    prev.props[k] = _union(prev.props.get(k), v)
                elif v is not None:
                    prev.props[k] = v
        return list(seen.values())

    def _row_layout(self, cls: str) -> _RowLayout:
        props = self.onto.properties_of(cls)
        own = {"id", "uri", "sources"}  # every class has them; made from the record itself
        return _RowLayout(dict.fromkeys(p.name for p in props),
                          frozenset(p.name for p in props if not p.multi and p.name not in own),
                          tuple(p.name for p in props if p.multi and p.name not in own))

    # ------------------------------------------------------------------ reading
    def run_named(self, name: str, params: dict[str, Any] | None = None, *,
                  timeout: float | None = None) -> Result:
        """A query of the registry with its parameters checked; ``timeout`` in seconds."""
        from graph.queries import registry

        query = registry().get(name)
        bound = query.bind(params or {})
        cap = bound.get(query.limit) if query.limit else None
        if cap is not None:  # one row more than asked for tells whether the cap cut the answer
            bound[query.limit] = cap + 1
        result = self.run(query.render(self.engine, self.onto), bound, timeout=timeout)
        if cap is not None and len(result.rows) > cap:
            return Result(result.columns, result.rows[:cap], True)
        return result

    def run_user(self, cypher: str, params: dict[str, Any] | None = None,
                 timeout: float | None = None, max_rows: int | None = None) -> Result:
        """A user's Cypher: the engine plans it and runs it only if the plan just reads
        (graph.cypher.guard); then it runs read-only, timed out, row-capped and memory-capped."""
        from graph.settings import settings

        cfg = settings()
        params = params or {}
        timeout = timeout or cfg.query_timeout
        if len(cypher) > cfg.query_max_chars:  # parsers take time (and stack) by the size of the text
            raise QueryError(f"the query has {len(cypher):,} characters, more than "
                             f"GOVPLAT_QUERY_MAX_CHARS={cfg.query_max_chars:,}")
        from graph.cypher.dialect import refuse_deep_nesting

        refuse_deep_nesting(cypher)
        if self.engine == "ladybug":  # the analyst writes Neo4j Cypher (graph/cypher/dialect.py)
            from graph.cypher.dialect import UnsupportedCypher, translate

            try:
                cypher = translate(cypher, self.onto, self)
            except UnsupportedCypher as unsupported:
                if unsupported.too_deep:  # Ladybug's parser recurses too: a few thousand levels crashed the process
                    raise
                try:  # a write is refused as a write, whatever else it uses
                    self._check_read_only(cypher, params, timeout)
                except ReadOnlyViolation:
                    raise
                except QueryError:
                    pass
                raise unsupported
        self._check_read_only(cypher, params, timeout)
        return self.run(cypher, params, read_only=True, timeout=timeout, max_rows=max_rows or cfg.row_cap)

    def node_table(self, cls: str, props: list[str]):
        """Every node of class ``cls`` as an Arrow table, ``id`` and ``props`` (one row per node):
        the lookups of sources that link to what is stored, and of the valid-time stamp. The bulk
        path answers them from what it staged and what is stored, without writing."""
        import pyarrow as pa

        from graph.arrow_types import arrow_type

        kinds = {p.name: p for p in self.onto.properties_of(cls)}
        schema = pa.schema([pa.field("id", pa.string())] + [pa.field(p, arrow_type(kinds[p])) for p in props])
        cols = "".join(f", n.`{p}` AS `{p}`" for p in props)
        return pa.Table.from_pylist(self.run(f"MATCH (n:`{cls}`) RETURN n.id AS id{cols}").rows, schema=schema)

    def link_table(self, rtype: str, src: str | None = None, dst: str | None = None):
        """Every relationship of type ``rtype`` (from a ``src`` to a ``dst`` node, where given) as
        an Arrow table of its ends' ids, ``from`` and ``to`` (see :meth:`node_table`)."""
        import pyarrow as pa

        a, b = (f":`{c}`" if c else "" for c in (src, dst))
        rows = self.run(f"MATCH (a{a})-[:`{rtype}`]->(b{b}) RETURN a.id AS f, b.id AS t").rows
        return pa.table({"from": pa.array([r["f"] for r in rows], pa.string()),
                         "to": pa.array([r["t"] for r in rows], pa.string())})

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts by concrete class and by relationship type (zeros left out)."""
        return {"entities": {k: v for k, v in sorted(self._count_entities().items()) if v},
                "relations": {k: v for k, v in sorted(self._count_relations().items()) if v}}

    # --------------------------------------------------------- engine primitives
    @abc.abstractmethod
    def _existing(self, ids: list[str], full: set[str]) -> dict[str, Existing]:
        """Class of every stored id; sources and multi-valued props for the ids in ``full``."""

    @abc.abstractmethod
    def _existing_relation_sources(self, rtype: str, groups: dict[tuple[str, str], list[tuple[str, str]]]
                                   ) -> dict[tuple[str, str], list[str]]:
        """Stored sources of (from, to) pairs of one relationship type, grouped by (from class, to class)."""

    @abc.abstractmethod
    def _write(self, writes: Writes) -> None:
        """Store one batch in one transaction."""

    @abc.abstractmethod
    def set_valid_time(self, rows_by_class: dict[str, list[dict]]) -> None:
        """Set ``validFrom`` / ``validTo`` (a date or None, which clears it) of stored entities,
        ``{class: [{id, validFrom, validTo}, ...]}``, in one transaction (graph.valid_time.stamp)."""

    def data_version(self) -> str | None:
        """A stamp that changes with every write to the store, or None where the engine keeps none."""
        return None

    @abc.abstractmethod
    def _check_read_only(self, cypher: str, params: dict[str, Any], timeout: float) -> None:
        """Have the engine plan ``cypher`` (nothing runs); ReadOnlyViolation unless the plan only reads."""

    @abc.abstractmethod
    def run(self, cypher: str, params: dict[str, Any] | None = None, *, read_only: bool = True,
            timeout: float | None = None, max_rows: int | None = None) -> Result: ...

    @abc.abstractmethod
    def dump(self) -> tuple[Iterator[Entity], Iterator[Relation]]:
        """Everything stored, entities then relations, in a stable order."""

    @abc.abstractmethod
    def _count_entities(self) -> dict[str, int]: ...

    @abc.abstractmethod
    def _count_relations(self) -> dict[str, int]: ...

    @abc.abstractmethod
    def wipe(self) -> None: ...

    def flush(self) -> None:
        """Write what is staged (the bulk path stages; the other stores write each batch at once)."""

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _require(cond: bool, message: str) -> None:
        if not cond:
            raise QueryError(message)
