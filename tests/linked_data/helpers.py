"""Reading exports back for comparison: quads with RDF 1.2 reifiers canonicalised, so two
files are compared as graphs (isomorphism) rather than as text; and one HTTP call to an endpoint."""
from __future__ import annotations

import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from graph.rdf.importer import OX_FORMATS

REIFIES = "http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies"


@lru_cache(maxsize=32)
def canonical_quads(path: Path, fmt: str) -> frozenset[tuple[str, str, str, str]]:
    """The file's quads as strings, each blank-node reifier renamed after the triple it reifies
    (ours are the only blank nodes), so isomorphic files give equal sets."""
    quads = list(ox.parse(path=str(path), format=OX_FORMATS[fmt]))
    names = {}
    for q in quads:
        if q.predicate.value == REIFIES and isinstance(q.subject, ox.BlankNode):
            names[q.subject.value] = f"_:reifier<{q.object}>"
    bnodes = [q for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)
              and t.value not in names]
    assert not bnodes, f"unexpected blank nodes: {bnodes[:3]}"

    def term(t) -> str:
        if isinstance(t, ox.BlankNode):
            return names[t.value]
        return str(t)

    return frozenset((term(q.subject), str(q.predicate), term(q.object), str(q.graph_name)) for q in quads)


def triples(path: Path, fmt: str) -> set[tuple[str, str, str]]:
    """Default-graph triples only."""
    return {(s, p, o) for s, p, o, g in canonical_quads(path, fmt) if g == "DEFAULT"}


def http_call(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
              timeout: float = 60):
    """(status, headers, body) of one request; HTTP errors are answers too, not exceptions."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()
