"""First loads of a big synthetic graph, in one run: neo4j-admin's bulk importer (CSV writing
included) vs our transactional path into Neo4j (on a sample, projected to the full size), and the
embedded store's table path (graph.stores.bulk.load_tables: every row checked column-wise, then
one COPY FROM per table) vs its record paths on a sample: records through Store.upsert, staged
and COPY-loaded (BulkStore, what `govplat ingest --bulk` does) and transactional.

    .venv/bin/python -m benchmarks.bulk_load [--entities 1000000] [--relations 3000000] [--sample 30000]
                                             [--skip-neo4j | --skip-embedded]

neo4j-admin runs through `tools/neo4j/server import` (its own run dir; the Neo4j it starts on the
imported database is checked for the counts, then stopped); the transactional Neo4j sample uses
the Neo4j of tests/neo4j_server.py (NEO4J_URI, or one it starts). Figures are relations per
second; a projection is the sample's rate applied to the full size.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.load_neo4j import batched
from graph.neo4j_import import write_import_dir
from graph.stores.bulk import BulkStore, copy_tables
from graph.stores.embedded import EmbeddedStore
from graph.stores.table_checks import check_tables
from graph.synthetic import records_of, tables

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tools" / "neo4j" / "server"


def sample_of(entities, relations, n_relations: int):
    """The first relations and exactly the entities they join (plus nothing else)."""
    rels = relations[:n_relations]
    ends = {r.src for r in rels} | {r.dst for r in rels}
    return [e for e in entities if e.id in ends], rels


def neo4j_admin(entities, relations, work: Path) -> tuple[float, float]:
    """(seconds writing the CSV files, seconds of neo4j-admin import) for the whole graph."""
    t = time.perf_counter()
    write_import_dir(entities, relations, work / "files")
    csv_s = time.perf_counter() - t
    run = work / "run"
    env = {**os.environ, "GOVPLAT_NEO4J_RUN": str(run)}
    t = time.perf_counter()
    proc = subprocess.run([str(SERVER), "import", str(work / "files")], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    try:
        if proc.returncode != 0:
            raise SystemExit(f"tools/neo4j/server import failed:\n{proc.stderr[-3000:]}")
        found = re.search(r"imported .* in (\d+) s", proc.stderr)
        import_s = float(found.group(1)) if found else wall
        from graph.stores.neo4j import Neo4jStore

        with Neo4jStore(proc.stdout.strip().splitlines()[-1], "neo4j", (run / "password").read_text().strip()) as neo:
            counts = neo.counts()
        assert sum(counts["relations"].values()) == len(relations), counts
    finally:
        subprocess.run([str(SERVER), "stop"], env=env, capture_output=True)
    return csv_s, import_s


def load_average() -> str:
    return f"(load {os.getloadavg()[0]:.1f})"


def embedded_table_path(t, path: Path) -> tuple[float, float, float]:
    """(seconds checking, seconds COPYing, CPU seconds of both) of the table path into a fresh
    store. CPU time (all threads) says what a loaded machine's wall time hides."""
    store = EmbeddedStore(path)
    try:
        t0, cpu = time.perf_counter(), time.process_time()
        entities, relations = check_tables(t.entities, t.relations, "synthetic graph")
        check_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        copy_tables(store, entities, relations)
        copy_s = time.perf_counter() - t0
        cpu = time.process_time() - cpu
        assert sum(store.counts()["relations"].values()) == t.n_relations
    finally:
        store.close()
    return check_s, copy_s, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--relations", type=int, default=3_000_000)
    ap.add_argument("--sample", type=int, default=30_000, help="relations in the record paths' samples")
    ap.add_argument("--batch", type=int, default=5000, help="entities per transaction on the transactional paths")
    ap.add_argument("--skip-neo4j", action="store_true", help="only the embedded store")
    ap.add_argument("--skip-embedded", action="store_true", help="only Neo4j (neo4j-admin import and transactional)")
    args = ap.parse_args()

    t = time.perf_counter()
    graph = tables(args.entities, args.relations, seed=1)
    n = graph.n_relations
    print(f"synthetic graph: {graph.n_entities:,} entities, {n:,} relations as tables "
          f"({time.perf_counter() - t:.0f} s to make) {load_average()}", flush=True)
    # The record paths' sample: a graph of the same shape with args.sample relations, as records.
    s_entities, s_relations = records_of(tables(max(10, args.sample // 3), args.sample, seed=1))
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="govplat-bulk-") as tmp:
        work = Path(tmp)
        if not args.skip_embedded:
            # Embedded: the table path on everything, the record paths on the sample.
            check_s, copy_s, cpu_s = embedded_table_path(graph, work / "tables" / "graph.lbdb")
            table_s = check_s + copy_s
            rates["embedded table path"] = n / table_s
            print(f"embedded, table path:          {table_s:8.1f} s ({check_s:.1f} s checking, {copy_s:.1f} s COPY; "
                  f"{cpu_s:.1f} s CPU)  {n / table_s:10,.0f} relations/s {load_average()}", flush=True)
            store = BulkStore(EmbeddedStore(work / "bulk" / "graph.lbdb"))
            t = time.perf_counter()
            batched(store, s_entities, s_relations, args.batch)
            store.flush()
            bulk_s = time.perf_counter() - t
            store.close()
            rates["embedded records, staged + COPY (sample)"] = len(s_relations) / bulk_s
            print(f"embedded, records staged+COPY: {bulk_s:8.1f} s for {len(s_relations):,} relations  "
                  f"{len(s_relations) / bulk_s:10,.0f} relations/s {load_average()}", flush=True)
            store = EmbeddedStore(work / "tx" / "graph.lbdb")
            tx_s = batched(store, s_entities, s_relations, args.batch)
            store.close()
            rates["embedded transactional (sample)"] = len(s_relations) / tx_s
            print(f"embedded, transactional:       {tx_s:8.1f} s for {len(s_relations):,} relations  "
                  f"{len(s_relations) / tx_s:10,.0f} relations/s  "
                  f"(projected {n / rates['embedded transactional (sample)']:,.0f} s) "
                  f"{load_average()}", flush=True)
        if not args.skip_neo4j:
            entities, relations = records_of(graph)
            s_entities, s_relations = sample_of(entities, relations, args.sample)
            csv_s, import_s = neo4j_admin(entities, relations, work / "neo4j-admin")
            rates["neo4j-admin import (CSV included)"] = n / (csv_s + import_s)
            print(f"neo4j-admin import:            {csv_s + import_s:8.1f} s ({csv_s:.1f} s writing CSV, "
                  f"{import_s:.0f} s importing)  {rates['neo4j-admin import (CSV included)']:10,.0f} relations/s "
                  f"{load_average()}", flush=True)
            from graph.stores.neo4j import Neo4jStore
            from tests.neo4j_server import ensure_neo4j

            cfg = ensure_neo4j()
            with Neo4jStore(cfg["uri"], cfg["user"], cfg["password"]) as neo:
                neo.wipe()
                neo_s = batched(neo, s_entities, s_relations, args.batch)
                neo.wipe()
            rates["neo4j transactional (sample)"] = len(s_relations) / neo_s
            print(f"neo4j, transactional:          {neo_s:8.1f} s for {len(s_relations):,} relations  "
                  f"{rates['neo4j transactional (sample)']:10,.0f} relations/s  "
                  f"(projected {n / rates['neo4j transactional (sample)']:,.0f} s)", flush=True)
    print("ratios (relations/s):")
    if not args.skip_embedded:
        print(f"  embedded table path / embedded transactional: "
              f"{rates['embedded table path'] / rates['embedded transactional (sample)']:.1f}x")
        print(f"  embedded table path / records staged+COPY:    "
              f"{rates['embedded table path'] / rates['embedded records, staged + COPY (sample)']:.1f}x")
    if not args.skip_neo4j:
        print(f"  neo4j-admin / neo4j transactional:      "
              f"{rates['neo4j-admin import (CSV included)'] / rates['neo4j transactional (sample)']:.1f}x")
    if not (args.skip_neo4j or args.skip_embedded):
        print(f"  embedded bulk / neo4j-admin:            "
              f"{rates['embedded table path'] / rates['neo4j-admin import (CSV included)']:.2f}x")


if __name__ == "__main__":
    main()
