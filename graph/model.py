"""Records that flow from ingest to stores, and the engine-neutral shapes results come back in.

Values inside ``props`` are plain Python: str, int, float, bool, ``datetime.date`` and lists
of those. ``sources`` is kept apart from ``props`` because every record must have it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from graph.ontology import GP_ID

__all__ = ["Entity", "Relation", "Node", "Rel", "Path", "entity_uri", "plain", "iri_text"]

# Characters RFC 3987 does not allow anywhere in an IRI (besides controls); they are
# percent-encoded so that every stored URL is a valid xsd:anyURI in the RDF exports.
_NOT_IN_IRI = frozenset(' <>"{}|\\^`')


def iri_text(url: str) -> str:
    """``url`` with the characters an IRI may not contain percent-encoded (UTF-8); the rest,
    including existing escapes and non-ASCII letters, unchanged. Idempotent."""
    if all(ch not in _NOT_IN_IRI and 0x20 < ord(ch) != 0x7F for ch in url):
        return url
    return "".join(ch if ch not in _NOT_IN_IRI and 0x20 < ord(ch) != 0x7F
                   else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in url.strip())


def entity_uri(entity_id: str) -> str:
    return f"{GP_ID}{entity_id}"


@dataclass
class Entity:
    id: str
    cls: str
    props: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    origin: str = ""  # file (and line) the record came from, for error messages

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass
class Relation:
    type: str
    src: str
    dst: str
    props: dict[str, Any] = field(default_factory=dict)  # role
    sources: list[str] = field(default_factory=list)
    origin: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.src, self.type, self.dst)


@dataclass(frozen=True)
class Node:
    """A node in a query result, whatever engine produced it."""

    id: str
    cls: str
    props: dict[str, Any]

    def to_json(self) -> dict:
        return {"_type": "node", "id": self.id, "class": self.cls, "props": self.props}


@dataclass(frozen=True)
class Rel:
    type: str
    src: str
    dst: str
    props: dict[str, Any]

    def to_json(self) -> dict:
        return {"_type": "relationship", "type": self.type, "src": self.src, "dst": self.dst, "props": self.props}


@dataclass(frozen=True)
class Path:
    nodes: tuple[Node, ...]
    rels: tuple[Rel, ...]

    def to_json(self) -> dict:
        return {"_type": "path", "nodes": [n.to_json() for n in self.nodes], "rels": [r.to_json() for r in self.rels]}


def plain(value: Any) -> Any:
    """Make a result value JSON-ready: dates as ISO strings, typed objects as dicts."""
    if isinstance(value, (Node, Rel, Path)):
        return plain(value.to_json())
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value
