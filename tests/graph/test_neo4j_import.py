"""A first load through neo4j-admin's bulk importer (the real one, from Maven Central) gives
the same graph and the same answers as the embedded store it was exported from."""
from __future__ import annotations

import os
import subprocess

import pytest

from graph.neo4j_import import write_import_dir
from graph.queries import registry
from tests.conftest import ROOT
from tests.graph.test_neo4j_parity import _dump, _example_params, _rows

pytestmark = pytest.mark.neo4j
SERVER = ROOT / "tools" / "neo4j" / "server"


@pytest.fixture(scope="module")
def imported(tmp_path_factory, bundled_home, neo4j_server):
    """The bundled store exported as import files and loaded by `tools/neo4j/server import`
    into a second Neo4j (its own run dir and port); yields (embedded, imported) stores."""
    from graph.stores.embedded import EmbeddedStore
    from graph.stores.neo4j import Neo4jStore

    emb = EmbeddedStore(bundled_home / "graph.lbdb", read_only=True)
    out = tmp_path_factory.mktemp("neo4j-import") / "files"
    entities, relations = emb.dump()
    counts = write_import_dir(entities, relations, out)
    assert (out / "import.args").exists() and counts
    run = tmp_path_factory.mktemp("neo4j-import-run")
    env = {**os.environ, "GOVPLAT_NEO4J_RUN": str(run)}
    proc = subprocess.run([str(SERVER), "import", str(out)], capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    uri = proc.stdout.strip().splitlines()[-1]
    neo = Neo4jStore(uri, "neo4j", (run / "password").read_text().strip())
    try:
        yield emb, neo
    finally:
        neo.close()
        emb.close()
        subprocess.run([str(SERVER), "stop"], env=env, capture_output=True, timeout=120)


def test_imported_graph_equals_its_source(imported):
    emb, neo = imported
    assert emb.counts() == neo.counts()
    assert _dump(emb) == _dump(neo)


def test_every_named_query_answers_the_same_after_import(imported):
    emb, neo = imported
    differ = []
    for q in registry():
        params = _example_params(q)
        a, b = emb.run_named(q.name, params), neo.run_named(q.name, params)
        if a.columns != b.columns or _rows(a) != _rows(b):
            differ.append(q.name)
    assert differ == []


def test_import_folder_must_be_new(tmp_path):
    (tmp_path / "old.csv").write_text("x")
    from graph.errors import GovplatError

    with pytest.raises(GovplatError, match="not empty"):
        write_import_dir([], [], tmp_path)
