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


def check_dataset_description(body: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> dict:
    """Parse a VoID + DCAT description (graph.rdf.dataset) and check what every copy of it must
    say: one dcat:Distribution per format `govplat export --format` offers, each with its media
    type, a void:dataDump per RDF format, licence, publisher and time coverage. Returns
    {format: {predicate: [objects]}} of the distributions, for further checks."""
    from graph.rdf.view import FORMATS

    dcat, void, dct = "http://www.w3.org/ns/dcat#", "http://rdfs.org/ns/void#", "http://purl.org/dc/terms/"
    quads = list(ox.parse(body, format=fmt))
    about: dict[str, dict[str, list[str]]] = {}
    for q in quads:
        about.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(q.object.value)
    me = about["https://w3id.org/govplat/dataset"]
    types = set(me["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"])
    assert {dcat + "Dataset", void + "Dataset"} <= types
    assert me[dct + "license"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert dct + "publisher" in me and dct + "title" in me
    period = about[me[dct + "temporal"][0]]
    assert period[dcat + "startDate"][0] < period[dcat + "endDate"][0]
    assert me.get(dct + "spatial"), "no country in the description's coverage"
    dists = {about[d][dct + "identifier"][0]: about[d] for d in me[dcat + "distribution"]}
    assert set(dists) == set(FORMATS) | {"neo4j-import"}
    for name, d in dists.items():
        media = FORMATS[name].media_type if name in FORMATS else "text/csv"
        assert d[dcat + "mediaType"] == [f"http://www.iana.org/assignments/media-types/{media}"], name
        assert dcat + "accessURL" in d
    dumps = {dists[name][dcat + "downloadURL"][0] for name in FORMATS}
    for name, f in FORMATS.items():
        assert dists[name][dcat + "downloadURL"][0].endswith("/govplat" + f.extension), name
    assert set(me[void + "dataDump"]) == dumps
    return {"dataset": me, "distributions": dists, "about": about}
