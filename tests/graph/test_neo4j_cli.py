"""The CLI against a real Neo4j: ingest, stats, a crash mid-ingest and its recovery."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import GOVPLAT, ROOT, cli_json, run_cli

pytestmark = pytest.mark.neo4j


def _dump(store):
    entities, relations = store.dump()
    return sorted(repr((e.id, e.cls, sorted(e.props.items()), e.sources)) for e in entities), \
        sorted(repr((r.type, r.src, r.dst, sorted(r.props.items()), r.sources)) for r in relations)


def test_ingest_and_every_named_query_through_the_cli(neo4j_store, neo4j_env):
    code, doc = cli_json("ingest", env=neo4j_env)
    assert doc["store"] == "neo4j"
    code, stats = cli_json("stats", env=neo4j_env)
    assert stats["conflicts"] >= 1 and stats["total_relations"] > 0
    from graph.queries import registry

    absent = {c for c in ("RequestStatistic",) if not stats["entities"].get(c)}
    for q in registry():
        params = [f"{p.name}={p.example}" for p in q.params if p.example is not None]
        args = ["query", q.name, *sum((["-p", x] for x in params), [])]
        if absent & set(q.needs):  # the bundled data has no transparency figures: said on stderr
            proc = run_cli(*args, "--json", env=neo4j_env)
            assert proc.returncode == 1 and "RequestStatistic records and the store has none" in proc.stderr, q.name
            continue
        code, out = cli_json(*args, env=neo4j_env)
        assert code == 0 and "rows" in out, (q.name, out)
    code, out = cli_json("cypher", "MATCH ()-[r]->() WHERE r.sources IS NULL OR size(r.sources) = 0 "
                                   "RETURN count(r) AS n", env=neo4j_env)
    assert out["rows"] == [{"n": 0}]


def test_a_killed_ingest_then_a_rerun_equals_a_clean_run(neo4j_store, neo4j_env):
    from ingest.run import available_sources, run_source

    run_source(available_sources()["cases"], neo4j_store)
    clean = _dump(neo4j_store)
    neo4j_store.wipe()

    env = {**os.environ, **neo4j_env, "GOVPLAT_BATCH_SIZE": "25"}
    proc = subprocess.Popen([*GOVPLAT, "ingest", "cases"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if sum(neo4j_store.counts()["entities"].values()) > 50:
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = sum(neo4j_store.counts()["entities"].values())
    assert killed and 0 < partial < len(clean[0]), "the ingest was not interrupted part-way"

    run_source(available_sources()["cases"], neo4j_store)
    assert _dump(neo4j_store) == clean


def test_wrong_password_gives_one_clear_message_and_non_zero_exit(neo4j_server):
    proc = run_cli("stats", env={"GOVPLAT_STORE": "neo4j", "NEO4J_URI": neo4j_server["uri"],
                                 "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "definitely-wrong"})
    assert proc.returncode != 0
    assert neo4j_server["uri"] in proc.stderr and "Traceback" not in proc.stderr
