"""SPARQL and export benchmark on a synthetic graph (>= 1M triples by default).

1. The ten example queries (graph/queries/sparql_examples.yaml) through our endpoint
   (HTTP, pyoxigraph worker processes) and through rdflib's in-memory SPARQL engine on the
   same triples, in the same run: median latency per query and the ratio (target >= 10x).
2. N-Triples export of N and 2N records, each in a fresh process: time and peak memory
   (tracemalloc for Python objects, ru_maxrss for the process). Target: flat as N doubles.

    .venv/bin/python benchmarks/sparql.py                 # ~1.1M triples (5000 conflicts)
    .venv/bin/python benchmarks/sparql.py --conflicts 500 --repeat 3   # quick look

The records come from a seeded generator, not from a store, so the figures are the RDF
view's own (the store's dump is not measured).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.model import Entity, Relation  # noqa: E402


def records(conflicts: int, seed: int = 7, offset: int = 0):
    """Entities then relations of a synthetic graph shaped like the curated data; conflict ids
    start at ``offset`` (so chunks made apart do not repeat each other's records)."""
    rnd = random.Random(seed)
    day = dt.date(2010, 1, 1)
    entities, relations = [], []
    n_bodies, n_companies, n_countries = max(conflicts // 25, 4), max(conflicts // 16, 4), 50
    for j in range(n_countries):
        entities.append(Entity(f"country-{j}", "Country", {"name": f"Country {j}", "countryCode": f"C{j:02d}"},
                               ["src-registry"]))
    for b in range(n_bodies):
        entities.append(Entity(f"gov-{b}", "Agency", {"name": f"Agency {b}", "aliases": [f"A{b}"]}, ["src-registry"]))
    for c in range(n_companies):
        entities.append(Entity(f"co-{c}", "Company", {"name": f"Company {c}"}, ["src-registry"]))
        entities.append(Entity(f"pf-{c}", "Platform", {"name": f"Platform {c}", "aliases": [f"P{c}"]},
                               ["src-registry"]))
        relations.append(Relation("OPERATES", f"co-{c}", f"pf-{c}", {}, ["src-registry"]))
    for k in range(40):
        entities.append(Entity(f"doctrine-{k}", "LegalDoctrine", {"name": f"Doctrine {k}"}, ["src-registry"]))
        entities.append(Entity(f"court-{k}", "Court", {"name": f"Court {k}"}, ["src-registry"]))
        entities.append(Entity(f"law-{k}", "Law", {"name": f"Law {k}", "citation": f"{k} U.S.C. § {k}"},
                               ["src-registry"]))
    entities.append(Entity("src-registry", "Source", {"name": "Registry", "title": "Registry", "publisher": "govplat",
                                                      "url": "https://example.org/registry"}, ["src-registry"]))
    for i in range(offset, offset + conflicts):
        g, co = f"gov-{i % n_bodies}", f"co-{i % n_companies}"
        pf, country = f"pf-{i % n_companies}", f"country-{i % n_countries}"
        when = day + dt.timedelta(days=rnd.randrange(5000))
        src = [f"src-{i}", f"src-{i}-b"]
        for s in src:
            entities.append(Entity(s, "Source", {"name": f"Report {s}", "title": f"Report {s}", "publisher": "News",
                                                 "url": f"https://example.org/{s}", "publishedDate": when}, [s]))
        entities += [
            Entity(f"c-{i}", "Conflict", {"name": f"Conflict {i}", "startDate": when, "status": "resolved",
                                          "outcome": "settled", "description": f"Synthetic conflict {i}."}, src),
            Entity(f"acc-{i}", "Account", {"name": f"Account {i}", "handle": f"@acc{i}"}, src[:1]),
            Entity(f"d-{i}", "InformationRequest", {"name": f"Subpoena {i}", "kind": "subpoena", "date": when}, src),
            Entity(f"r-{i}", "Response", {"name": f"Refusal {i}", "kind": "refused",
                                          "date": when + dt.timedelta(days=3)}, src[1:]),
            Entity(f"k-{i}", "CourtCase", {"name": f"{co} v. {g} ({i})", "docketNumber": f"1:{i}-cv-{i:05d}",
                                           "filedDate": when + dt.timedelta(days=5), "outcome": "dismissed"}, src),
            Entity(f"ru-{i}", "Ruling", {"name": f"Ruling {i}", "date": when + dt.timedelta(days=60)}, src),
        ]
        relations += [
            Relation("IN_JURISDICTION", f"c-{i}", country, {}, src),
            Relation("INVOLVES", f"c-{i}", g, {"role": "government"}, src),
            Relation("INVOLVES", f"c-{i}", pf, {"role": "platform"}, src),
            Relation("ON_PLATFORM", f"acc-{i}", pf, {}, src[:1]),
            Relation("MADE_BY", f"d-{i}", g, {}, src),
            Relation("ADDRESSED_TO", f"d-{i}", co, {}, src),
            Relation("TARGETS", f"d-{i}", f"acc-{i}", {}, src),
            Relation("CITES_LAW", f"d-{i}", f"law-{i % 40}", {}, src),
            Relation("IN_CONFLICT", f"d-{i}", f"c-{i}", {}, src),
            Relation("MADE_BY", f"r-{i}", co, {}, src[1:]),
            Relation("RESPONDS_TO", f"r-{i}", f"d-{i}", {}, src[1:]),
            Relation("IN_CONFLICT", f"r-{i}", f"c-{i}", {}, src),
            Relation("IN_CONFLICT", f"k-{i}", f"c-{i}", {}, src),
            Relation("HEARD_BY", f"k-{i}", f"court-{i % 40}", {}, src),
            Relation("INVOKES", f"k-{i}", f"doctrine-{i % 40}", {}, src),
            Relation("PARTY_TO", co, f"k-{i}", {"role": "plaintiff"}, src),
            Relation("PARTY_TO", g, f"k-{i}", {"role": "defendant"}, src),
            Relation("DECIDES", f"ru-{i}", f"k-{i}", {}, src),
            Relation("MADE_BY", f"ru-{i}", f"court-{i % 40}", {}, src),
            Relation("IN_CONFLICT", f"ru-{i}", f"c-{i}", {}, src),
        ]
    return entities, relations


PARAMS = {"conflict": "c-1", "body": "gov-1", "id": "gov-1", "text": "platform 1", "limit": 50}


def bench_queries(conflicts: int, repeat: int, rdflib_repeat: int, skip_rdflib: bool, rdflib_timeout: float) -> None:
    from graph.rdf import view as rdf
    from graph.sparql import examples as rdf_examples
    from graph.sparql.engine import Limits, dataset_from_records
    from graph.sparql.endpoint import Endpoint
    from graph.sparql.http import Server

    entities, relations = records(conflicts)
    work = Path(tempfile.mkdtemp(prefix="govplat-bench-"))
    nt = work / "data.nt"
    t0 = time.perf_counter()
    with open(nt, "wb") as fh:
        triples = rdf.write(entities, relations, "nt", fh)
    print(f"synthetic graph: {len(entities)} entities, {len(relations)} relations, {triples} triples "
          f"(N-Triples written in {time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    ep = Endpoint(lambda: dataset_from_records(entities, relations, named_graphs=False, spool=True),
                  Limits(timeout=600, max_rows=100_000, workers=2), processes=1)
    server = Server(ep, "127.0.0.1", 0).start()
    print(f"endpoint ready (pyoxigraph, 1 worker process) in {time.perf_counter() - t0:.1f} s")

    def http(text: str) -> int:
        req = urllib.request.Request(server.base_url + "/sparql", data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=600) as resp:
            return len(json.loads(resp.read())["results"]["bindings"])

    rdflib = None if skip_rdflib else _RdflibChild(nt, rdflib_timeout)
    print(f"\n{'query':28} {'rows':>6} {'oxigraph ms':>12} {'rdflib ms':>11} {'ratio':>8}")
    ratios, lower_bounds = [], []
    for ex in rdf_examples.examples():
        text = ex.bind({k: v for k, v in PARAMS.items() if k in ex.params})
        rows = http(text)  # warm
        ours = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            http(text)
            ours.append((time.perf_counter() - t0) * 1000)
        ox_ms = statistics.median(ours)
        line = f"{ex.name:28} {rows:>6} {ox_ms:>12.1f}"
        if rdflib is not None:
            outcome = rdflib.run(text, rdflib_repeat)
            if isinstance(outcome, str) and outcome.startswith("stopped"):
                floor = rdflib_timeout * 1000
                print(f"{line} {'>' + format(floor, '.0f'):>11} {'>' + format(floor / ox_ms, '.0f'):>7}x  (rdflib stopped)")
                lower_bounds.append(floor / ox_ms)
                continue
            if isinstance(outcome, str):
                print(f"{line}  (rdflib: {outcome})")
                continue
            rl_ms, their_rows = outcome
            ratios.append(rl_ms / ox_ms)
            line += f" {rl_ms:>11.1f} {rl_ms / ox_ms:>7.1f}x" + ("" if their_rows == rows else
                                                                 f"  (rdflib rows {their_rows})")
        print(line)
    if ratios:
        print(f"\nmedian speed-up {statistics.median(ratios):.1f}x, geometric mean "
              f"{statistics.geometric_mean(ratios):.1f}x, slowest ratio {min(ratios):.1f}x (target >= 10x)"
              + (f"; {len(lower_bounds)} rdflib queries stopped at the limit (ratio at least "
                 f"{min(lower_bounds):.0f}x)" if lower_bounds else ""))
    server.stop()
    ep.close()
    if rdflib is not None:
        rdflib.close()


RDFLIB_CHILD = r"""
import json, os, select, signal, statistics, sys, time
import rdflib
g = rdflib.Graph()
t0 = time.perf_counter()
g.parse(sys.argv[1], format="nt")
limit = float(sys.argv[2])
print(json.dumps({"loaded": len(g), "seconds": time.perf_counter() - t0}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    # Each query runs in a forked copy (the loaded graph is shared copy-on-write), so one past
    # the limit is killed without loading the data again.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            times, rows = [], 0
            for _ in range(req["repeat"]):
                t0 = time.perf_counter()
                rows = len(list(g.query(req["text"])))
                times.append((time.perf_counter() - t0) * 1000)
            out = {"ms": statistics.median(times), "rows": rows}
        except Exception as exc:
            out = {"error": f"{type(exc).__name__}: {str(exc)[:80]}"}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    ready, _, _ = select.select([r], [], [], limit * req["repeat"])
    if ready:
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        answer = json.loads(data)
    else:
        os.kill(pid, signal.SIGKILL)
        answer = {"error": f"stopped after {limit * req['repeat']:.0f} s"}
    os.waitpid(pid, 0)
    os.close(r)
    print(json.dumps(answer), flush=True)
"""


class _RdflibChild:
    """rdflib in a child process that loads the data once and runs each query in a fork of
    itself, so a query past ``timeout`` seconds is stopped."""

    def __init__(self, nt: Path, timeout: float):
        self.proc = subprocess.Popen([sys.executable, "-c", RDFLIB_CHILD, str(nt), str(timeout)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        print(f"rdflib loaded {info['loaded']} triples in {info['seconds']:.1f} s")

    def run(self, text: str, repeat: int):
        self.proc.stdin.write(json.dumps({"text": text, "repeat": repeat}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            return answer["error"]
        return answer["ms"], answer["rows"]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


EXPORT_CHILD = r"""
import resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[2])
from benchmarks.sparql import records
from graph.rdf import view as rdf
n = int(sys.argv[1])
STEP = 500  # records are made lazily, 500 conflicts at a time, as a store's dump hands them over
def chunk(start, count):
    es, rs = records(count, seed=start, offset=start)
    keep = ("c", "acc", "d", "r", "k", "ru", "src")
    return ([e for e in es if e.id.split("-")[0] in keep and "registry" not in e.id],
            [r for r in rs if r.type != "OPERATES"])
def entities():
    for start in range(0, n, STEP):
        yield from chunk(start, min(STEP, n - start))[0]
def relations():
    for start in range(0, n, STEP):
        yield from chunk(start, min(STEP, n - start))[1]
class Null:
    def write(self, b): pass
tracemalloc.start()
t0 = time.perf_counter()
count = rdf.write(entities(), relations(), "nt", Null())
seconds = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1]
print(count, seconds, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_export(conflicts: int) -> None:
    print("\nN-Triples export, streaming (fresh process each; the time includes making the synthetic records):")
    print(f"{'conflicts':>10} {'triples':>10} {'seconds':>8} {'triples/s':>10} {'py peak MiB':>12} {'RSS MiB':>8}")
    rows = []
    for n in (conflicts, 2 * conflicts):
        out = subprocess.run([sys.executable, "-c", EXPORT_CHILD, str(n), str(ROOT)], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout.split()
        count, seconds, peak, rss = int(out[0]), float(out[1]), int(out[2]), int(out[3])
        rows.append((count, peak, rss))
        print(f"{n:>10} {count:>10} {seconds:>8.1f} {count / seconds:>10.0f} {peak / 2**20:>12.1f} {rss / 1024:>8.0f}")
    (c1, p1, r1), (c2, p2, r2) = rows
    print(f"doubling the graph ({c2 / c1:.2f}x triples): Python peak x{p2 / p1:.2f}, RSS x{r2 / r1:.2f} "
          "(target: flat, ~1.0)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conflicts", type=int, default=5000, help="synthetic conflicts (~230 triples each)")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per query on our endpoint")
    ap.add_argument("--rdflib-repeat", type=int, default=3, help="timed runs per query on rdflib")
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--rdflib-timeout", type=float, default=120, help="seconds per rdflib query before it is stopped")
    ap.add_argument("--skip-export", action="store_true")
    ap.add_argument("--skip-queries", action="store_true")
    args = ap.parse_args()
    if not args.skip_queries:
        bench_queries(args.conflicts, args.repeat, args.rdflib_repeat, args.skip_rdflib, args.rdflib_timeout)
    if not args.skip_export:
        bench_export(args.conflicts)


if __name__ == "__main__":
    main()
