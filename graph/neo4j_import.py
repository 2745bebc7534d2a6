"""Files for ``neo4j-admin database import full``: a first load of Neo4j without transactions.

``govplat export --format neo4j-import -o DIR`` writes, from any store's dump:

* ``nodes-<Class>.csv`` per concrete class: ``id:ID`` (unique across classes, as govplat ids
  are), ``:LABEL`` (the class and its ontology superclasses, as the Neo4j store labels
  nodes), ``uri``, ``sources:string[]`` and every property of the class with its type
  (``long``, ``double``, ``boolean``, ``date``; ``[]`` for lists);
* ``relationships-<TYPE>.csv`` per relationship type: ``:START_ID``, ``:END_ID``, ``:TYPE``,
  ``sources:string[]`` and the relationship properties (``role``...);
* ``import.args``: the importer's arguments, one per line, read by ``tools/neo4j/server
  import DIR`` (``neo4j-admin database import full @import.args`` works the same).

Lists are joined with U+001F (the importer's ``--array-delimiter``), a character no govplat
value holds; an empty list is left out (the importer stores none, and govplat reads a missing
list and an empty one alike); every string is quoted, so an empty string stays empty and a
missing value is null. Multi-line strings are allowed: ``import.args`` names the files holding
any (``--multiline-fields``, format v2), the only ones the importer then reads with line breaks
inside quotes in mind; the others (with no such value, all) it splits and parses in parallel,
which the manual says is much faster. After the import, opening the
store creates the same constraints and indexes as an ingest.

The files are written column-wise: records are gathered per file, and every 2,000 records in
all become one Arrow table per file, written by Arrow's CSV writer: the writer holds those,
never the graph. A bad value stops the export with the record and field named, and the files
written so far are removed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph.arrow_types import ARROW_TYPES
from graph.errors import GovplatError
from graph.model import Entity, Relation, entity_uri
from graph.ontology import ontology
from graph.settings import NEO4J_IMPORT_ROWS_PER_WRITE

__all__ = ["write_import_dir", "ARRAY_DELIMITER"]

ARRAY_DELIMITER = "\x1f"
_TYPES = {"string": "string", "int": "long", "float": "double", "bool": "boolean", "date": "date"}
# Strings quoted (all of them, by type), numbers, booleans and dates bare, nulls empty.
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _text(value, name: str, record: str) -> str:
    text = value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if ARRAY_DELIMITER in text:
        raise _delimiter(name, record)
    return text


def _delimiter(name: str, record: str) -> GovplatError:
    return GovplatError(f"{record}: {name} holds U+001F, the import files' list separator; "
                        "remove the control character from the source data")


def _strings(values: list) -> pa.Array:
    """A string array from str or None values. (``pa.array`` and Python scalars in compute calls
    would import pandas, ~50 MB more in an export.)"""
    builder = pa.lib.StringBuilder()
    builder.append_values(values)
    return builder.finish()


def _constant(text: str, n: int) -> pa.Array:
    """``text`` n times."""
    zeros = pa.Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(bytes(4 * n))])
    return _strings([text]).take(zeros)


def _first(mask: pa.Array) -> int:
    """Index of the first true value of a boolean array, or -1."""
    if not pc.any(mask).as_py():
        return -1
    return pc.indices_nonzero(mask)[0].as_py()


class _Column:
    """One typed column of a file: its header cell and how a page of values becomes Arrow."""

    def __init__(self, name: str, kind: str, multi: bool) -> None:
        self.name, self.kind, self.multi = name, kind, multi
        self.header = f"{name}:{_TYPES[kind]}{'[]' if multi else ''}"
        self.type = pa.string() if multi else ARROW_TYPES[kind]

    def array(self, values: list, record: Callable[[int], str]) -> pa.Array:
        """``values`` (None where missing) as Arrow; ``record(i)`` names row i in errors."""
        if self.multi:
            return self._joined(values, record)
        if self.kind == "string":
            try:
                arr = _strings(values)
            except TypeError:   # not all str: their text, as the other stores print them
                arr = _strings([None if v is None else self._text(v, record, i) for i, v in enumerate(values)])
            hit = _first(pc.match_substring(arr, ARRAY_DELIMITER))
            if hit >= 0:
                raise _delimiter(self.name, record(hit))
            return arr
        try:   # dates (the usual non-string kind) quickly, the rest one by one
            texts = _strings([None if v is None else v.isoformat()[:10] for v in values])
        except (AttributeError, TypeError):
            texts = _strings([None if v is None else self._text(v, record, i) for i, v in enumerate(values)])
        try:
            return pc.cast(texts, self.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            for i, v in enumerate(values):
                try:
                    pc.cast(texts.slice(i, 1), self.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise GovplatError(f"{record(i)}: {self.name} is {v!r}, not a {self.kind}") from None
            raise

    def _text(self, value, record: Callable[[int], str], i: int) -> str:
        if isinstance(value, list):
            return ARRAY_DELIMITER.join(_text(v, self.name, record(i)) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        return _text(value, self.name, record(i))

    def _joined(self, values: list, record: Callable[[int], str]) -> pa.Array:
        """Lists joined with U+001F; an empty list is left out."""
        try:
            joined = [ARRAY_DELIMITER.join(v) if v else None for v in values]
        except TypeError:   # dates or numbers in a list
            joined = [ARRAY_DELIMITER.join(_text(x, self.name, record(i)) for x in v) if v else None
                      for i, v in enumerate(values)]
        arr = _strings(joined)
        # An element holding U+001F shows as one separator more than the list has gaps.
        if (pc.sum(pc.count_substring(arr, ARRAY_DELIMITER)).as_py() or 0) != sum(len(v) - 1 for v in values if v):
            hit = next(i for i, v in enumerate(values) if v and joined[i].count(ARRAY_DELIMITER) != len(v) - 1)
            raise _delimiter(self.name, record(hit))
        return arr


_SOURCES = _Column("sources", "string", True)


class _File:
    """One CSV file (a class's nodes or a type's relationships): header, then pages of rows."""

    def __init__(self, path: Path, fixed: list[str], columns: list[_Column]) -> None:
        self.path, self.columns, self.rows, self.pending = path, columns, 0, []
        self.multiline = False   # a value holds a line break: named in --multiline-fields
        self.schema = pa.schema([(h, pa.string()) for h in [*fixed, _SOURCES.header]] +
                                [(c.header, c.type) for c in columns])
        self.sink = pa.OSFile(str(path), "wb")
        self.sink.write((",".join(self.schema.names) + "\n").encode("utf-8"))
        self.writer = pacsv.CSVWriter(self.sink, self.schema, write_options=_OPTIONS)

    def props(self, records: list) -> list[pa.Array]:
        """The property columns of a page of records (one pass over each record's own props)."""
        n = len(records)
        values = {c.name: [None] * n for c in self.columns}
        for i, r in enumerate(records):
            for k, v in r.props.items():
                col = values.get(k)
                if col is not None:
                    col[i] = v
        name = self.record_name(records)
        return [pa.nulls(n, c.type) if values[c.name].count(None) == n else c.array(values[c.name], name)
                for c in self.columns]

    def write(self, arrays: list[pa.Array]) -> None:
        if not self.multiline:
            self.multiline = any(a.type == pa.string() and a.null_count < len(a)
                                 and pc.any(pc.match_substring_regex(a, "[\r\n]")).as_py() for a in arrays)
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows += len(arrays[0])

    def close(self) -> None:
        self.writer.close()
        self.sink.close()


class _NodeFile(_File):
    def __init__(self, path: Path, cls: str) -> None:
        onto = ontology()
        self.labels = ARRAY_DELIMITER.join([cls, *onto.ancestors(cls)])
        super().__init__(path, ["id:ID", ":LABEL", "uri"], [_Column(p.name, p.kind, p.multi)
                                                            for p in onto.properties_of(cls)
                                                            if p.name not in ("id", "uri", "sources")])

    @staticmethod
    def record_name(records: list[Entity]) -> Callable[[int], str]:
        return lambda i: records[i].id

    def flush(self) -> None:
        records, self.pending = self.pending, []
        n, name = len(records), self.record_name(records)
        ids = _strings([e.id for e in records])
        uris = pc.binary_join_element_wise(_constant(entity_uri(""), n), ids, _constant("", n))
        sources = _SOURCES.array([e.sources for e in records], name)
        self.write([ids, _constant(self.labels, n), uris, sources, *self.props(records)])


class _RelationshipFile(_File):
    def __init__(self, path: Path, rtype: str) -> None:
        self.type = rtype
        super().__init__(path, [":START_ID", ":END_ID", ":TYPE"], [
            _Column(p.name, p.kind, p.multi) for p in ontology().relation_properties() if p.name != "sources"])

    @staticmethod
    def record_name(records: list[Relation]) -> Callable[[int], str]:
        return lambda i: f"{records[i].src} {records[i].type} {records[i].dst}"

    def flush(self) -> None:
        records, self.pending = self.pending, []
        n, name = len(records), self.record_name(records)
        sources = _SOURCES.array([r.sources for r in records], name)
        self.write([_strings([r.src for r in records]), _strings([r.dst for r in records]),
                    _constant(self.type, n), sources, *self.props(records)])


def write_import_dir(entities: Iterable[Entity], relations: Iterable[Relation], out: Path) -> dict[str, int]:
    """Write the import files into ``out`` (created; must be empty); rows per file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise GovplatError(f"{out} is not empty: neo4j-import files go into a new or empty folder")
    # Arrow's default allocator (mimalloc) keeps what the pages freed; the C library's gives it back:
    # an export of 100k relations peaked 14 MB lower, the same speed.
    pa.set_memory_pool(pa.system_memory_pool())
    files: dict[str, _File] = {}   # by file name, in the order first met
    nodes: dict[str, _File] = {}   # by class
    rels: dict[str, _File] = {}    # by relationship type
    held = 0

    def flush() -> None:
        for f in files.values():
            if f.pending:
                f.flush()

    try:
        try:
            for records, by_key, key, kind, make in ((entities, nodes, "cls", "nodes", _NodeFile),
                                                     (relations, rels, "type", "relationships", _RelationshipFile)):
                for rec in records:
                    k = getattr(rec, key)
                    f = by_key.get(k)
                    if f is None:
                        name = f"{kind}-{k}.csv"
                        f = by_key[k] = files[name] = make(out / name, k)
                    f.pending.append(rec)
                    held += 1
                    if held == NEO4J_IMPORT_ROWS_PER_WRITE:
                        flush()
                        held = 0
            flush()
        finally:
            for f in files.values():
                f.close()
    except BaseException:
        for f in files.values():
            f.path.unlink(missing_ok=True)
        raise
    multiline = [name for name, f in files.items() if f.multiline]
    args = ["--array-delimiter=U+001F", "--id-type=string", "--strict=true",
            *(["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"] if multiline else []),
            *(f"--nodes={name}" for name in files if name.startswith("nodes-")),
            *(f"--relationships={name}" for name in files if name.startswith("relationships-"))]
    (out / "import.args").write_text("\n".join(args) + "\n", encoding="utf-8")
    return {name: f.rows for name, f in files.items()}
