"""Streaming RDF writers: N-Triples, N-Quads, Turtle, TriG and JSON-LD.

A writer takes subject groups ``(graph, subject, [(p, o), ...])`` and writes each at once;
nothing but a small output buffer is kept, so memory does not grow with the graph. Line
formats (N-Triples, N-Quads) write one statement a line; Turtle and TriG write one block per
subject; JSON-LD writes one node object per subject inside a ``@graph`` array, with the
published context (``graph/rdf/context.jsonld``) inline so the file reads offline.

RDF-star annotations (a quoted triple as subject) are written as ``<< s p o >>`` in Turtle and
TriG, which RDF-star (Jena) and RDF 1.2 (Oxigraph) parsers both read; the line formats use
the RDF 1.2 form, ``_:r… rdf:reifies <<( s p o )>>``, with a stable reifier label.
"""
from __future__ import annotations

import json
from typing import IO

from graph.rdf.jsonld import context, node_object
from graph.rdf.terms import PREFIXES, RDF, IRI, Quoted, nt, reifier_label, turtle

__all__ = ["Writer", "writer_for", "WRITERS"]

_REIFIES = IRI(RDF + "reifies")
_A = IRI(RDF + "type")
_FLUSH = 1 << 16


class Writer:
    """Base: buffers text and flushes UTF-8 to ``out`` in 64 KiB chunks."""

    quads = False

    def __init__(self, out: IO[bytes], prefixes: dict[str, str] | None = None):
        self.out = out
        self.count = 0
        self.prefixes = prefixes or PREFIXES
        self._pfx = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self._buf: list[str] = []
        self._size = 0

    def _emit(self, text: str) -> None:
        self._buf.append(text)
        self._size += len(text)
        if self._size >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self.out.write("".join(self._buf).encode("utf-8"))
            self._buf.clear()
            self._size = 0

    def start(self) -> None:
        pass

    def group(self, graph, subject, pos) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        self.flush()


def _reified(subject, pos):
    """Turn a quoted-triple subject into an RDF 1.2 reifier (a stable blank node)."""
    r = reifier_label(subject.s, subject.p, subject.o if not isinstance(subject.o, Quoted) else str(subject.o))
    return r, [(_REIFIES, subject), *pos]


class NTriplesWriter(Writer):
    def group(self, graph, subject, pos) -> None:
        if graph is not None:
            return
        if type(subject) is Quoted:
            subject, pos = _reified(subject, pos)
        s = nt(subject)
        for p, o in pos:
            self._emit(f"{s} {nt(p)} {nt(o)} .\n")
        self.count += len(pos)


class NQuadsWriter(Writer):
    quads = True

    def group(self, graph, subject, pos) -> None:
        if type(subject) is Quoted:
            subject, pos = _reified(subject, pos)
        s = nt(subject)
        tail = " .\n" if graph is None else f" {nt(graph)} .\n"
        for p, o in pos:
            self._emit(f"{s} {nt(p)} {nt(o)}{tail}")
        self.count += len(pos)


def _turtle_block(subject, pos, pfx, indent: str = "") -> str:
    lines = []
    last_p = None
    for p, o in pos:
        obj = _turtle_object(o, pfx)
        if p == last_p:
            lines[-1] += f" ,\n{indent}        {obj}"
        else:
            lines.append(f"{'a' if p == _A else turtle(p, pfx)} {obj}")
            last_p = p
    return f"{indent}{turtle(subject, pfx)} " + f" ;\n{indent}    ".join(lines) + " .\n"


def _turtle_object(term, pfx) -> str:
    if type(term) is Quoted:  # a triple term as object is RDF 1.2 only: say so explicitly
        return f"<<( {turtle(term.s, pfx)} {turtle(term.p, pfx)} {turtle(term.o, pfx)} )>>"
    return turtle(term, pfx)


def _prefix_header(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in prefixes.items()) + "\n"


class TurtleWriter(Writer):
    def start(self) -> None:
        self._emit(_prefix_header(self.prefixes))

    def group(self, graph, subject, pos) -> None:
        if graph is not None or not pos:
            return
        self._emit(_turtle_block(subject, pos, self._pfx))
        self.count += len(pos)


class TriGWriter(Writer):
    quads = True

    def start(self) -> None:
        self._emit(_prefix_header(self.prefixes))

    def group(self, graph, subject, pos) -> None:
        if not pos:
            return
        if graph is None:
            self._emit(_turtle_block(subject, pos, self._pfx))
        else:
            self._emit(f"{turtle(graph, self._pfx)} {{\n{_turtle_block(subject, pos, self._pfx, '    ')}}}\n")
        self.count += len(pos)


class JsonLdWriter(Writer):
    """``{"@context": {...}, "@graph": [node, node, ...]}``, one node object per subject."""

    def start(self) -> None:
        self._emit('{\n"@context": ' + json.dumps(context()["@context"], ensure_ascii=False, indent=1)
                   + ',\n"@graph": [')
        self._first = True

    def group(self, graph, subject, pos) -> None:
        if graph is not None or not pos:
            return
        obj = node_object(subject, pos)
        self._emit(("\n" if self._first else ",\n") + json.dumps(obj, ensure_ascii=False))
        self._first = False
        self.count += len(pos)

    def finish(self) -> None:
        self._emit("\n]\n}\n")
        self.flush()


WRITERS = {"nt": NTriplesWriter, "nq": NQuadsWriter, "ttl": TurtleWriter, "trig": TriGWriter,
           "jsonld": JsonLdWriter}


def writer_for(fmt: str, out: IO[bytes], prefixes: dict[str, str] | None = None) -> Writer:
    """A streaming writer; ``prefixes`` (Turtle/TriG) default to graph.rdf.terms.PREFIXES."""
    return WRITERS[fmt](out, prefixes)
