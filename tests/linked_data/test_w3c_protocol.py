"""The W3C SPARQL 1.1 Protocol test suite (w3c_protocol/manifest.ttl, see its SOURCE.md) run
against the endpoint, with the suite's data preloaded under its graph names as a W3C harness
does. Every query test must pass; every update test must get a 4xx (read only by design), and
leave the data unchanged."""
from __future__ import annotations

import http.client
import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

HERE = Path(__file__).parent / "w3c_protocol"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RDFS_LABEL = rdflib.RDFS.label
# One triple in the store's default graph (the suite puts nothing there), to see which graphs a
# protocol dataset leaves visible.
CANARY = (ox.NamedNode("urn:govplat:canary"), ox.NamedNode("urn:govplat:in"), ox.NamedNode("urn:govplat:default"))
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
BOOLEAN = TABULAR[:2]
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}


def _manifest():
    g = rdflib.Graph().parse(HERE / "manifest.ttl", format="turtle", publicID=BASE)
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for t in Collection(g, g.value(manifest, MF.entries)):
        requests = []
        for r in Collection(g, g.value(g.value(t, MF.action), HT.requests)):
            body = g.value(r, HT.body)
            headers = g.value(r, HT.headers)
            resp = g.value(r, HT.resp)
            requests.append({
                "method": str(g.value(r, HT.methodName)),
                "path": str(g.value(r, HT.absolutePath)),
                "headers": [(str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue)))
                            for h in Collection(g, headers)] if headers else [],
                "body": None if body is None else str(g.value(body, CNT.chars)).encode(
                    str(g.value(body, CNT.characterEncoding) or "UTF-8")),
                "status": {str(s)[len(HTS):][0] for s in g.objects(resp, MF.expectedStatus)},
                "format": str(g.value(resp, MF.expectedFormat) or ""),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        data = {str(g.value(d, RDFS_LABEL)): str(g.value(d, UT.graph))[len(BASE):] for d in g.objects(t, UT.graphData)}
        tests.append((str(t).rsplit("#", 1)[-1], data, requests))
    return tests


TESTS = _manifest()


@pytest.fixture(scope="module")
def protocol_endpoint(tmp_path_factory):
    """Our endpoint over the suite's data (each file in the named graph the manifest gives it),
    with a worker process, served over HTTP as ``govplat sparql serve`` does."""
    from graph.sparql.engine import Dataset, Limits
    from graph.sparql.endpoint import Endpoint
    from graph.sparql.http import Server

    graphs = {}
    for _, data, _ in TESTS:
        graphs.update(data)
    folder = tmp_path_factory.mktemp("w3c-protocol")

    def load():
        spool = Path(folder) / f"load-{time.monotonic_ns()}"
        spool.mkdir()
        path = spool / "data.nq"
        store = ox.Store()
        with open(path, "wb") as out:
            for name, file in sorted(graphs.items()):
                quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                         for t in ox.parse(path=str(HERE / file), format=ox.RdfFormat.N_TRIPLES)]
                ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
            ox.serialize([ox.Quad(*CANARY, ox.DefaultGraph())], out, format=ox.RdfFormat.N_QUADS)
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return Dataset(store, len(store), time.time(), 0.0, "reified", True, str(path))

    ep = Endpoint(load, Limits(timeout=20, max_rows=100, workers=1), processes=1)
    server = Server(ep, "127.0.0.1", 0).start()
    yield server
    server.stop()
    ep.close()
    shutil.rmtree(folder, ignore_errors=True)


def _send(server, req) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(req["method"], req["path"], skip_accept_encoding=True)
        for name, value in req["headers"]:
            conn.putheader(name, value)
        if req["body"] is not None:
            conn.putheader("Content-Length", str(len(req["body"])))
        conn.endheaders(req["body"])
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read()
    finally:
        conn.close()


def _boolean(ctype: str, body: bytes) -> bool:
    if ctype.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    root = ET.fromstring(body)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


def _is_update(req) -> bool:
    ctype = dict(req["headers"]).get("content-type", "")
    body = (req["body"] or b"").decode("utf-8", "replace")
    return ctype.startswith("application/sparql-update") or "update=" in req["path"] or body.startswith("update=")


@pytest.mark.parametrize("name,data,requests", TESTS, ids=[t[0] for t in TESTS])
def test_w3c_protocol(protocol_endpoint, name, data, requests):
    updates = name.startswith("update_")  # (the bad_update_ tests expect a 4xx anyway)
    for i, req in enumerate(requests):
        status, ctype, body = _send(protocol_endpoint, req)
        if updates and _is_update(req):
            assert 400 <= status < 500, (name, status, body)  # read only, by design
            continue
        if updates:
            # what would check the update: the data was not changed (the suite expects true)
            assert status < 300 and _boolean(ctype, body) is False, (name, i, status, body)
            continue
        assert str(status)[0] in req["status"], (name, status, body)
        if req["format"] == "boolean":
            assert ctype.startswith(BOOLEAN), (name, ctype)
            if req["boolean"] is not None:
                assert _boolean(ctype, body) is req["boolean"].toPython(), (name, body)
        elif req["format"] == "tabular":
            assert ctype.startswith(TABULAR), (name, ctype)
        elif req["format"] == "RDF":
            media = ctype.split(";")[0].strip()
            assert media in RDF_TYPES, (name, ctype)
            triples = list(ox.parse(body, format=RDF_TYPES[media]))
            if name == "query_content_type_construct":  # relative IRIs resolved against the service
                assert [t.subject.value for t in triples] == [protocol_endpoint.base_url + "/s"], triples


@pytest.mark.parametrize("params,visible", [
    ("", True),
    ("&named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf", False),
    ("&default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf", False),
])
def test_a_protocol_dataset_replaces_the_default_graph(protocol_endpoint, params, visible):
    """named-graph-uri alone leaves an empty default graph (SPARQL 1.1 Protocol 2.1.4)."""
    ask = "ASK%20%7B%20%3Curn%3Agovplat%3Acanary%3E%20%3Fp%20%3Fo%20%7D"
    status, ctype, body = _send(protocol_endpoint, {"method": "GET", "path": f"/sparql?query={ask}{params}",
                                                    "headers": [], "body": None})
    assert status == 200 and _boolean(ctype, body) is visible


def test_the_suite_is_all_there():
    names = [t[0] for t in TESTS]
    assert len(names) == 34 and sum(n.startswith(("update_", "bad_update_")) for n in names) == 13
