"""Peak memory and time of `govplat export` (every format) on a big synthetic graph in the
embedded store: the export streams (the store is read in pages, records are written as they
come), so peak RSS should stay flat as the graph grows; the ratios show how far it does.

    .venv/bin/python -m benchmarks.export_memory [--relations 1000000 3000000] [--formats nt nq ...]

For each size, the synthetic graph (graph/synthetic.py, about one entity per three relations)
is made column-wise and loaded once with COPY FROM into a store under --work (kept for the next run), then
each format is exported by a `govplat export` process of its own, whose peak RSS
(VmHWM), wall time, CPU time and the machine's load average (other processes slow the wall time, not the
memory) are printed. Ladybug's own fixed cost (~260 MB for the ontology's tables, whatever
the size of the graph) is part of every figure; the rest is the dump's buffer pool
(GOVPLAT_DUMP_BUFFER_POOL_MB) and one page of rows (GOVPLAT_DUMP_PAGE_ROWS).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["nt", "nq", "ttl", "trig", "jsonld", "neo4j-import"]


def build(home: Path, n_relations: int) -> None:
    """The synthetic graph into an empty embedded store at ``home``, column-wise with COPY FROM."""
    from graph.stores.embedded import EmbeddedStore
    from graph.synthetic import load, tables

    t = time.perf_counter()
    graph = tables(n_relations // 3, n_relations, seed=1)
    print(f"  generated {graph.n_entities:,} entities, {graph.n_relations:,} relations in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    with EmbeddedStore(home / "graph.lbdb") as store:
        load(store, graph)
    del graph
    (home / "complete").write_text(str(n_relations))
    print(f"  loaded (COPY FROM) in {time.perf_counter() - t:.0f} s", flush=True)


def export(home: Path, fmt: str, out: Path, discard: bool = False) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MB) of one `govplat export` process; with ``discard``
    an RDF export goes to standard output, into /dev/null (10M relations are 17-62 GB of RDF)."""
    env = {**os.environ, "GOVPLAT_HOME": str(home), "GOVPLAT_STORE": "embedded"}
    target = out / f"export-{fmt}"
    shutil.rmtree(target, ignore_errors=True)
    if fmt != "neo4j-import":
        target = target.with_suffix("." + fmt)
    to_file = not (discard and fmt != "neo4j-import")
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "export", "-f", fmt,
                             *(["-o", str(target)] if to_file else [])],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # VmHWM, the process's own high-water mark (getrusage of a child would count this process's
    # size at the fork), read until it exits.
    # Its CPU time (wait4's rusage of that one child) says what it cost whatever the load.
    peak_kb = 0
    while True:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peak_kb = max(peak_kb, int(status.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(code)
    if proc.returncode != 0:
        raise SystemExit(f"export -f {fmt} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    if target.is_dir():
        shutil.rmtree(target)
    elif to_file:
        target.unlink()
    return seconds, usage.ru_utime + usage.ru_stime, peak_kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, nargs="+", default=[1_000_000, 3_000_000])
    ap.add_argument("--formats", nargs="+", default=FORMATS, choices=FORMATS)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "govplat-export-memory",
                    help="where the synthetic stores are kept between runs")
    ap.add_argument("--discard", action="store_true",
                    help="write RDF to /dev/null instead of a file under --work (nq of 10M relations is ~62 GB)")
    args = ap.parse_args()
    results: dict[int, dict[str, tuple[float, float]]] = {}
    for n in args.relations:
        home = args.work / f"r{n}"
        print(f"{n:,} relations", flush=True)
        if not (home / "complete").exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            build(home, n)
        results[n] = {}
        for fmt in args.formats:
            seconds, cpu, mb = export(home, fmt, args.work, args.discard)
            results[n][fmt] = (seconds, mb)
            print(f"  export -f {fmt:<13} {seconds:7.1f} s ({cpu:6.1f} s CPU)  {n / seconds:10,.0f} relations/s  "
                  f"peak RSS {mb:6.0f} MB  (load average {os.getloadavg()[0]:.1f})", flush=True)
    if len(results) > 1:
        small, big = min(results), max(results)
        print(f"peak RSS ratio {big:,} / {small:,} relations (flat is 1.0):")
        for fmt in args.formats:
            print(f"  {fmt:<13} {results[big][fmt][1] / results[small][fmt][1]:.2f}   "
                  f"time ratio {results[big][fmt][0] / results[small][fmt][0]:.2f}")


if __name__ == "__main__":
    main()
