"""`govplat import` of hostile RDF: every entity-expansion form, oversized and deeply nested
inputs. Each is refused (or read harmlessly) with a clear message naming the file, in bounded
memory, without touching the network (a loopback listener must receive nothing), without
reading local files (a canary's text never appears anywhere) and with the store unchanged."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading

import pytest

from tests.conftest import ROOT, run_cli
from tests.security.bounded import run_bounded

MEMORY_LIMIT = 2 * 1024**3  # address space of the worker that parses the hostile files
PEAK_RSS_MB = 400  # what parsing a refused file may cost, at most (a billion laughs went past 5 GB)
CLI_RSS_MB = 600  # the same through `govplat import` (the CLI itself takes about 270 MB)
CANARY = "canary-5f1e0c9d-secret"
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    path = tmp_path_factory.mktemp("canary") / "canary.txt"
    path.write_text(CANARY, encoding="utf-8")
    return path


def _doctype(decls: str, body: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{decls}\n]>\n<rdf:RDF {RDF}>\n'
            f'<rdf:Description rdf:about="http://example.org/a"><rdfs:label>{body}</rdfs:label></rdf:Description>\n'
            "</rdf:RDF>\n")


def _laughs(levels: int = 10) -> str:
    decls = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, levels)]
    return _doctype("\n".join(decls), f"&l{levels - 1};")


def hostile_xml(canary_path, port: int) -> dict[str, bytes]:
    """Every entity-expansion form we know, as RDF/XML files (name -> bytes)."""
    url = f"http://127.0.0.1:{port}"
    big = "x" * 100_000
    docs = {
        "billion-laughs": _laughs(),
        "quadratic-blowup": _doctype(f'<!ENTITY big "{big}">', "&big;" * 10_000),
        "external-file-entity": _doctype(f'<!ENTITY e SYSTEM "file://{canary_path}">', "&e;"),
        "external-http-entity": _doctype(f'<!ENTITY e SYSTEM "{url}/entity">', "&e;"),
        "parameter-entity": _doctype(f'<!ENTITY % p SYSTEM "{url}/param"> %p;', "x"),
        "parameter-entity-file": _doctype(f'<!ENTITY % p SYSTEM "file://{canary_path}"> %p;', "x"),
        "external-dtd": (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">\n<rdf:RDF {RDF}/>\n'),
        "entity-in-attribute": (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e "http://example.org/&#x61;">]>\n'
                                f'<rdf:RDF {RDF}><rdf:Description rdf:about="&e;"><rdfs:label>x</rdfs:label>'
                                "</rdf:Description></rdf:RDF>\n"),
        "unparsed-entity": _doctype(f'<!NOTATION n SYSTEM "{url}/n"><!ENTITY u SYSTEM "{url}/u" NDATA n>', "x"),
        "undeclared-entity": f'<rdf:RDF {RDF}><rdf:Description rdf:about="http://example.org/a">'
                             "<rdfs:label>&e;</rdfs:label></rdf:Description></rdf:RDF>",
    }
    out = {name: text.encode("utf-8") for name, text in docs.items()}
    out["utf16-billion-laughs"] = _laughs().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    out["utf16-no-declaration"] = _laughs().replace('<?xml version="1.0"?>\n', "").encode("utf-16")
    out["utf7-declared"] = ('<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE rdf:RDF +AFs-+ADw-!ENTITY e '
                            f'SYSTEM +ACI-file://{canary_path}+ACI-+AD4-+AF0-+AD4-<rdf:RDF {RDF}/>').encode("ascii")
    return out


WORKER = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from graph.errors import GovplatError
from graph.rdf.importer import read
out = {{}}
for path in sys.argv[1:]:
    try:
        r = read(path)
        out[path] = {{"ok": True, "values": [str(e.props) for e in r.entities], "summary": r.summary()}}
    except GovplatError as exc:
        out[path] = {{"ok": False, "error": str(exc)}}
# VmHWM, not ru_maxrss: that one keeps the parent's peak across fork and exec
out["peak_rss_mb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps(out))
"""


def parse_in_worker(paths, env=None) -> dict:
    """``graph.rdf.importer.read`` on each path in a child limited to MEMORY_LIMIT of address space."""
    proc = subprocess.run([sys.executable, "-c", WORKER.format(limit=MEMORY_LIMIT), *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert proc.returncode == 0, f"the parser crashed (memory limit?):\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def test_every_entity_form_is_refused_in_bounded_memory_without_network_or_files(tmp_path, listener, canary):
    files = {}
    for name, data in hostile_xml(canary, listener.port).items():
        files[name] = tmp_path / f"{name}.rdf"
        files[name].write_bytes(data)
    result = parse_in_worker(files.values())
    for name, path in files.items():
        got = result[str(path)]
        assert not got["ok"], f"{name} was read: {got}"
        assert got["error"].startswith(str(path)), got["error"]  # names the file
        assert any(w in got["error"] for w in ("DTD", "UTF-8", "undefined entity")), (name, got["error"])
        assert CANARY not in got["error"]
        assert len(got["error"]) < 1000
    assert result["peak_rss_mb"] < PEAK_RSS_MB, result["peak_rss_mb"]
    assert listener.hits == []


def test_xinclude_and_remote_context_fetch_nothing(tmp_path, listener, canary):
    """XInclude is not processed (its element is just a triple); a JSON-LD remote @context is
    refused with a message saying so; relative IRIs and @base never cause a fetch."""
    url = f"http://127.0.0.1:{listener.port}"
    xinclude = tmp_path / "xinclude.rdf"
    xinclude.write_text(
        f'<rdf:RDF {RDF} xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<rdf:Description rdf:about="http://example.org/a"><rdfs:label>'
        f'<xi:include href="file://{canary}" parse="text"/><xi:include href="{url}/xi" parse="text"/>'
        '</rdfs:label></rdf:Description></rdf:RDF>', encoding="utf-8")
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://example.org/a",
                                   "name": "x"}), encoding="utf-8")
    nested_context = tmp_path / "nested-context.jsonld"
    nested_context.write_text(json.dumps({"@context": [{"@base": url}, f"{url}/ctx2"], "@id": "a"}),
                              encoding="utf-8")
    base = tmp_path / "base.ttl"
    base.write_text(f"@base <{url}/> .\n@prefix x: <{url}/x#> .\n<a> x:p <b> .\n", encoding="utf-8")
    result = parse_in_worker([xinclude, context, nested_context, base])
    assert CANARY not in json.dumps(result)
    assert not result[str(context)]["ok"] and "@context is never fetched" in result[str(context)]["error"]
    assert not result[str(nested_context)]["ok"]
    assert result[str(base)]["ok"]
    assert listener.hits == []


def _huge_literal(chars: int) -> bytes:
    return b'<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "' + b"a" * chars + b'" .\n'


def test_oversized_and_deeply_nested_inputs_give_clear_bounded_errors(tmp_path):
    depth = 100_000
    cases = {
        "literal-2m.nt": (_huge_literal(2_000_000), "GOVPLAT_MAX_LITERAL_CHARS"),
        "literal-20m.ttl": (_huge_literal(20_000_000), "too long to parse"),
        "iri-2m.nq": (b"<http://example.org/" + b"a" * 2_000_000 + b"> <http://example.org/p> \"x\" .\n",
                      "GOVPLAT_MAX_LITERAL_CHARS"),
        "literal-2m.trig": (b"GRAPH <http://example.org/g> { " + _huge_literal(2_000_000) + b" }",
                            "GOVPLAT_MAX_LITERAL_CHARS"),
        "deep.jsonld": (('{"@id": "http://example.org/a", "http://example.org/p": '
                         + '{"http://example.org/p": ' * depth + "1" + "}" * depth + "}").encode(), "stack"),
    }
    paths = []
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    nested_ttl = tmp_path / "deep.ttl"  # read fine: pyoxigraph keeps its own stack, no recursion
    nested_ttl.write_bytes(b"<http://example.org/a> <http://example.org/p> " + b"( [ <http://example.org/p> "
                           * depth + b"1" + b" ] )" * depth + b" .")
    result = parse_in_worker([*paths, nested_ttl])
    for path, (name, (_, expected)) in zip(paths, cases.items()):
        got = result[str(path)]
        assert not got["ok"] and got["error"].startswith(str(path)), (name, got)
        assert expected in got["error"] and len(got["error"]) < 1000, (name, got["error"][:2000])
    assert result[str(nested_ttl)]["ok"]
    assert result["peak_rss_mb"] < 1000, result["peak_rss_mb"]


def test_size_and_triple_limits_are_named_in_the_error(tmp_path):
    doc = tmp_path / "many.nt"
    doc.write_bytes(b"".join(b"<http://example.org/s%d> <http://example.org/p> \"v\" .\n" % i for i in range(2000)))
    env = {**__import__("os").environ, "GOVPLAT_IMPORT_MAX_TRIPLES": "1000"}
    got = parse_in_worker([doc], env=env)[str(doc)]
    assert not got["ok"] and "1,000 triples" in got["error"] and "GOVPLAT_IMPORT_MAX_TRIPLES" in got["error"]
    env = {**__import__("os").environ, "GOVPLAT_IMPORT_MAX_BYTES": "10000"}
    got = parse_in_worker([doc], env=env)[str(doc)]
    assert not got["ok"] and "10,000 bytes" in got["error"] and "GOVPLAT_IMPORT_MAX_BYTES" in got["error"]


SEED = """@prefix gp: <https://w3id.org/govplat/ontology#> .
<https://w3id.org/govplat/id/seed-source> a gp:Source ; gp:name "Seed source" ; gp:publisher "Test" ;
    gp:url "https://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> .
"""


def test_cli_refuses_without_traceback_and_leaves_the_store_unchanged(tmp_path, listener, canary):
    env = {"GOVPLAT_HOME": str(tmp_path / "home"), "GOVPLAT_STORE": "embedded", "COLUMNS": "100000"}
    seed = tmp_path / "seed.ttl"
    seed.write_text(SEED, encoding="utf-8")
    run_cli("import", str(seed), "--no-validate", env=env, check=True)
    before = run_cli("stats", "--json", env=env, check=True).stdout
    hostile = hostile_xml(canary, listener.port)
    for name in ("billion-laughs", "quadratic-blowup", "external-file-entity"):
        path = tmp_path / f"{name}.rdf"
        path.write_bytes(hostile[name])
        proc = run_bounded("import", str(path), env=env, rss_limit_mb=CLI_RSS_MB)
        assert proc.returncode == 1, proc
        assert "Traceback" not in proc.stderr and str(path) in proc.stderr and "DTD" in proc.stderr, proc.stderr
    big = tmp_path / "big.ttl"
    big.write_bytes(_huge_literal(20_000_000))
    proc = run_bounded("import", str(big), env=env, rss_limit_mb=CLI_RSS_MB)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and str(big) in proc.stderr, proc.stderr[-2000:]
    assert run_cli("stats", "--json", env=env, check=True).stdout == before
    assert listener.hits == []


def test_not_read_report_is_bounded(tmp_path):
    """200,000 distinct foreign predicates: the report lists the first few and counts the rest."""
    n = 200_000
    junk = tmp_path / "junk.nt"
    junk.write_bytes(b"".join(b"<http://example.org/s> <http://example.org/p%d> \"v\" .\n" % i for i in range(n)))
    env = {"GOVPLAT_HOME": str(tmp_path / "home"), "GOVPLAT_STORE": "embedded", "COLUMNS": "100000"}
    proc = run_cli("import", str(junk), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"not read: {n} statements" in proc.stderr
    assert f"and {n - 20:,} other predicates" in proc.stderr
    assert len(proc.stderr) < 5000, len(proc.stderr)
