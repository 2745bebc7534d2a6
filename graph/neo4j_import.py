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
missing value is null; multi-line strings are allowed (``--multiline-fields=true``). After the import, opening
the store creates the same constraints and indexes as an ingest.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from graph.errors import GovplatError
from graph.model import Entity, Relation, entity_uri
from graph.ontology import ontology

__all__ = ["write_import_dir", "ARRAY_DELIMITER"]

ARRAY_DELIMITER = "\x1f"
_TYPES = {"string": "string", "int": "long", "float": "double", "bool": "boolean", "date": "date"}


def _cell(value, name: str, record: str) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return _quote(ARRAY_DELIMITER.join(_text(v, name, record) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return _quote(_text(value, name, record))


def _text(value, name: str, record: str) -> str:
    text = value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if ARRAY_DELIMITER in text:
        raise GovplatError(f"{record}: {name} holds U+001F, the import files' list separator; "
                           "remove the control character from the source data")
    return text


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _Files:
    """One open CSV per class or type, written as records stream by."""

    def __init__(self, out: Path) -> None:
        self.out, self.handles, self.counts = out, {}, {}

    def writer(self, name: str, header: list[str]) -> IO[str]:
        if name not in self.handles:
            fh = open(self.out / name, "w", encoding="utf-8", newline="")
            fh.write(",".join(header) + "\n")
            self.handles[name], self.counts[name] = fh, 0
        self.counts[name] += 1
        return self.handles[name]

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()


def write_import_dir(entities: Iterable[Entity], relations: Iterable[Relation], out: Path) -> dict[str, int]:
    """Write the import files into ``out`` (created; must be empty); rows per file."""
    onto = ontology()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise GovplatError(f"{out} is not empty: neo4j-import files go into a new or empty folder")
    files = _Files(out)
    node_files: list[tuple[str, str]] = []
    rel_files: list[tuple[str, str]] = []
    rel_props = [p for p in onto.relation_properties() if p.name != "sources"]
    try:
        for e in entities:
            props = [p for p in onto.properties_of(e.cls) if p.name not in ("id", "uri", "sources")]
            name = f"nodes-{e.cls}.csv"
            if name not in files.handles:
                node_files.append((e.cls, name))
            fh = files.writer(name, ["id:ID", ":LABEL", "uri", "sources:string[]",
                                     *(f"{p.name}:{_TYPES[p.kind]}{'[]' if p.multi else ''}" for p in props)])
            labels = ARRAY_DELIMITER.join([e.cls, *onto.ancestors(e.cls)])
            fh.write(",".join([_quote(e.id), _quote(labels), _quote(entity_uri(e.id)), _cell(list(e.sources), "sources", e.id),
                               *(_cell(e.props.get(p.name), p.name, e.id) for p in props)]) + "\n")
        for r in relations:
            name = f"relationships-{r.type}.csv"
            if name not in files.handles:
                rel_files.append((r.type, name))
            fh = files.writer(name, [":START_ID", ":END_ID", ":TYPE", "sources:string[]",
                                     *(f"{p.name}:{_TYPES[p.kind]}{'[]' if p.multi else ''}" for p in rel_props)])
            record = f"{r.src} {r.type} {r.dst}"
            fh.write(",".join([_quote(r.src), _quote(r.dst), _quote(r.type), _cell(list(r.sources), "sources", record),
                               *(_cell(r.props.get(p.name), p.name, record) for p in rel_props)]) + "\n")
    finally:
        files.close()
    args = ["--array-delimiter=U+001F", "--multiline-fields=true", "--id-type=string", "--strict=true",
            *(f"--nodes={name}" for _, name in node_files),
            *(f"--relationships={name}" for _, name in rel_files)]
    (out / "import.args").write_text("\n".join(args) + "\n", encoding="utf-8")
    return dict(files.counts)
