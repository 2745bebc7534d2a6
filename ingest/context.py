"""What every source needs: stable ids, emit with counters, batching, validation, errors.

A source module's ``crawl(context)`` reads its files and calls ``context.emit(entity)`` /
``context.emit_relation(relation)``; it reports a bad record with ``context.reject(error)``.
The context validates each batch (SHACL) and writes it to the store in one transaction.
A rejected entity takes the relations that touch it with it, so nothing is half-stored.
A source that maps a whole file column-wise emits its records as one table instead
(``context.emit_table``): the same counters, checks and errors, without a record object per row.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import GovplatError, ValidationError
from graph.messages import clip, message_items
from graph.model import Entity, Relation, iri_text
from graph.ontology import ontology
from graph.settings import RELATIONS_PER_BATCH
from graph.stores.base import Store, table_records
from graph.validate import check_entities
from ingest.vocab import controlled_value, detail_property

__all__ = ["Context", "Counters", "make_id", "make_ids"]


def make_id(prefix: str, *keys: Any) -> str:
    """A stable id for a bulk record: source prefix + hash of its natural keys.

    >>> make_id("gtr", "US", "2019-06-30", "YouTube")
    'gtr-5a4dbdcb5fbc7e7e'
    """
    digest = hashlib.sha1("\x1f".join(str(k) for k in keys).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


def make_ids(prefix: str, head: tuple, keys: list[tuple]) -> list[str]:
    """``make_id(prefix, *head, *k)`` for each ``k`` of ``keys``: the ids of many records that
    share their first keys (a file's layout, edition, block), hashed without a call per record."""
    sep = "\x1f"
    start = sep.join(str(k) for k in head)
    sha1 = hashlib.sha1
    return [prefix + "-" + sha1(sep.join((start, *map(str, k))).encode("utf-8")).hexdigest()[:16]
            if k else make_id(prefix, *head) for k in keys]


@dataclass
class Counters:
    read: int = 0
    stored_entities: int = 0
    stored_relations: int = 0
    rejected: int = 0
    errors: list[ValidationError] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> records left out on purpose
    notes: dict[str, Any] = field(default_factory=dict)  # what a source reports for a person to check

    def to_json(self) -> dict:
        n = message_items()  # a file with a million bad rows gives the first few errors and a count
        doc = {"read": self.read, "stored_entities": self.stored_entities,
               "stored_relations": self.stored_relations, "rejected": self.rejected,
               "errors": [clip(str(e), 1000) for e in self.errors[:n]],
               "errors_not_listed": max(0, len(self.errors) - n)}
        if self.skipped:
            doc["skipped"] = dict(self.skipped)
        if self.notes:
            doc["notes"] = self.notes
        return doc


def controlled_relation_props(onto, rtype: str, props: dict[str, Any]) -> dict[str, Any]:
    """A relationship's properties with their controlled values checked against the ontology's
    SKOS schemes (PARTY_TO role), and the side a party role belongs to filled in."""
    out = dict(props)
    for name in list(out):
        vocab = onto.vocabulary_for(name, rtype)
        if vocab is None or out[name] is None:
            continue
        out[name], wording = controlled_value(vocab, out[name])
        if wording is not None:
            out.setdefault(detail_property(vocab), wording)
        side = vocab.concepts[out[name]].side
        if side is not None:
            out["side"] = side
    if "side" in props and props["side"] != out.get("side"):
        raise ValidationError("side is derived from the role; do not set it", field="side")
    return out




class Context:
    def __init__(self, name: str, store: Store | None, *, paths: list[Path] | None = None,
                 config: dict | None = None, batch_size: int = 10000, check_only: bool = False,
                 progress: Callable[[int], None] | None = None):
        self.name = name
        self.store = store
        self.paths = list(paths or [])
        self.config = config or {}
        self.batch_size = batch_size
        self.check_only = check_only
        self.progress = progress
        self.counters = Counters()
        self.onto = ontology()
        self._entities: list[Entity] = []
        self._relations: list[Relation] = []
        self._rejected_ids: set[str] = set()
        self._known: dict[str, str] = {}  # id -> class, emitted in this run
        self._allowed: dict[str, dict[str, tuple]] = {}  # class -> {property: (its scheme or None, is an IRI)}

    # ------------------------------------------------------------------ for sources
    make_id = staticmethod(make_id)

    def emit(self, entity: Entity) -> None:
        self.counters.read += 1
        try:
            allowed = self._allowed.get(entity.cls)
            if allowed is None:  # once per class: its properties, each with its scheme and whether it is an IRI
                self.onto.cls(entity.cls)
                if self.onto.classes[entity.cls].abstract:
                    raise ValidationError(f"class {entity.cls} is abstract; use one of "
                                          f"{', '.join(self.onto.concrete_subclasses(entity.cls))}")
                uri_props = self.onto.uri_properties()
                allowed = self._allowed[entity.cls] = {
                    p.name: (self.onto.vocabulary_for(p.name, entity.cls), p.name in uri_props)
                    for p in self.onto.properties_of(entity.cls)}
            for key in list(entity.props):
                if key not in allowed:
                    raise ValidationError(f"{entity.cls} has no property {key!r}", field=key)
                vocab, is_iri = allowed[key]
                if vocab is not None and entity.props[key] is not None:
                    # a controlled value (a demand's kind, a ruling's outcome): a notation of its scheme,
                    # or a wording its table in ingest/data/vocab maps to one (kept as the detail);
                    # anything else is refused with a did-you-mean
                    entity.props[key], wording = controlled_value(vocab, entity.props[key])
                    if wording is not None:
                        entity.props.setdefault(detail_property(vocab), wording)
                if is_iri:
                    value = entity.props[key]
                    entity.props[key] = ([iri_text(v) for v in value] if isinstance(value, list)
                                         else iri_text(value))
        except GovplatError as exc:
            self.reject(ValidationError(getattr(exc, "reason", str(exc)), where=entity.origin, record=entity.id,
                                        field=getattr(exc, "field", "") or "class"), entity.id)
            return
        self._known[entity.id] = entity.cls
        self._entities.append(entity)
        if len(self._entities) >= self.batch_size:
            self.flush()
        if self.progress:
            self.progress(1)

    def emit_relation(self, rel: Relation) -> None:
        self.counters.read += 1
        try:
            self.onto.relation(rel.type)
        except GovplatError as exc:
            self.reject(ValidationError(str(exc), where=rel.origin, record=f"{rel.src} {rel.type} {rel.dst}",
                                        field="type"))
            return
        if not rel.sources:
            self.reject(ValidationError("a relation names at least one source", where=rel.origin,
                                        record=f"{rel.src} {rel.type} {rel.dst}", field="sources"))
            return
        try:
            rel.props = controlled_relation_props(self.onto, rel.type, rel.props)
        except ValidationError as exc:
            self.reject(ValidationError(exc.reason, where=rel.origin, record=f"{rel.src} {rel.type} {rel.dst}",
                                        field=exc.field))
            return
        self._relations.append(rel)
        # Relations ride along with their entities' batch (each upsert has a fixed cost of looking
        # up what is stored); a source that emits many relations per entity flushes earlier.
        if len(self._relations) >= RELATIONS_PER_BATCH * self.batch_size:
            self.flush()

    def emit_table(self, cls: str, table: pa.Table, origins: list[str],
                   relations: dict[str, tuple[pa.Table, list[str]]]) -> None:
        """Records of one class given as columns, for a source that maps a file column-wise
        (ingest.sources.tabular): ``table`` one row per id (``id``, ``sources`` and properties of
        ``cls``; no id twice), ``origins`` each row's file:line, and per relationship type a table
        of ``from`` (an id of ``table``), ``to`` (an id emitted before) and ``sources`` with the
        origin of each row. Counted, checked and stored as :meth:`emit` / :meth:`emit_relation`
        records would be: every row meets the shapes (graph.stores.table_checks, the record
        path's words), a failing row is rejected alone and takes its relations with it, and the
        rest goes to the store as columns (Store.upsert_table) after the records emitted before."""
        from graph.stores.table_checks import check_entity_rows

        self.counters.read += table.num_rows + sum(rels.num_rows for rels, _ in relations.values())
        self.flush()  # what the relations point to (the file's Source, countries, companies) first
        for name in table.column_names:
            if self.onto.vocabulary_for(name, cls) is not None or name in self.onto.uri_properties() and name != "uri":
                raise ValidationError(f"{cls}.{name} takes controlled values or IRIs; emit such records "
                                      "one by one (Context.emit)", field=name)
        table, good, errors = check_entity_rows(cls, table, origins)
        for err in errors:
            self.reject(err)
        if not good.all():
            bad_ids = table.column("id").filter(pa.array(~good)).to_pylist()
            self._rejected_ids.update(bad_ids)
            table = table.filter(pa.array(good))
            origins = [o for o, g in zip(origins, good) if g]
        ids = table.column("id").to_pylist()
        self._known.update(dict.fromkeys(ids, cls))
        kept: dict[str, pa.Table] = {}
        kept_origins: dict[str, list[str]] = {}
        for rtype, (rels, where) in relations.items():
            self.onto.relation(rtype)
            ok = np.ones(rels.num_rows, dtype=bool)
            if self._rejected_ids:
                rejected = pa.array(sorted(self._rejected_ids), pa.string())
                for end in ("from", "to"):
                    hit = pc.is_in(rels.column(end), value_set=rejected).to_numpy(zero_copy_only=False)
                    for row in np.flatnonzero(hit & ok):
                        ok[row] = False
                        r = rels.slice(int(row), 1).to_pylist()[0]
                        self.reject(ValidationError(f"not stored because {r[end]!r} was rejected", where=where[row],
                                                    record=f"{r['from']} {rtype} {r['to']}", field=end))
            if self.check_only or self.store is None:  # what the store would refuse: the ends' classes
                for row, dst in enumerate(rels.column("to").to_pylist()):
                    dcls = self._known.get(dst)
                    if ok[row] and dcls and not self.onto.allows(rtype, cls, dcls):
                        ok[row] = False
                        self.reject(ValidationError(f"{rtype} cannot join a {cls} to a {dcls}", where=where[row],
                                                    record=f"{rels['from'][row].as_py()} {rtype} {dst}", field="type"))
            kept[rtype] = rels if ok.all() else rels.filter(pa.array(ok))
            kept_origins[rtype] = where if ok.all() else [w for w, g in zip(where, ok) if g]
        if not (self.check_only or self.store is None):
            try:
                self.store.upsert_table(cls, table, kept, origins, kept_origins)
            except ValidationError:  # one bad record must not sink the table: records one by one find it
                entities, records = table_records(cls, table, kept, origins, kept_origins)
                self._write(entities, records)
                return
        self.counters.stored_entities += table.num_rows
        self.counters.stored_relations += sum(rels.num_rows for rels in kept.values())
        if self.progress:
            self.progress(table.num_rows)

    def reject(self, error: ValidationError, record_id: str | None = None) -> None:
        self.counters.rejected += 1
        self.counters.errors.append(error)
        if record_id:
            self._rejected_ids.add(record_id)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count records left out on purpose (not errors), by reason, for the run summary."""
        self.counters.skipped[reason] = self.counters.skipped.get(reason, 0) + n

    def note(self, key: str, value: Any) -> None:
        """Something the run summary shows for a person to check (e.g. candidate new entities)."""
        self.counters.notes[key] = value

    def known_class(self, entity_id: str) -> str | None:
        return self._known.get(entity_id)

    # ------------------------------------------------------------------ batching
    def _check_entities(self) -> list[Entity]:
        """SHACL on the pending entities; the ones that pass."""
        batch, self._entities = self._entities, []
        if not batch:
            return []
        failures = check_entities(batch)
        good = []
        for e in batch:
            if e.id in failures:
                for err in failures[e.id]:
                    self.reject(err)
                self._rejected_ids.add(e.id)
                self._known.pop(e.id, None)
            else:
                good.append(e)
        return good

    def flush(self) -> None:
        entities = self._check_entities()
        batch, self._relations = self._relations, []
        good = []
        for r in batch:
            bad = next((end for end in (r.src, r.dst) if end in self._rejected_ids), None)
            if bad:
                self.reject(ValidationError(f"not stored because {bad!r} was rejected", where=r.origin,
                                            record=f"{r.src} {r.type} {r.dst}",
                                            field="from" if bad == r.src else "to"))
            else:
                good.append(r)
        # Entities and the relations between them in one upsert: one transaction and one
        # lookup of what is stored, instead of two.
        self._write(entities, good)

    def _write(self, entities: list[Entity], relations: list[Relation]) -> None:
        if not entities and not relations:
            return
        if self.check_only or self.store is None:
            relations = self._check_relation_classes(relations)
            self.counters.stored_entities += len(entities)
            self.counters.stored_relations += len(relations)
            return
        try:
            self.store.upsert(entities, relations)
        except ValidationError:
            # One bad record must not sink the batch: write records one by one to find it.
            if len(entities) + len(relations) == 1:
                raise
            for e in entities:
                self._write_one([e], [])
            for r in relations:
                self._write_one([], [r])
            return
        self.counters.stored_entities += len(entities)
        self.counters.stored_relations += len(relations)

    def _check_relation_classes(self, relations: list[Relation]) -> list[Relation]:
        """Without a store (``--check``), what the store would refuse for a relation: a type the
        ontology does not allow between its ends' classes. Ends not emitted in this run (stored
        earlier, or unknown) are left to the store."""
        onto, good = ontology(), []
        for r in relations:
            src, dst = self._known.get(r.src), self._known.get(r.dst)
            if src and dst and not onto.allows(r.type, src, dst):
                self.reject(ValidationError(f"{r.type} cannot join a {src} to a {dst}", where=r.origin,
                                            record=f"{r.src} {r.type} {r.dst}", field="type"))
            else:
                good.append(r)
        return good

    def _write_one(self, entities, relations) -> None:
        try:
            self._write(entities, relations)
        except ValidationError as exc:
            self.reject(exc, entities[0].id if entities else None)
