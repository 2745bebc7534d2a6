"""First loads of a big synthetic graph, in one run: neo4j-admin's bulk importer (CSV writing
included) vs our transactional path into Neo4j (on a sample, projected to the full size), and the
embedded store's bulk path (staged rows, COPY FROM) vs its transactional path (on a sample).

    .venv/bin/python -m benchmarks.bulk_load [--entities 1000000] [--relations 3000000] [--sample 30000]

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
from graph.stores.bulk import BulkStore
from graph.stores.embedded import EmbeddedStore
from graph.synthetic import records

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--relations", type=int, default=3_000_000)
    ap.add_argument("--sample", type=int, default=30_000, help="relations in the transactional samples")
    ap.add_argument("--batch", type=int, default=5000, help="entities per transaction on the transactional paths")
    ap.add_argument("--skip-neo4j", action="store_true", help="only the embedded store")
    args = ap.parse_args()

    t = time.perf_counter()
    entities, relations = records(args.entities, args.relations, seed=1)
    n = len(relations)
    print(f"synthetic graph: {len(entities):,} entities, {n:,} relations ({time.perf_counter() - t:.0f} s to make)",
          flush=True)
    s_entities, s_relations = sample_of(entities, relations, args.sample)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="govplat-bulk-") as tmp:
        work = Path(tmp)
        # Embedded: the bulk path on everything, the transactional path on the sample.
        store = BulkStore(EmbeddedStore(work / "bulk" / "graph.lbdb"))
        t = time.perf_counter()
        batched(store, entities, relations, args.batch)
        staged = time.perf_counter() - t
        store.flush()
        bulk_s = time.perf_counter() - t
        assert sum(store.counts()["relations"].values()) == n
        store.close()
        rates["embedded bulk (COPY FROM)"] = n / bulk_s
        print(f"embedded, bulk path:           {bulk_s:8.1f} s ({staged:.0f} s checking and staging)  "
              f"{n / bulk_s:10,.0f} relations/s", flush=True)
        store = EmbeddedStore(work / "tx" / "graph.lbdb")
        tx_s = batched(store, s_entities, s_relations, args.batch)
        store.close()
        rates["embedded transactional (sample)"] = len(s_relations) / tx_s
        print(f"embedded, transactional:       {tx_s:8.1f} s for {len(s_relations):,} relations  "
              f"{len(s_relations) / tx_s:10,.0f} relations/s  (projected {n / rates['embedded transactional (sample)']:,.0f} s)",
              flush=True)
        if not args.skip_neo4j:
            csv_s, import_s = neo4j_admin(entities, relations, work / "neo4j-admin")
            rates["neo4j-admin import (CSV included)"] = n / (csv_s + import_s)
            print(f"neo4j-admin import:            {csv_s + import_s:8.1f} s ({csv_s:.0f} s writing CSV, "
                  f"{import_s:.0f} s importing)  {rates['neo4j-admin import (CSV included)']:10,.0f} relations/s",
                  flush=True)
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
    print(f"  embedded bulk / embedded transactional: "
          f"{rates['embedded bulk (COPY FROM)'] / rates['embedded transactional (sample)']:.1f}x")
    if not args.skip_neo4j:
        print(f"  neo4j-admin / neo4j transactional:      "
              f"{rates['neo4j-admin import (CSV included)'] / rates['neo4j transactional (sample)']:.1f}x")
        print(f"  embedded bulk / neo4j-admin:            "
              f"{rates['embedded bulk (COPY FROM)'] / rates['neo4j-admin import (CSV included)']:.2f}x")


if __name__ == "__main__":
    main()
