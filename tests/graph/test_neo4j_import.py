"""A first load through neo4j-admin's bulk importer (the real one, from Maven Central) gives
the same graph and the same answers as the embedded store it was exported from."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from graph.neo4j_import import ARRAY_DELIMITER, write_import_dir
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


def _conflict(id_: str, **props):
    from graph.model import Entity

    return Entity(id_, "Conflict", {"name": id_, **props}, ["src-1"])


def test_only_files_with_a_line_break_in_a_value_are_read_as_multi_line(tmp_path):
    import csv

    from graph.model import Entity, Relation

    entities = [_conflict("c1", description="first line\nsecond line"), _conflict("c2"),
                Entity("src-1", "Source", {"title": "A report"}, ["src-1"])]
    write_import_dir(entities, [Relation("CITES", "c1", "src-1", {}, ["src-1"])], tmp_path)
    args = (tmp_path / "import.args").read_text(encoding="utf-8").splitlines()
    assert "--multiline-fields-format=v2" in args and "--multiline-fields=nodes-Conflict.csv" in args
    with open(tmp_path / "nodes-Conflict.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["description:string"] for r in rows] == ["first line\nsecond line", ""]
    write_import_dir(entities[1:], [], tmp_path / "plain")
    assert not any(a.startswith("--multiline") for a in (tmp_path / "plain" / "import.args").read_text().splitlines())


@pytest.mark.parametrize("entity, relation, message", [
    (_conflict("c1", name="a\x1fb"), None, "c1: name holds U+001F"),
    (_conflict("c1"), ("c1", ["src-1", "src\x1f2"]), "c1 CITES src-1: sources holds U+001F"),
    (_conflict("c1", startDate="spring"), None, "c1: startDate is 'spring', not a date"),
])
def test_a_bad_value_names_its_record_and_field_and_leaves_no_files(tmp_path, entity, relation, message):
    from graph.errors import GovplatError
    from graph.model import Entity, Relation

    entities = [entity, Entity("src-1", "Source", {"title": "A report"}, ["src-1"])]
    relations = [Relation("CITES", relation[0], "src-1", {}, relation[1])] if relation else []
    with pytest.raises(GovplatError, match=re.escape(message)):
        write_import_dir(entities, relations, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_every_record_is_one_row_holding_its_values(tmp_path):
    """Several thousand records, so files are written in several pieces."""
    import csv

    from graph.synthetic import records

    entities, relations = records(1500, 4500, seed=3)
    counts = write_import_dir(iter(entities), iter(relations), tmp_path)
    assert sum(counts.values()) == len(entities) + len(relations)
    nodes, rels = {}, []
    for name in counts:
        with open(tmp_path / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                sources = row["sources:string[]"].split(ARRAY_DELIMITER)
                if name.startswith("nodes-"):
                    nodes[row["id:ID"]] = (row[":LABEL"].split(ARRAY_DELIMITER)[0], row["name:string"], sources)
                else:
                    rels.append((row[":START_ID"], row[":TYPE"], row[":END_ID"], row["role:string"] or None, sources))
    assert nodes == {e.id: (e.cls, e.props["name"], e.sources) for e in entities}
    assert sorted(rels) == sorted((r.src, r.type, r.dst, r.props.get("role"), r.sources) for r in relations)
