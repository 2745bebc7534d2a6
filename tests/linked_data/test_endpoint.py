"""The SPARQL endpoint: protocol, formats, limits, read-only, entity pages, descriptions,
concurrency, and outside clients (SPARQLWrapper, Jena ARQ)."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest

from tests.conftest import GOVPLAT, ROOT, require_module
from tests.linked_data.conftest import run_java
from tests.linked_data.helpers import check_dataset_description, http_call

Q_CONFLICTS = ("PREFIX gp: <https://w3id.org/govplat/ontology#>\n"
               "SELECT ?c ?name WHERE { ?c a gp:Conflict ; gp:name ?name } ORDER BY ?c LIMIT 5")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def call(endpoint, path, *, accept=None, data=None, ctype=None, method=None, timeout=60, headers=None):
    headers = {**{k: v for k, v in (("Accept", accept), ("Content-Type", ctype)) if v}, **(headers or {})}
    return http_call(endpoint.url + path, data=data, headers=headers, method=method, timeout=timeout)


def get_query(endpoint, query, **kw):
    return call(endpoint, "/sparql?query=" + urllib.parse.quote(query), **kw)


# ---------------------------------------------------------------------------- protocol
def test_get_post_form_and_direct_post_give_the_same_answer(endpoint):
    a = get_query(endpoint, Q_CONFLICTS)
    b = call(endpoint, "/sparql", data=urllib.parse.urlencode({"query": Q_CONFLICTS}).encode(),
             ctype="application/x-www-form-urlencoded")
    c = call(endpoint, "/sparql", data=Q_CONFLICTS.encode(), ctype="application/sparql-query")
    assert a[0] == b[0] == c[0] == 200
    assert a[1]["Content-Type"].startswith("application/sparql-results+json")
    assert json.loads(a[2]) == json.loads(b[2]) == json.loads(c[2])
    assert len(json.loads(a[2])["results"]["bindings"]) == 5


@pytest.mark.parametrize("accept,check", [
    ("application/sparql-results+json", lambda b: len(json.loads(b)["results"]["bindings"]) == 5),
    ("application/sparql-results+xml", lambda b: len(ET.fromstring(b).findall(
        ".//{http://www.w3.org/2005/sparql-results#}result")) == 5),
    ("text/csv", lambda b: list(csv.reader(io.StringIO(b.decode())))[0] == ["c", "name"]
     and len(list(csv.reader(io.StringIO(b.decode())))) == 6),
    ("text/tab-separated-values", lambda b: b.decode().splitlines()[0] == "?c\t?name"
     and b.decode().splitlines()[1].startswith("<https://w3id.org/govplat/id/")),
])
def test_select_results_by_content_negotiation(endpoint, accept, check):
    status, headers, body = get_query(endpoint, Q_CONFLICTS, accept=accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    assert check(body)
    # and the pyoxigraph parser agrees the document is well-formed
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}.get(accept)
    if fmt is not None:  # (pyoxigraph does not read CSV results: the format is lossy)
        assert len(list(ox.parse_query_results(body, format=fmt))) == 5


@pytest.mark.parametrize("accept,served", [
    # a refused type is refused even when a wildcard would allow it (the most specific range wins)
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ("text/*;q=0.5, text/csv;q=0", "text/tab-separated-values"),
    ("text/csv;q=0.4, application/sparql-results+xml;q=0.6", "application/sparql-results+xml"),
    # other spellings of the same refusal: a capital Q, spaces around '=', out-of-range values
    ("application/sparql-results+json;Q=0, */*;q=0.1", "application/sparql-results+xml"),
    ("application/sparql-results+json ; q = 0, */*;q=0.1", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=-1, */*;q=0.1", "application/sparql-results+xml"),
    ("text/csv;q=1e309, application/sparql-results+xml;q=0.9", "text/csv"),
])
def test_accept_q_values_pick_the_best_offer(endpoint, accept, served):
    status, headers, _ = get_query(endpoint, Q_CONFLICTS, accept=accept)
    assert status == 200 and headers["Content-Type"].startswith(served), headers["Content-Type"]


def test_ask_and_graph_results(endpoint):
    status, _, body = get_query(endpoint, "ASK { ?s a <https://w3id.org/govplat/ontology#Conflict> }")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/govplat/ontology#Court> ; ?p ?o } LIMIT 40"
    status, headers, body = get_query(endpoint, q)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 40
    status, headers, body = get_query(endpoint, q, accept="application/ld+json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert len(list(ox.parse(body, format=ox.RdfFormat.JSON_LD))) == 40
    status, _, body = get_query(endpoint, "DESCRIBE <https://w3id.org/govplat/id/us-cbp>", accept="text/turtle")
    assert status == 200 and b"U.S. Customs and Border Protection" in body


def test_named_graphs_per_source_and_the_ontology_graph(endpoint):
    q = ("SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/govplat/id/us-cbp> "
         "<https://w3id.org/govplat/ontology#partyTo> ?k } }")
    _, _, body = get_query(endpoint, q)
    graphs = {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert "https://w3id.org/govplat/id/graph/twitter-v-dhs-complaint" in graphs
    q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/govplat/ontology> "
         "{ ?c a <http://www.w3.org/2002/07/owl#Class> } }")
    _, _, body = get_query(endpoint, q)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 20
    # default-graph-uri picks the dataset's default graph
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, _, body = call(endpoint, "/sparql?query=" + urllib.parse.quote(q) + "&default-graph-uri="
                      + urllib.parse.quote("https://w3id.org/govplat/id/graph/twitter-v-dhs-complaint"))
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert 0 < n < 2000


# ---------------------------------------------------------------------------- refusals and limits
def test_syntax_error_is_400_with_the_parsers_message(endpoint):
    status, headers, body = get_query(endpoint, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert b"SPARQL syntax error" in body and b"1:" in body


@pytest.mark.parametrize("how", ["query-param", "update-param", "update-body"])
def test_updates_are_refused(endpoint, how):
    update = "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }"
    if how == "query-param":
        status, _, body = get_query(endpoint, "PREFIX ex: <http://ex/>\n" + update)
    elif how == "update-param":
        status, _, body = call(endpoint, "/sparql", data=urllib.parse.urlencode({"update": update}).encode(),
                               ctype="application/x-www-form-urlencoded")
    else:
        status, _, body = call(endpoint, "/sparql", data=update.encode(), ctype="application/sparql-update")
    assert status == 403 and b"read-only" in body
    _, _, after = get_query(endpoint, "ASK { <http://ex/a> ?p ?o }")
    assert json.loads(after)["boolean"] is False


def test_unknown_operations_are_4xx(endpoint):
    assert call(endpoint, "/sparql", data=b"query=x", ctype="text/plain")[0] == 415
    assert call(endpoint, "/sparql", method="PUT", data=b"x")[0] == 405
    assert call(endpoint, "/sparql?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400
    assert call(endpoint, "/nowhere")[0] == 404
    assert call(endpoint, "/refresh")[0] == 405
    status, _, body = get_query(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 400 and b"SERVICE" in body


def test_a_long_query_by_get_is_answered(endpoint):
    """SPARQLWrapper and browsers send queries by GET: a query of ~40 KB fits the request-head limit."""
    values = " ".join(f"<https://w3id.org/govplat/id/x{i:05d}>" for i in range(1000))
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} }}"
    status, _, body = get_query(endpoint, q)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "1000"


def test_a_query_past_its_timeout_is_503_and_the_server_stays_up(endpoint):
    start = time.monotonic()
    status, _, body = get_query(endpoint, SLOW, timeout=60)
    assert status == 503 and b"timeout" in body
    assert time.monotonic() - start < endpoint.limits.timeout + 5
    assert get_query(endpoint, Q_CONFLICTS)[0] == 200


def test_results_stop_at_the_row_cap_and_say_so(endpoint):
    status, headers, body = get_query(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    doc = json.loads(body)
    assert status == 200 and len(doc["results"]["bindings"]) == endpoint.limits.max_rows
    assert doc["govplat"] == {"truncated": True, "row_cap": endpoint.limits.max_rows}
    status, headers, body = get_query(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert status == 200 and len(body.splitlines()) == endpoint.limits.max_rows


def test_large_results_stream_in_chunks(endpoint):
    old = endpoint.limits.max_rows
    endpoint.limits.max_rows = 20000
    try:
        req = urllib.request.Request(endpoint.url + "/sparql?query=" + urllib.parse.quote(
            "SELECT * WHERE { ?s ?p ?o }"), headers={"Accept": "text/tab-separated-values"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert resp.headers["Transfer-Encoding"] == "chunked"
            assert len(resp.read().splitlines()) == 20001
    finally:
        endpoint.limits.max_rows = old


def test_refresh_reloads_and_keeps_serving(endpoint):
    status, _, body = call(endpoint, "/refresh", data=b"", timeout=300,
                           headers={"Authorization": f"Bearer {endpoint.refresh_token}"})
    assert status == 200 and json.loads(body)["quads"] > 10000, body
    status, _, body = get_query(endpoint, Q_CONFLICTS)
    assert status == 200, body


# ---------------------------------------------------------------------------- descriptions and pages
def test_service_description_and_void(endpoint):
    status, headers, body = call(endpoint, "/sparql", accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    quads = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(q.predicate.value == sd + "endpoint" and q.object.value == endpoint.url + "/sparql" for q in quads)
    assert sum(q.predicate.value == sd + "resultFormat" for q in quads) == 7
    status, headers, body = call(endpoint, "/.well-known/void", accept="application/ld+json")
    assert status == 200
    quads = list(ox.parse(body, format=ox.RdfFormat.JSON_LD))
    void = "http://rdfs.org/ns/void#"
    triples = {q.predicate.value: q.object for q in quads if q.subject.value == "https://w3id.org/govplat/dataset"}
    assert int(triples[void + "triples"].value) > 10000
    assert triples[void + "sparqlEndpoint"].value == endpoint.url + "/sparql"
    assert triples["http://purl.org/dc/terms/license"].value == "https://creativecommons.org/licenses/by/4.0/"
    assert "http://purl.org/dc/terms/publisher" in triples
    # void:entities counts entities (one per gp:Entity), not statements nor one per superclass
    n_entities = json.loads(get_query(endpoint, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE "
                                                "{ ?s a <https://w3id.org/govplat/ontology#Entity> }")[2])
    assert int(triples[void + "entities"].value) == int(n_entities["results"]["bindings"][0]["n"]["value"])
    linkset = [q.subject for q in quads if q.predicate.value == void + "linkPredicate"
               and q.object.value == "http://www.w3.org/2002/07/owl#sameAs"]
    assert linkset and any(q.subject == linkset[0] and q.predicate.value == void + "triples" for q in quads)
    # the same document is the DCAT description: a distribution per export format, coverage, the service
    got = check_dataset_description(body, ox.RdfFormat.JSON_LD)
    dcat = "http://www.w3.org/ns/dcat#"
    service = got["about"][endpoint.url + "/sparql"]
    assert service[dcat + "servesDataset"] == ["https://w3id.org/govplat/dataset"]
    period = got["about"][got["dataset"]["http://purl.org/dc/terms/temporal"][0]]
    assert "1990-01-01" < period[dcat + "startDate"][0] < "2010-01-01" < period[dcat + "endDate"][0]
    assert "https://w3id.org/govplat/id/country-us" in got["dataset"]["http://purl.org/dc/terms/spatial"]
    status, headers, body = call(endpoint, "/.well-known/void", accept="text/turtle")
    assert status == 200 and check_dataset_description(body)["distributions"].keys() == got["distributions"].keys()
    status, _, body = call(endpoint, "/context.jsonld")
    assert status == 200 and "@context" in json.loads(body)


def test_entity_uris_dereference_by_content_negotiation(endpoint):
    status, headers, body = call(endpoint, "/id/us-cbp", accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    for text in ("U.S. Customs and Border Protection", "Relations", "defendant", "Sources", 'href="/id/us-dhs"'):
        assert text in page
    status, headers, body = call(endpoint, "/id/us-cbp", accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert any(q.predicate.value.endswith("#role") and q.object.value == "defendant" for q in triples)
    doc = {q.predicate.value: q.object.value for q in triples if q.subject.value == endpoint.url + "/id/us-cbp"}
    assert doc["http://xmlns.com/foaf/0.1/primaryTopic"] == "https://w3id.org/govplat/id/us-cbp"
    assert doc["http://rdfs.org/ns/void#inDataset"] == "https://w3id.org/govplat/dataset"
    assert doc["http://purl.org/dc/terms/license"].startswith("https://creativecommons.org/licenses/by/")
    status, headers, body = call(endpoint, "/id/us-cbp", accept="application/ld+json")
    assert status == 200 and len(list(ox.parse(body, format=ox.RdfFormat.JSON_LD))) == len(triples)
    assert call(endpoint, "/id/no-such-thing", accept="text/html")[0] == 404
    assert call(endpoint, "/id/no-such-thing", accept="text/turtle")[0] == 404


def test_ontology_is_a_page_for_people_and_turtle_for_machines(endpoint):
    status, headers, body = call(endpoint, "/ontology", accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Court case (lawsuit)" in body and b"gp:ResponseKinds" in body
    for accept in ("text/turtle", "*/*", None):
        status, headers, body = call(endpoint, "/ontology", accept=accept)
        assert status == 200 and headers["Content-Type"].startswith("text/turtle"), accept
        assert b"owl:Ontology" in body


def test_entity_pages_escape_everything(tmp_path):
    """Text from the data never becomes markup, and only http(s) URLs become links."""
    from graph.model import Entity, Relation
    from graph.sparql.pages import entity_page
    from graph.sparql.engine import dataset_from_records
    from graph.sparql.endpoint import Endpoint

    evil = '<script>alert("x")</script>'
    entities = [Entity("victim", "Person", {"name": evil, "description": f"{evil} & more",
                                            "aliases": ["\"><img src=x onerror=alert(1)>"]}, ["src-evil"]),
                Entity("src-evil", "Source", {"name": evil, "publisher": evil, "url": "javascript:alert(1)",
                                              "title": evil}, ["src-evil"]),
                Entity("other", "Person", {"name": "<b>bold</b>"}, ["src-evil"])]
    relations = [Relation("MEMBER_OF", "victim", "other", {"role": evil}, ["src-evil"])]
    ep = Endpoint(lambda: dataset_from_records(entities, relations))
    try:
        for local in ("victim", "src-evil"):
            status, _, page, _ = entity_page(ep, local, {}, "text/html", "http://x")
            assert status == 200
            assert "<script>" not in page and "<img" not in page and "<b>bold" not in page
            assert "javascript:" not in page.split("<body>")[1].replace("javascript:alert(1)</td>", "")
            assert "&lt;script&gt;" in page
    finally:
        ep.close()


# ---------------------------------------------------------------------------- load
def test_a_hundred_concurrent_clients_get_every_answer(endpoint):
    queries = [Q_CONFLICTS, "ASK { ?s ?p ?o }",
               "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/govplat/ontology#Court> }"]

    def one(i):
        status, _, body = get_query(endpoint, queries[i % 3], timeout=120)
        return i, status, body

    deadline = time.monotonic() + 120
    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(one, range(100)))
    assert time.monotonic() < deadline
    assert len(results) == 100
    assert all(status == 200 for _, status, _ in results), [s for _, s, _ in results if s != 200]
    for i, _, body in results:
        doc = json.loads(body)
        assert ("boolean" in doc) == (i % 3 == 1)


# ---------------------------------------------------------------------------- outside clients
def test_sparqlwrapper_reads_our_results(endpoint):
    SPARQLWrapper = require_module("SPARQLWrapper")
    sw = SPARQLWrapper.SPARQLWrapper(endpoint.url + "/sparql")
    sw.setQuery(Q_CONFLICTS)
    for fmt in (SPARQLWrapper.JSON, SPARQLWrapper.XML, SPARQLWrapper.CSV, SPARQLWrapper.TSV):
        sw.setReturnFormat(fmt)
        result = sw.query().convert()
        if fmt == SPARQLWrapper.JSON:
            assert len(result["results"]["bindings"]) == 5
        elif fmt == SPARQLWrapper.XML:
            assert len(result.getElementsByTagName("result")) == 5
        else:
            assert len(result.decode().strip().splitlines()) == 6
    sw.setMethod(SPARQLWrapper.POST)
    sw.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/govplat/ontology#Court> ; ?p ?o } LIMIT 10")
    sw.setReturnFormat(SPARQLWrapper.TURTLE)
    assert len(list(ox.parse(sw.query().convert(), format=ox.RdfFormat.TURTLE))) == 10
    sw.setQuery("SELECT ?x WHERE { ?x }")
    with pytest.raises(Exception, match="400|QueryBadFormed|syntax"):
        sw.query()


def test_jena_arq_remote_query(endpoint, jena_classpath, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text(Q_CONFLICTS, encoding="utf-8")
    proc = run_java(jena_classpath, "arq.rsparql", "--service", endpoint.url + "/sparql", "--query", str(query),
                    "--results", "csv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["c", "name"] and len(rows) == 6
    construct = tmp_path / "c.rq"
    construct.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/govplat/ontology#Court> ; ?p ?o } "
                         "LIMIT 10", encoding="utf-8")
    proc = run_java(jena_classpath, "arq.rsparql", "--service", endpoint.url + "/sparql", "--query", str(construct),
                    "--results", "nt")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.strip().splitlines()) == 10


# ---------------------------------------------------------------------------- the command
def test_cli_serve_prints_its_url_and_answers(ld_env):
    import os

    env = {**os.environ, **ld_env}
    proc = subprocess.Popen([*GOVPLAT, "sparql", "serve", "--port", "0", "--timeout", "5"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        base = match.group(1)
        with urllib.request.urlopen(base + "/sparql?query=" + urllib.parse.quote("ASK {?s ?p ?o}"), timeout=30) as r:
            assert json.loads(r.read())["boolean"] is True
        refresh = subprocess.run([*GOVPLAT, "sparql", "refresh", "--url", base], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert refresh.returncode == 0 and "reloaded" in refresh.stdout, refresh.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cli_sparql_query_loads_the_store_and_answers(ld_env):
    from tests.conftest import run_cli

    proc = run_cli("sparql", "query", "--example", "search", "-p", "text=ALT_uscis", "--format", "csv", env=ld_env)
    assert proc.returncode == 0, proc.stderr
    assert "alt-uscis" in proc.stdout
    proc = run_cli("sparql", "query", "SELECT ?x WHERE {", env=ld_env)
    assert proc.returncode == 1 and "syntax" in proc.stderr


# ---------------------------------------------------------------------------- worker processes
def test_workers_start_whatever_the_main_module_is(tmp_path, monkeypatch):
    """Streamlit installs each page as __main__ (AppTest a temporary script); spawned SPARQL
    workers must start without running it (they used to die when a test had run AppTest)."""
    import sys
    import types

    from graph.sparql.engine import dataset_from_records
    from graph.sparql.endpoint import Endpoint
    from graph.synthetic import records

    page = tmp_path / "page.py"
    page.write_text("raise RuntimeError('the page ran inside a SPARQL worker')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    entities, relations = records(300, 800, seed=2)
    endpoint = Endpoint(lambda: dataset_from_records(entities, relations, spool=True), processes=1)
    try:
        rows = endpoint.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=120)
        assert int(rows[0]["n"].lexical) > 500
        assert sys.modules["__main__"] is main
    finally:
        endpoint.close()
