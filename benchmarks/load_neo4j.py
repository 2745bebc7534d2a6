"""Load a synthetic conflict graph into a real Neo4j: our batched path vs one transaction per
record (the naive baseline), and the embedded store on the same data, in one run.

    .venv/bin/python -m benchmarks.load_neo4j [--entities 100000] [--relations 300000]

Neo4j comes from NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD or is started by tools/neo4j/server.
The naive baseline runs on a sample (--naive-sample records) and is compared per record,
because one transaction per record for 400k records would take most of an hour.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from graph.synthetic import records
from graph.model import entity_uri
from graph.stores.embedded import EmbeddedStore
from graph.stores.neo4j import Neo4jStore


def batched(store, entities, relations, batch: int) -> float:
    """Our path, batched the way ingest batches: each upsert holds a slice of the entities and
    the relations whose later end is in that slice (a source emits a record with its links)."""
    position = {e.id: i for i, e in enumerate(entities)}
    rels_by_batch: dict[int, list] = {}
    for r in relations:
        rels_by_batch.setdefault(max(position[r.src], position[r.dst]) // batch, []).append(r)
    t = time.perf_counter()
    for i in range(0, len(entities), batch):
        store.upsert(entities[i:i + batch], rels_by_batch.get(i // batch, []))
    return time.perf_counter() - t


def naive(store: Neo4jStore, entities, relations) -> float:
    """One auto-commit transaction per record, the way a simple script would write."""
    t = time.perf_counter()
    with store._driver.session(database=store.database) as s:
        for e in entities:
            labels = ":".join(f"`{l}`" for l in store.labels(e.cls))
            s.run(f"MERGE (n:Entity {{id: $id}}) SET n:{labels}, n += $props, n.sources = $sources, n.uri = $uri",
                  id=e.id, props=e.props, sources=e.sources, uri=entity_uri(e.id)).consume()
        for r in relations:
            s.run(f"MATCH (a:Entity {{id: $f}}) MATCH (b:Entity {{id: $t}}) MERGE (a)-[e:`{r.type}`]->(b) "
                  "SET e.sources = $sources", f=r.src, t=r.dst, sources=r.sources).consume()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=300_000)
    ap.add_argument("--batch", type=int, default=5000, help="entities per transaction (with their relations)")
    ap.add_argument("--naive-sample", type=int, default=4000,
                    help="about this many records written one per transaction (half relations, plus their ends)")
    args = ap.parse_args()

    from tests.neo4j_server import ensure_neo4j

    cfg = ensure_neo4j()
    entities, relations = records(args.entities, args.relations, seed=1)
    n = len(entities) + len(relations)
    print(f"synthetic graph: {len(entities):,} entities, {len(relations):,} relations")

    store = Neo4jStore(cfg["uri"], cfg["user"], cfg["password"])
    store.wipe()
    t_ours = batched(store, entities, relations, args.batch)
    counts = store.counts()
    assert sum(counts["entities"].values()) == len(entities), counts
    assert sum(counts["relations"].values()) == len(relations), counts
    print(f"neo4j, batched UNWIND/MERGE ({args.batch:,} entities + their relations per tx): {t_ours:8.1f} s  "
          f"{len(relations) / t_ours:10,.0f} relations/s  {n / t_ours:10,.0f} records/s")

    store.wipe()
    # The naive sample: the first relations and exactly the entities they join, so the
    # relation writes of the baseline are real ones (endpoints present, hubs included).
    sample_r = relations[:args.naive_sample // 2]
    ends = {r.src for r in sample_r} | {r.dst for r in sample_r}
    sample_e = [e for e in entities if e.id in ends]
    t_naive = naive(store, sample_e, sample_r)
    per_naive = t_naive / (len(sample_e) + len(sample_r))
    print(f"neo4j, one transaction per record (sample: {len(sample_e):,} entities + {len(sample_r):,} relations): "
          f"{t_naive:8.1f} s  {1 / per_naive:10,.0f} records/s  -> {per_naive * n:8.0f} s projected for all")
    print(f"speed-up of the batched path: {per_naive * n / t_ours:6.1f}x  (target >= 20x; 100k/300k under 60 s)")
    store.wipe()
    store.close()

    with tempfile.TemporaryDirectory() as tmp:
        emb = EmbeddedStore(Path(tmp) / "graph.lbdb")
        t_emb = batched(emb, entities, relations, args.batch)
        emb.close()
    print(f"embedded (Ladybug), same batched path: {t_emb:8.1f} s  {len(relations) / t_emb:10,.0f} relations/s  "
          f"ratio neo4j/embedded {t_ours / t_emb:4.2f}")


if __name__ == "__main__":
    main()
