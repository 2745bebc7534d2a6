"""The checks of the record path, column-wise, for a graph held as tables in the embedded store's
layout (graph.synthetic.Tables: one Arrow table per class, one per (type, from class, to class)).

What a record meets on its way into a store - the shapes (shapes.ttl and the datatype and
vocabulary shapes graph.validate adds from ontology.ttl), the class and endpoint checks of
Store.upsert, a validity span in order - is checked here on whole columns. The first failing
row is reported with the same words: a ValidationError naming the file (``where``), the record
(an entity's id; ``from TYPE to`` for a relationship) and the field. Tables take one row per id
and per relationship (the record path merges repeats; a table with a repeat is refused).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rdflib import RDF, URIRef
from rdflib.collection import Collection

from graph.arrow_types import arrow_type
from graph.errors import OntologyError, ValidationError
from graph.model import GP_ID
from graph.ontology import GP, Ontology, ontology
from graph.validate import SH, compiled_shapes, prop_check, shapes_graph

__all__ = ["check_tables", "check_entity_rows"]


@dataclass(frozen=True)
class _Rule:
    """One shape constraint on one column, with the shape's own words (None: pyshacl's kind)."""
    field: str
    message: str | None
    check: object  # graph.validate.PropCheck
    alternatives: tuple = ()  # for an sh:or: the _PropChecks, one of which must pass


@lru_cache(maxsize=None)
def _rules(cls: str) -> tuple[_Rule, ...]:
    """The shapes targeting a class (graph.validate.shapes_graph targets concrete classes)."""
    if compiled_shapes() is None:  # a shape uses what the compiled checks do not evaluate: pyshacl alone can
        raise OntologyError("shapes.ttl uses a constraint the table path does not check; load the records "
                            "through `govplat ingest` instead")
    g = shapes_graph()
    out = []
    for shape in g.subjects(SH.targetClass, GP[cls]):
        own = g.value(shape, SH.message)
        if g.value(shape, SH.path) is not None:  # a property shape with its own target
            check = prop_check(g, shape)
            out.append(_Rule(_field(check.path), str(own) if own else None, check))
        for node in g.objects(shape, SH.property):
            check = prop_check(g, node)
            message = g.value(node, SH.message)
            out.append(_Rule(_field(check.path), str(message) if message else None, check))
        for lst in g.objects(shape, SH["or"]):
            alts = tuple(prop_check(g, alt) for alt in Collection(g, lst))
            out.append(_Rule(_field(alts[0].path), str(own or "none of the alternatives holds"), None, alts))
    return tuple(out)


def _default_message(check, table: pa.Table, row: int) -> str:
    """Words for a constraint whose shape gives none, after pyshacl's."""
    column = _column_of(_field(check.path))
    value = table[column][row].as_py() if column in table.column_names else None
    if check.allowed is not None and value is not None:
        return f"Value {value!r} not in list [{', '.join(sorted(repr(str(v)) for v in check.allowed))}]"
    if check.pattern is not None and value is not None:
        return f"Value {value!r} does not match pattern {check.pattern.pattern!r}"
    if check.min_count is not None and not value:
        return f"Less than {check.min_count} values"
    if check.max_count is not None:
        return f"More than {check.max_count} values"
    if check.min_length is not None or check.max_length is not None:
        return f"String length of {value!r} is out of bounds"
    return f"Value {value!r} is not Literal with datatype {check.datatype}"


def _field(path: URIRef) -> str:
    return str(path).split("#")[-1]


def _column_of(field: str) -> str:
    return "sources" if field == "source" else field


def _values(table: pa.Table, field: str) -> tuple[pa.Array, np.ndarray]:
    """A column's values flattened (empty lists and nulls give none) and, per value, its row;
    a Source's own id among its sources is no value (it does not cite itself)."""
    col = table.column(_column_of(field)).combine_chunks()
    if col.null_count == len(col):
        return pa.array([], col.type.value_type if pa.types.is_list(col.type) else col.type), np.zeros(0, dtype=np.int64)
    if pa.types.is_list(col.type):
        rows = pc.list_parent_indices(col).to_numpy(zero_copy_only=False)
        vals = pc.list_flatten(col)
    else:
        rows = np.arange(len(col))
        vals = col
    valid = pc.is_valid(vals).to_numpy(zero_copy_only=False)
    if field == "source":
        own = table.column("id").combine_chunks().take(pa.array(rows))
        valid &= ~pc.fill_null(pc.equal(vals, own), False).to_numpy(zero_copy_only=False)
    return vals.filter(pa.array(valid)), rows[valid]


def _prop_ok(check, table: pa.Table, cls: str, types: frozenset, seen: dict | None = None) -> np.ndarray:
    """Rows of ``table`` that pass one property check (graph.validate._prop_ok, by columns);
    ``seen`` keeps, for the next check of the same table, its columns' types (under None) and
    each column's values."""
    n = table.num_rows
    if check.path == RDF.type:
        has = check.has_value is None or check.has_value in types
        return np.full(n, has)
    field = _field(check.path)
    column = _column_of(field)
    if seen is None:
        seen = {}
    kinds = seen.get(None)
    if kinds is None:  # each column's Arrow type, looked up once per table
        kinds = seen[None] = {f.name: f.type for f in table.schema}
    if column in kinds and not pa.types.is_list(kinds[column]) and \
            check.min_count is None and check.has_value is None and (check.max_count or 1) >= 1 and \
            check.pattern is None and check.min_length is None and check.max_length is None and \
            check.allowed is None and str(check.datatype) not in _LEXICAL:
        return np.ones(n, dtype=bool)  # one value at most, of the column's type: nothing to look at
    if field in seen:
        vals, rows, counts = seen[field]
    elif column not in kinds:
        counts = np.zeros(n, dtype=np.int64)
        vals, rows = pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    else:
        vals, rows = _values(table, field)
        counts = np.bincount(rows, minlength=n)
    seen[field] = vals, rows, counts
    ok = np.ones(n, dtype=bool)
    if check.min_count is not None:
        ok &= counts >= check.min_count
    if check.max_count is not None:
        ok &= counts <= check.max_count
    if check.has_value is not None:
        hit = pc.equal(pc.cast(vals, pa.string()), str(check.has_value)).to_numpy(zero_copy_only=False)
        ok &= np.bincount(rows[hit], minlength=n) > 0
    bad = ~_value_ok(check, vals)
    if bad.any():
        ok[rows[bad]] = False
    return ok


_LEXICAL = {"http://www.w3.org/2001/XMLSchema#gYear": r"^-?[0-9]{4,}$"}


def _value_ok(check, vals: pa.Array) -> np.ndarray:
    """Values passing a check's value constraints; the datatype is the column's Arrow type,
    cast from the ontology's range before any check (graph.validate._value_ok)."""
    ok = np.ones(len(vals), dtype=bool)
    text = None
    if check.pattern is not None or check.min_length is not None or check.max_length is not None or \
            str(check.datatype) in _LEXICAL or check.allowed is not None:
        text = vals if pa.types.is_string(vals.type) else pc.cast(vals, pa.string())
    if str(check.datatype) in _LEXICAL:
        ok &= pc.match_substring_regex(text, _LEXICAL[str(check.datatype)]).to_numpy(zero_copy_only=False)
    if check.pattern is not None:
        try:
            ok &= pc.match_substring_regex(text, check.pattern.pattern,
                                           ignore_case=bool(check.pattern.flags & re.IGNORECASE)
                                           ).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # Python's re (as pyshacl) where Arrow's RE2 lacks the syntax
            ok &= np.array([check.pattern.search(v) is not None for v in text.to_pylist()], dtype=bool)
    if check.min_length is not None:
        ok &= (pc.utf8_length(text).to_numpy(zero_copy_only=False) >= check.min_length)
    if check.max_length is not None:
        ok &= (pc.utf8_length(text).to_numpy(zero_copy_only=False) <= check.max_length)
    if check.allowed is not None:
        ok &= pc.is_in(text, value_set=pa.array(sorted(str(v) for v in check.allowed))).to_numpy(zero_copy_only=False)
    return ok


def _first_bad(ok: np.ndarray) -> int | None:
    bad = np.flatnonzero(~ok)
    return int(bad[0]) if len(bad) else None


def _cast(table: pa.Table, props, where: str, what: str, record) -> pa.Table:
    """The table with every property of ``props`` as a column of its Arrow type (missing ones
    null), in the store's column order; an unknown column or a value of the wrong type is refused."""
    names = [p.name for p in props]
    for name in table.column_names:
        if name not in names:
            raise ValidationError(f"is not a property of a {what}", where=where, record=record(0), field=name)
    cols = []
    given = set(table.column_names)
    for p in props:
        want = arrow_type(p)
        if p.name not in given:
            cols.append(pa.nulls(table.num_rows, want))
            continue
        col = table.column(p.name)
        try:
            cols.append(col if col.type == want else pc.cast(col, want))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            row = _first_uncastable(col, want)
            value = col[row].as_py() if row is not None else None
            raise ValidationError(f"{value!r} is not a {p.kind}{' list' if p.multi else ''}", where=where,
                                  record=record(row or 0), field=p.name) from None
    return pa.table(cols, names=names)


def _first_uncastable(col, want) -> int | None:
    for i, v in enumerate(col):
        try:
            pc.cast(pa.array([v.as_py()], col.type), want)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return i
    return None


def _span_ok(table: pa.Table) -> np.ndarray:
    """Rows whose validity span is in order (validFrom not after validTo)."""
    if "validFrom" not in table.column_names or "validTo" not in table.column_names:
        return np.ones(table.num_rows, dtype=bool)
    after = pc.fill_null(pc.greater(table["validFrom"], table["validTo"]), False).to_numpy(zero_copy_only=False)
    return ~after


def _span_error(table: pa.Table, row: int, where: str, record) -> ValidationError:
    return ValidationError(f"validFrom ({table['validFrom'][row].as_py()}) is after validTo "
                           f"({table['validTo'][row].as_py()})", where=where, record=record(row), field="validFrom")


def _span_in_order(table: pa.Table, where: str, record) -> None:
    row = _first_bad(_span_ok(table))
    if row is not None:
        raise _span_error(table, row, where, record)


def _entity_class(onto: Ontology, cls: str, where: str, record) -> None:
    if cls not in onto.concrete_classes():
        try:
            onto.cls(cls)
            message = f"{cls} is an abstract class; a record is of one of {onto.concrete_subclasses(cls)}"
        except OntologyError as exc:
            message = str(exc)
        raise ValidationError(message, where=where, record=record(0), field="class")


def check_entity_rows(cls: str, table: pa.Table, origins: list[str]
                      ) -> tuple[pa.Table, np.ndarray, list[ValidationError]]:
    """Every row of one class's table checked as the record path checks a record (its shapes,
    ``uri``, a validity span in order): the table as the store's columns (types cast, ``uri``
    filled in), a mask of the rows that pass, and for each failing row and rule a
    ValidationError naming the row's origin (``origins[row]``, its file:line), its id and the
    field, in the record path's words. A column that is no property of the class, or of the
    wrong type, is refused for the whole table (ValidationError): that is a mapping's error."""
    onto = ontology()
    ids = table.column("id") if "id" in table.column_names else None
    record = (lambda i: ids[i].as_py() or "") if ids is not None else (lambda i: "")
    where0 = origins[0] if origins else ""
    _entity_class(onto, cls, where0, record)
    table = _cast(table, onto.properties_of(cls), where0, f"{cls}", record)
    ids = table.column("id")
    types = frozenset(GP[a] for a in [cls, *onto.ancestors(cls)])
    failed: list[tuple[np.ndarray, _Rule]] = []  # (the rows that pass, the rule)
    seen: dict = {}
    for rule in _rules(cls):
        if rule.alternatives:
            ok = np.zeros(table.num_rows, dtype=bool)
            for alt in rule.alternatives:
                ok |= _prop_ok(alt, table, cls, types, seen)
        else:
            ok = _prop_ok(rule.check, table, cls, types, seen)
        if not ok.all():
            failed.append((ok, rule))
    # uri follows from id (Store._entity_row): a given one must agree
    uri = pc.binary_join_element_wise(GP_ID, ids, "")
    given_ok = ~pc.fill_null(pc.not_equal(table["uri"], uri), False).to_numpy(zero_copy_only=False)
    table = table.set_column(table.column_names.index("uri"), "uri", uri)
    span_ok = _span_ok(table)
    good = np.ones(table.num_rows, dtype=bool)
    errors: list[ValidationError] = []
    for row in np.flatnonzero(~np.logical_and.reduce([given_ok, span_ok, *(ok for ok, _ in failed)])
                              if failed else ~(given_ok & span_ok)):
        row = int(row)
        good[row] = False
        where = origins[row] if row < len(origins) else where0
        for ok, rule in failed:
            if not ok[row]:
                errors.append(ValidationError(rule.message or _default_message(rule.check, table, row),
                                              where=where, record=record(row), field=rule.field))
        if not given_ok[row]:
            errors.append(ValidationError(f"uri must be {uri[row].as_py()}", where=where, record=record(row),
                                          field="uri"))
        if not span_ok[row]:
            errors.append(_span_error(table, row, where, record))
    return table, good, errors


def _check_entities(onto: Ontology, cls: str, table: pa.Table, where: str) -> pa.Table:
    table, good, errors = check_entity_rows(cls, table, [where] * table.num_rows)
    if errors:
        raise errors[0]
    return table


def _check_relations(onto: Ontology, key: tuple[str, str, str], table: pa.Table, where: str,
                     classes: dict[str, pa.Array]) -> pa.Table:
    rtype, s, d = key
    props = [_FromTo("from"), _FromTo("to"), *onto.relation_properties()]

    def record(i: int) -> str:
        return f"{table['from'][i].as_py()} {rtype} {table['to'][i].as_py()}" if table.num_rows else ""

    table = _cast(table, props, where, f"{rtype} relationship", record)
    if rtype not in onto.relations or not onto.allows(rtype, s, d):
        raise ValidationError(f"{rtype} cannot join a {s} to a {d}", where=where, record=record(0), field="type")
    for end, cls in (("from", s), ("to", d)):
        col = table[end]
        present = pc.fill_null(pc.is_in(col, value_set=classes.get(cls, pa.array([], pa.string()))), False)
        row = _first_bad(present.to_numpy(zero_copy_only=False))
        if row is not None:
            value = col[row].as_py()
            other = next((c for c, ids in classes.items() if c != cls and pc.any(pc.equal(ids, value)).as_py()), None)
            message = (f"refers to {value!r}, a {other}, not a {cls}" if other else
                       f"refers to unknown entity {value!r}")
            raise ValidationError(message, where=where, record=record(row), field=end)
    pairs = pc.binary_join_element_wise(table["from"], table["to"], "\x1f")
    row = _first_repeat(pairs)
    if row is not None:
        raise ValidationError("appears twice: a table holds one row per relationship", where=where,
                              record=record(row), field="to")
    for p in onto.relation_properties():
        vocab = onto.vocabulary_for(p.name, rtype)
        if vocab is None:
            continue
        vals = table[p.name]
        ok = pc.or_(pc.is_null(vals), pc.is_in(vals, value_set=pa.array(sorted(vocab.concepts))))
        row = _first_bad(ok.to_numpy(zero_copy_only=False))
        if row is not None:
            raise ValidationError(f"{p.name} of a {rtype} is one of the notations of gp:{vocab.name} in ontology.ttl: "
                                  f"{', '.join(vocab.concepts)}", where=where, record=record(row), field=p.name)
    _span_in_order(table, where, record)
    return table


@dataclass
class _FromTo:
    name: str
    kind: str = "string"
    multi: bool = False


def _first_repeat(values: pa.Array) -> int | None:
    """The row of the second occurrence of the first value that occurs twice, or None."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pc.count_distinct(values).as_py() == len(values):
        return None
    _, first = np.unique(values.to_numpy(zero_copy_only=False), return_index=True)
    seen = np.zeros(len(values), dtype=bool)
    seen[first] = True
    return int(np.flatnonzero(~seen)[0])


def check_tables(entities: dict[str, pa.Table], relations: dict[tuple[str, str, str], pa.Table],
                 where: str = "") -> tuple[dict[str, pa.Table], dict[tuple[str, str, str], pa.Table]]:
    """Check every row; the tables as the store's columns (types cast, ``uri`` filled in), or a
    ValidationError for the first bad row naming ``where``, the record and the field."""
    onto = ontology()
    out_e = {cls: _check_entities(onto, cls, table, where) for cls, table in entities.items()}
    classes = {cls: t.column("id").combine_chunks() for cls, t in out_e.items()}
    if out_e:
        every = pa.chunked_array([t.column("id") for t in out_e.values()]).combine_chunks()
        row = _first_repeat(every)
        if row is not None:
            value = every[row].as_py()
            where_in = [cls for cls, ids in classes.items() if pc.any(pc.equal(ids, value)).as_py()]
            message = ("appears twice: a table holds one row per id" if len(where_in) == 1 else
                       f"id is both a {where_in[0]} and a {where_in[1]}")
            raise ValidationError(message, where=where, record=value, field="id")
    out_r = {key: _check_relations(onto, key, table, where, classes) for key, table in relations.items()}
    return out_e, out_r
