"""Ingest every bulk source's files from ../shared/data into a fresh embedded store and print
rows/s per source and the total time, against a plain parse of the same files in the same run.

    .venv/bin/python benchmarks/ingest_sources.py [--data DIR] [--sources a,b] [--no-store] [--bulk]

With --bulk the same files also go into a second fresh store through the bulk path (graph/stores/
bulk.py: staged Arrow batches, COPY FROM), in the same run, and the ratio of the two totals is
printed, of ingest wall time and of CPU time (every thread of the process; less sensitive to what
else the machine runs). In both runs every source is ingested with ``stamp=False``, then the valid
time is stamped and the store flushed once at the end, as ``govplat ingest --detect`` does. The
ingest time is the sources, the stamp and the flush; the plain parse of each file (the baseline)
runs in the same loop but is timed apart and left out of it.

Which source reads which file is decided by ``ingest.detect.detect_paths`` (each source's
``detect()`` or YAML signatures), so the other bulk sources are included when present
(``ingest.run.available_sources()``). "Rows" are the data rows a source reports per file
(``notes["files"]``) where it does, else the rows the plain parse counts; "records" are the
entities and relations the source emitted. The baseline reads the same files with the
standard library only (csv.reader / json.load / reading text), so the ratio says what
checking, mapping, SHACL and the store cost on top of reading. The machine's load is printed
too: on a shared machine wall time varies, CPU time less.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def plain_parse(path: Path) -> int:
    """Rows of a file read with the standard library only (an XLSX workbook with openpyxl, the
    reader govplat uses; a Markdown or PDF notice counts as one record)."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return sum(sum(1 for r in ws.iter_rows(min_row=2, values_only=True)
                           if any(c is not None and str(c).strip() for c in r)) for ws in wb.worksheets)
        finally:
            wb.close()
    if path.suffix.lower() in (".md", ".pdf"):
        return 1
    raw = path.read_bytes()
    if path.suffix.lower() == ".json":
        data = json.loads(raw.decode("utf-8-sig"))
        return len(data) if isinstance(data, list) else sum(len(v) for v in data.values() if isinstance(v, list)) \
            if isinstance(data, dict) else 1
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return sum(1 for r in rows[1:] if any(c.strip() for c in r))
    return text.count("\n") + 1


def _ingest_all(args, sources, plan, wanted, store) -> tuple[float, float]:
    """Every wanted source's files into ``store``, a row per source, then the valid-time stamp and
    the flush once; the wall time and the CPU time (of every thread of this process) of the ingest,
    the plain parse left out."""
    from ingest.run import run_source

    header = (f"{'source':24} {'files':>5} {'rows':>8} {'records':>8} {'rejected':>8} {'ingest s':>9} {'cpu s':>7} "
              f"{'rows/s':>8} {'rec/s':>7} {'parse s':>8} {'parse rows/s':>12} {'ratio':>7}")
    print(header)
    print("-" * len(header))
    totals = {"rows": 0, "records": 0, "ingest": 0.0, "parse": 0.0, "cpu": 0.0}
    start = time.perf_counter()
    try:
        for name in sorted(wanted & set(plan.files)):
            files = plan.files[name]
            t0 = time.perf_counter()
            parsed = sum(plain_parse(f) for f in files)
            parse = time.perf_counter() - t0
            c0, t0 = time.process_time(), time.perf_counter()
            counters = run_source(sources[name], store, files, check_only=args.no_store, stamp=False)
            ingest, cpu = time.perf_counter() - t0, time.process_time() - c0
            # Rows as the source counted them (tabular sources report them per file), else as parsed.
            reported = (getattr(counters, "notes", None) or {}).get("files")
            rows = parsed
            if isinstance(reported, dict) and reported and all(isinstance(v, dict) and "rows" in v
                                                                for v in reported.values()):
                rows = sum(v["rows"] for v in reported.values()) or parsed
            totals["rows"] += rows
            totals["records"] += counters.read
            totals["ingest"] += ingest
            totals["parse"] += parse
            totals["cpu"] += cpu
            print(f"{name:24} {len(files):>5} {rows:>8} {counters.read:>8} {counters.rejected:>8} {ingest:>9.1f} "
                  f"{cpu:>7.1f} {rows / ingest:>8.0f} {counters.read / ingest:>7.0f} {parse:>8.2f} {parsed / max(parse, 1e-9):>12.0f} "
                  f"{ingest / max(parse, 1e-9):>6.0f}x", flush=True)
        if store is not None:
            from graph.valid_time import stamp

            c0, t0 = time.process_time(), time.perf_counter()
            stamp(store)
            stamped, c1 = time.perf_counter() - t0, time.process_time()
            store.flush()
            end, cpu = time.perf_counter() - t0, time.process_time() - c0
            totals["ingest"] += end
            totals["cpu"] += cpu
            print(f"{'(valid time, flush)':24} {'':>5} {'':>8} {'':>8} {'':>8} {end:>9.1f} {cpu:>7.1f}"
                  f"  valid time {stamped:.1f} s (CPU {c1 - c0:.1f} s), flush {end - stamped:.1f} s "
                  f"(CPU {time.process_time() - c1:.1f} s)", flush=True)
    finally:
        if store is not None:
            store.close()
    wall, cpu_all = totals["ingest"], totals["cpu"]
    print("-" * len(header))
    print(f"{'total':24} {'':>5} {totals['rows']:>8} {'':>8} {'':>8} {totals['ingest']:>9.1f} {'':>7} "
          f"{totals['rows'] / max(totals['ingest'], 1e-9):>8.0f} {totals['records'] / max(totals['ingest'], 1e-9):>7.0f} "
          f"{totals['parse']:>8.2f} {'':>12} "
          f"{totals['ingest'] / max(totals['parse'], 1e-9):>6.0f}x")
    print(f"ingest wall time {wall:.1f} s (target: under 120 s), CPU time {cpu_all:.1f} s; plain parse of the "
          f"same files {totals['parse']:.1f} s (not counted); whole run {time.perf_counter() - start:.1f} s; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    return wall, cpu_all


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("GOVPLAT_SHARED_DATA", ROOT.parent / "shared" / "data")))
    ap.add_argument("--sources", help="comma-separated source names (default: every source with files)")
    ap.add_argument("--no-store", action="store_true", help="validate only (SHACL), write nothing")
    ap.add_argument("--bulk", action="store_true",
                    help="also ingest through the bulk path into a second fresh store and compare")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 2

    home = Path(tempfile.mkdtemp(prefix="govplat-bench-"))
    os.environ["GOVPLAT_HOME"] = str(home)
    os.environ["GOVPLAT_STORE"] = "embedded"
    from ingest.detect import detect_paths
    from ingest.run import available_sources

    sources = {n: s for n, s in available_sources().items() if not s.bundled}
    plan = detect_paths([args.data], sources)
    wanted = set(args.sources.split(",")) if args.sources else set(plan.files)
    print(f"data: {args.data}   store: {'none (--no-store)' if args.no_store else home}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if plan.unrecognised:
        print(f"files no source claims: {len(plan.unrecognised)} (e.g. {plan.unrecognised[0].relative_to(args.data)})")
    if plan.ambiguous:
        print(f"files several sources claim: {len(plan.ambiguous)}")

    modes = ["transactional", "bulk"] if args.bulk and not args.no_store else ["transactional"]
    walls, cpus = {}, {}
    for mode in modes:
        store = None
        if not args.no_store:
            from graph.stores.embedded import EmbeddedStore
            store = EmbeddedStore(home / mode / "bench.lbug")
            if mode == "bulk":
                from graph.stores.bulk import BulkStore
                store = BulkStore(store)
        print(f"\n{mode} path{' (staging; written at the end)' if mode == 'bulk' else ''}")
        walls[mode], cpus[mode] = _ingest_all(args, sources, plan, wanted, store)
    if len(walls) == 2:
        print(f"\nbulk / transactional, ingest of all files into a fresh store: {walls['transactional'] / walls['bulk']:.1f}x "
              f"faster ({walls['transactional']:.1f} s vs {walls['bulk']:.1f} s; target >= 5x); "
              f"CPU time {cpus['transactional'] / cpus['bulk']:.1f}x less ({cpus['transactional']:.1f} s vs "
              f"{cpus['bulk']:.1f} s); load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
