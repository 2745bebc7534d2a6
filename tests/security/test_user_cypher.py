"""User Cypher (CLI ``govplat cypher``, dashboard console) only reads the graph, on both engines.

The engine plans each query and only plans of read operators run (graph/cypher/guard.py). Hostile
queries are refused with the graph, a canary file and the file system left as they were;
honest read queries, whose aliases, property values and strings look like keywords, run
exactly as the engine runs them. Limits (time, rows, memory) hold and name their setting.
"""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graph.errors import QueryError, ReadOnlyViolation
from graph.stores.embedded import EmbeddedStore
from graph.synthetic import records
from tests.conftest import GOVPLAT, ROOT, run_cli

SECRET = "CANARY-7f3a1c-SECRET"

# Honest read queries: every one must run through run_user exactly as the engine runs it.
HONEST = [
    "MATCH (c:Conflict) RETURN c.name AS name, c.startDate AS start ORDER BY start",
    # graph/cypher/dialect.py's parser reserves `copy` and `export` as bare names (its message says to quote them).
    "MATCH (c:Conflict) RETURN c.name AS load, c.status AS `copy`, c.kind AS `export`, c.id AS attach "
    "ORDER BY load LIMIT 5",
    "MATCH (c:Conflict) RETURN c.id AS `create`, c.name AS `set`, c.kind AS `delete` ORDER BY `create` LIMIT 3",
    "MATCH (c:Conflict) RETURN c.name AS `LOAD FROM`, c.id AS `COPY TO`, c.kind AS `DROP TABLE` LIMIT 2",
    "MATCH (c:Conflict) WHERE c.name CONTAINS 'LOAD FROM' OR c.description = 'COPY x TO \"/tmp/y\"' "
    "RETURN count(*) AS n",
    "MATCH (c:Conflict) WHERE c.name <> '/* **/ \\' */ CALL current_setting(\"threads\")' "
    "RETURN c.id AS id ORDER BY id LIMIT 3",
    "MATCH (c:Conflict) // start load copy set create\nRETURN count(c) AS n",
    "MATCH (c:Conflict) /* CREATE DELETE SET LOAD EXPORT INSTALL */ RETURN c.startDate AS start LIMIT 3",
    "UNWIND ['load', 'copy', 'export', 'attach', 'install', 'set'] AS word RETURN word",
    "MATCH (c:Conflict)<-[:IN_CONFLICT]-(x) RETURN c.id AS start, count(x) AS stop ORDER BY stop DESC, start LIMIT 5",
    "MATCH (c:Conflict) OPTIONAL MATCH (c)<-[:IN_CONFLICT]-(r:Response) "
    "RETURN c.id AS id, count(r) AS responses ORDER BY id LIMIT 5",
    "MATCH p = (c:Conflict)<-[:IN_CONFLICT]-(x) RETURN length(p) AS hops LIMIT 3",
    "MATCH (c:Conflict) WITH c.status AS status, count(*) AS n RETURN status, n ORDER BY n DESC, status",
    "MATCH (c:Conflict) RETURN DISTINCT c.kind AS kind ORDER BY kind",
    "MATCH (c:Conflict) WHERE c.startDate >= date('2010-01-01') RETURN count(*) AS since2010",
    "MATCH (c:Conflict) RETURN c.name AS name UNION MATCH (p:Platform) RETURN p.name AS name",
    "MATCH (c:Conflict) WHERE EXISTS { MATCH (c)<-[:IN_CONFLICT]-(:Response) } RETURN count(c) AS n",
    "MATCH (c:Conflict)<-[:IN_CONFLICT*1..2]-(b) RETURN count(DISTINCT b) AS n",
    "MATCH (c:Conflict) RETURN c.name AS name ORDER BY name SKIP 2 LIMIT 2",
    "MATCH (c:Conflict) RETURN toLower(c.name) STARTS WITH 'load' AS loadish, c.id AS id ORDER BY id LIMIT 3",
    "MATCH (c:Conflict {id: $id}) RETURN c.name AS name",
    "MATCH (a:Conflict), (b:Platform) RETURN count(*) AS pairs",
    "MATCH (c:Conflict) RETURN c.id AS id ORDER BY id LIMIT 2;",
]

# Hostile queries on every engine. {canary}: a file holding SECRET; {out}: a path that must not appear.
HOSTILE_ANY = [
    "CREATE (n:Agency {id: 'x'})",
    "match (n:Conflict) detach delete n",
    "MATCH (n:Conflict) SET n.name = 'x'",
    "MATCH (n:Conflict) REMOVE n.name",
    "MERGE (n:Agency {id: 'x'})",
    "MaTcH (n:Conflict) DeLeTe n",
    "MATCH (n:Conflict) WITH n DELETE n",
    "MATCH (n:Conflict) RETURN n.id; MATCH (m:Conflict) DETACH DELETE m",
    "MATCH (n:Conflict) RETURN n /* harmless */ ; CREATE (m:Agency {id: 'y'})",
    "MATCH (n:Conflict) //\nDELETE n",
    "MATCH (n:Conflict) /* **/ DELETE n /* */",
    "RETURN 1 AS x;COPY (MATCH (c:Conflict) RETURN c.id) TO '{out}.csv'",
    "BEGIN TRANSACTION",
    "COMMIT",
]
HOSTILE_LADYBUG = [
    # The attack of issue 16: `**/` does not close a block comment.
    "/* **/ ' */ LOAD FROM \"{canary}\" (file_format=\"csv\", header=false, delim=\":\") RETURN * LIMIT 3 /* ' */",
    "LOAD FROM '{canary}' (header=false) RETURN *",
    "load from \"{canary}\" (header=true) return *",
    "LOAD\u00a0FROM '{canary}' RETURN *",
    "LOAD\u2003FROM '{canary}' RETURN *",
    "LOAD/**/FROM '{canary}' RETURN *",
    "LOAD\tFROM\n'{canary}' RETURN *",
    "/* /* */ LOAD FROM '{canary}' RETURN * /* */",
    "UNWIND [1] AS x LOAD FROM '{canary}' RETURN *",
    "MATCH (c:Conflict) WITH c LIMIT 1 LOAD FROM '{canary}' (header=false) RETURN *",
    "\uff2c\uff2f\uff21\uff24 FROM '{canary}' RETURN *",  # full-width LOAD
    "L\u041eAD FROM '{canary}' RETURN *",  # Cyrillic O
    "`LOAD` FROM '{canary}' RETURN *",
    "COPY (MATCH (c:Conflict) RETURN c.name) TO '{out}.csv'",
    "copy(match (c:Conflict) return c.id) to \"{out}.parquet\"",
    "/* **/ ' */ COPY (MATCH (c:Conflict) RETURN c.id) TO '{out}.csv' /* ' */",
    "COPY Conflict FROM '{canary}'",
    "EXPORT DATABASE '{out}'",
    "export database \"{out}\" (format=\"csv\")",
    "IMPORT DATABASE '{out}'",
    "ATTACH '{out}.lbdb' AS other (dbtype lbug)",
    "DETACH other",
    "USE other",
    "INSTALL json",
    "install httpfs",
    "LOAD EXTENSION json",
    "LOAD json",
    "UNINSTALL json",
    "CALL current_setting('threads') RETURN *",
    "call CURRENT_SETTING(\"home_directory\") return *",
    "CALL threads=1",
    "CALL timeout=1",
    "CALL home_directory='{out}'",
    "CHECKPOINT",
    "DROP TABLE Conflict",
    "ALTER TABLE Conflict ADD x STRING",
    "CREATE MACRO m(x) AS x + 1",
    "CREATE SEQUENCE s",
    "EXPLAIN COPY (MATCH (c:Conflict) RETURN c.id) TO '{out}.csv'",
    "PROFILE COPY (MATCH (c:Conflict) RETURN c.id) TO '{out}.csv'",
    "MATCH (c:Conflict) RETURN c.name AS `COPY_TO[9]`",  # text that looks like a plan operator: refused, never hidden
]
HOSTILE_NEO4J = [
    "LOAD CSV FROM 'file:///{canary}' AS row RETURN row",
    "load csv with headers from 'file://{canary}' as r return r",
    "/* **/ ' */ LOAD CSV FROM 'file:///{canary}' AS row RETURN row /* ' */",
    "LOAD\u00a0CSV FROM 'file:///{canary}' AS row RETURN row",
    "MATCH (c:Conflict) WITH c LIMIT 1 LOAD CSV FROM 'http://127.0.0.1:9/x' AS row RETURN row",
    "CALL apoc.load.json('file:///{canary}')",
    "CALL `apoc`.`load`.`csv`('file:///{canary}')",
    "CALL apoc.cypher.runWrite('CREATE (n:Agency {id: \"x\"})', {})",
    "CALL { CREATE (n:Agency {id: 'x'}) }",
    "MATCH (n:Conflict) CALL { WITH n DETACH DELETE n } RETURN 1",
    "MATCH (n:Conflict) CALL (n) { SET n.name = 'x' } RETURN n.id",
    "UNWIND [1] AS i CALL { CREATE (n:Agency {id: 'x'}) } IN TRANSACTIONS RETURN 1",
    "MATCH (n:Conflict) FOREACH (x IN [1] | SET n.name = 'x')",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
    "CALL db.clearQueryCaches()",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL dbms.security.createUser('x', 'yyyyyyyy', false)",
    "CREATE INDEX probe_index FOR (n:Agency) ON (n.name)",
    "DROP INDEX govplat_entity_name",
    "SHOW USERS",
    "CREATE USER probe SET PASSWORD 'yyyyyyyy'",
    "GRANT ALL ON DATABASE * TO PUBLIC",
    "START DATABASE neo4j",
    "USE system SHOW USERS",
    "CALL db.createLabel('Probe')",
]


def _catalogue(engine: str) -> list[str]:
    # Both engines read Neo4j's catalogue calls (graph/cypher/dialect.py answers them on the embedded store).
    return ["CALL db.labels() YIELD label RETURN label ORDER BY label", "CALL db.relationshipTypes()"]


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def graph_records():
    return records(300, 900, seed=16)


@pytest.fixture(scope="module")
def embedded_path(tmp_path_factory, graph_records) -> Path:
    path = tmp_path_factory.mktemp("user-cypher") / "graph.lbdb"
    with EmbeddedStore(path) as s:
        s.upsert(*graph_records)
    return path


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, embedded_path, graph_records):
    if request.param == "embedded":
        s = EmbeddedStore(embedded_path, read_only=True)
    else:
        from graph.stores.neo4j import Neo4jStore

        server = request.getfixturevalue("neo4j_server")
        s = Neo4jStore(server["uri"], server["user"], server["password"])
        s.wipe()
        s.upsert(*graph_records)
    s.engine_name = request.param
    yield s
    s.close()


@pytest.fixture
def canary(tmp_path) -> Path:
    path = tmp_path / "canary.csv"
    path.write_text(f"{SECRET}:x:1\n{SECRET}:y:2\n", encoding="utf-8")
    return path


class _Opened:
    """Whether any process opens or reads a file while the block runs (Linux inotify)."""

    def __init__(self, path: Path) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, str(path).encode(), 0x1 | 0x20) < 0:  # ACCESS | OPEN
            pytest.skip("no inotify on this system")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.events = len(os.read(self.fd, 65536))
        except BlockingIOError:
            self.events = 0
        os.close(self.fd)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def _assert_refused(store, query: str, canary: Path) -> None:
    folder = canary.parent
    text = query.replace("{canary}", str(canary)).replace("{out}", str(folder / "written"))
    before_graph, before_files = store.counts(), _snapshot(folder)
    with _Opened(canary) as opened, pytest.raises(QueryError) as info:
        store.run_user(text)
    message = str(info.value)
    assert not opened.events, "the canary file was opened"
    # Refused by the engine's plan, or (embedded) already by the Neo4j-Cypher reader of graph/cypher/dialect.py.
    assert message.startswith(("refused", "query failed", "the embedded store reads Neo4j Cypher")), message
    assert SECRET not in message
    assert _snapshot(folder) == before_files, "a file was written"
    assert canary.read_text(encoding="utf-8").startswith(SECRET)
    assert store.counts() == before_graph


# ---------------------------------------------------------------------------- honest queries
@pytest.mark.parametrize("query", HONEST)
def test_honest_read_queries_run_as_the_engine_runs_them(store, query):
    params = {"id": "conflict-0"} if "$id" in query else {}
    expected = store.run(query.rstrip(";"), params)
    got = store.run_user(query, params)
    assert got.columns == expected.columns
    if "ORDER BY" in query:
        assert got.rows == expected.rows
    else:  # no order asked for: the engine's may differ between two runs (a UNION's, on threads)
        assert sorted(map(repr, got.rows)) == sorted(map(repr, expected.rows))


def test_the_query_of_issue_16_is_not_refused(store):
    result = store.run_user("MATCH (c:Conflict) RETURN c.name AS name, c.startDate AS start ORDER BY start")
    assert result.columns == ["name", "start"] and len(result.rows) > 10


def test_catalogue_calls_on_the_allow_list_run(store):
    for query in _catalogue(store.engine_name):
        assert store.run_user(query).rows


# ---------------------------------------------------------------------------- hostile queries
@pytest.mark.parametrize("query", HOSTILE_ANY)
def test_writes_and_transactions_are_refused(store, query, canary):
    _assert_refused(store, query, canary)


@pytest.mark.parametrize("query", HOSTILE_LADYBUG)
def test_files_extensions_and_settings_are_refused_on_ladybug(store, query, canary):
    if store.engine_name != "embedded":
        pytest.skip("Ladybug syntax")
    _assert_refused(store, query, canary)


@pytest.mark.parametrize("query", HOSTILE_NEO4J)
def test_files_procedures_and_administration_are_refused_on_neo4j(store, query, canary):
    if store.engine_name != "neo4j":
        pytest.skip("Neo4j syntax")
    _assert_refused(store, query, canary)


def test_the_attack_of_issue_16_is_refused_by_the_cli(embedded_path, canary, tmp_path):
    """`govplat cypher` on the breach of issue 16: refused, the file not shown, nothing written."""
    env = {"GOVPLAT_HOME": str(embedded_path.parent), "GOVPLAT_STORE": "embedded"}
    for query in (HOSTILE_LADYBUG[0], "COPY (MATCH (c:Conflict) RETURN c.name) TO '{out}.csv'",
                  "CALL current_setting('threads') RETURN *"):
        proc = run_cli("cypher", query.replace("{canary}", str(canary)).replace("{out}", str(tmp_path / "written")),
                       env=env)
        assert proc.returncode == 1, proc.stdout
        assert "refused" in proc.stderr and "Traceback" not in proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
        assert not list(tmp_path.glob("written*"))


# ---------------------------------------------------------------------------- limits
def test_row_cap_from_settings_truncates(store, monkeypatch):
    monkeypatch.setenv("GOVPLAT_ROW_CAP", "7")
    result = store.run_user("UNWIND range(1, 100) AS i RETURN i")
    assert [r["i"] for r in result.rows] == list(range(1, 8))
    assert result.truncated


def test_timeout_from_settings_stops_a_long_query(store, monkeypatch):
    monkeypatch.setenv("GOVPLAT_QUERY_TIMEOUT", "1")
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = store.run_user(
                "MATCH (a), (b), (c), (d) WHERE a.name + b.name + c.name + d.name = 'x' RETURN count(*) AS n")
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    t0 = time.monotonic()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the query ran past its timeout"
    assert isinstance(outcome.get("error"), QueryError), outcome
    assert "timeout" in str(outcome["error"]) and "GOVPLAT_QUERY_TIMEOUT" in str(outcome["error"])
    assert time.monotonic() - t0 < 15


def test_memory_cap_stops_a_runaway_query_and_names_the_limit(embedded_path):
    """The attack of issue 16 (a three-way cross product, sorted) reached 10.7 GB; now it stops early."""
    # The buffer pool is only a safety ceiling here: the limit under test is GOVPLAT_QUERY_MEMORY_MB.
    env = {"GOVPLAT_HOME": str(embedded_path.parent), "GOVPLAT_STORE": "embedded",
           "GOVPLAT_QUERY_MEMORY_MB": "256", "GOVPLAT_BUFFER_POOL_MB": "2048", "GOVPLAT_QUERY_TIMEOUT": "300"}
    # A parent of its own, so that the peak measured is this query's process and no earlier child's.
    measure = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stderr.write(p.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); "
               "sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", measure, *GOVPLAT, "cypher",
                           "MATCH (a), (b), (c) RETURN a.name AS x, b.name AS y, c.name AS z ORDER BY x, y DESC, z"],
                          capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=600)
    peak_mb = int(proc.stdout.split()[-1])
    assert proc.returncode == 1, proc.stdout[:500]
    assert "GOVPLAT_QUERY_MEMORY_MB=256" in proc.stderr, proc.stderr
    # The engine stops between chunks of work and winds down the sort: about twice the limit
    # over the ~0.3 GB the process starts with (measured 1.05 GB), never the 10.7 GB of issue 16.
    assert peak_mb < 1536, f"peak {peak_mb} MB"


def test_neo4j_read_session_refuses_a_write_the_guard_would_not_see(store):
    if store.engine_name != "neo4j":
        pytest.skip("Neo4j")
    with pytest.raises(ReadOnlyViolation):
        store.run("CREATE (n:Probe {id: 'probe'}) RETURN n", read_only=True)
    assert store.run("MATCH (n:Probe) RETURN count(n) AS n").rows[0]["n"] == 0


def test_ladybug_file_is_opened_read_only_for_user_queries(store):
    if store.engine_name != "embedded":
        pytest.skip("Ladybug")
    with pytest.raises(QueryError):
        store.run("CREATE (n:Agency {id: 'probe'})")
    assert os.access(store.path, os.R_OK)


def test_neo4j_memory_cap_stops_a_runaway_query_and_names_the_limit(store):
    """tools/neo4j/server sets db.memory.transaction.max from GOVPLAT_QUERY_MEMORY_MB (1 GiB by default)."""
    if store.engine_name != "neo4j":
        pytest.skip("Neo4j")
    with pytest.raises(QueryError) as info:
        store.run_user("MATCH (a), (b), (c), (d) RETURN a.name AS x, b.name AS y, c.name AS z, d.id AS w "
                       "ORDER BY x, y DESC, z, w", timeout=120)
    assert "db.memory.transaction.max" in str(info.value)


# One call that builds a huge value (folded while the query is bound, with the GIL held, or run in one
# engine call) cannot be interrupted: lpad reached 17 GB before the kernel's OOM killer ended it.
VALUE_BOMBS = [
    "RETURN size(lpad('a', 3000000000, 'b')) AS n",
    "UNWIND range(1, 100000000000) AS i RETURN count(i) AS n",
]


@pytest.mark.parametrize("query", VALUE_BOMBS)
def test_a_value_the_engine_cannot_interrupt_is_stopped_at_the_hard_ceiling(embedded_path, query):
    from graph.settings import QUERY_MEMORY_HARD_FACTOR
    from tests.security.bounded import run_bounded

    env = {"GOVPLAT_HOME": str(embedded_path.parent), "GOVPLAT_STORE": "embedded", "GOVPLAT_QUERY_MEMORY_MB": "256"}
    proc = run_bounded("cypher", query, env=env, rss_limit_mb=400 + 256 * QUERY_MEMORY_HARD_FACTOR + 600, timeout=90)
    assert proc.returncode != 0, proc.stdout[:300]
    assert "GOVPLAT_QUERY_MEMORY_MB=256" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-500:]


def test_a_query_over_the_memory_limit_is_refused_even_when_the_engine_finished_it(embedded_path):
    # repeat() ignores the interrupt but stops below the hard ceiling: its rows must not be shown.
    env = {"GOVPLAT_HOME": str(embedded_path.parent), "GOVPLAT_STORE": "embedded", "GOVPLAT_QUERY_MEMORY_MB": "256"}
    proc = run_cli("cypher", "RETURN size(repeat('a', 60000000)) AS n", env=env)
    assert proc.returncode == 1 and "60000000" not in proc.stdout
    assert "GOVPLAT_QUERY_MEMORY_MB=256" in proc.stderr


def test_a_value_neo4j_does_not_track_fails_its_query_and_the_server_serves_on(store):
    """db.memory.transaction.max does not count a string doubled in reduce(): it filled the heap,
    and with -XX:+ExitOnOutOfMemoryError one read query ended the Neo4j server."""
    if store.engine_name != "neo4j":
        pytest.skip("Neo4j")
    with pytest.raises(QueryError) as info:
        store.run_user("RETURN size(reduce(s = '', x IN range(1, 30) | s + s + 'aaaaaaaaaa')) AS n", timeout=120)
    assert "GOVPLAT_NEO4J_HEAP" in str(info.value)
    assert store.run_user("RETURN 1 AS one").rows == [{"one": 1}]


# Parsers take time and stack by the size and nesting of the text: Ladybug's parser crashed the
# process on 3,000 nested brackets and ran for minutes on 5,000 parentheses behind a LOAD FROM
# graphglot cannot read; graphglot took 40 s for 20,000 `1 +`.
PARSER_BOMBS = {
    "RETURN " + "[" * 3000 + "1" + "]" * 3000 + " AS n": "GOVPLAT_QUERY_MAX_NESTING=100",
    "LOAD FROM '{canary}' RETURN " + "(" * 5000 + "1" + ")" * 5000 + " AS n": "GOVPLAT_QUERY_MAX_NESTING=100",
    "RETURN " + " + ".join(["1"] * 20000) + " AS n": "GOVPLAT_QUERY_MAX_CHARS=20,000",
}


@pytest.mark.parametrize("query", PARSER_BOMBS, ids=["brackets", "parens-after-load-from", "long-sum"])
def test_parser_bombs_are_refused_at_once_naming_the_limit(store, query, canary):
    t0 = time.monotonic()
    with pytest.raises(QueryError) as info:
        store.run_user(query.replace("{canary}", str(canary)))
    assert PARSER_BOMBS[query] in str(info.value)
    assert time.monotonic() - t0 < 10


def test_brackets_in_strings_and_comments_are_not_nesting(store):
    query = "RETURN '" + "(" * 200 + "' AS a /* " + "[" * 200 + " */, [[[1]]] AS b"
    assert store.run_user(query).rows == [{"a": "(" * 200, "b": [[[1]]]}]


# The dashboard console (dashboard/data.py run_user): one user's value bomb must stop only that query.
CONSOLE = """
import sys
from dashboard import data
from graph.errors import QueryError
for query in sys.argv[1:]:
    try:
        print("rows", data.run_user(query).rows)
    except QueryError as exc:
        print("error", exc)
"""


def test_a_console_value_bomb_stops_only_its_query_and_the_dashboard_serves_on(embedded_path):
    """lpad/range/repeat built in one engine call used to end the dashboard's process (the watchdog's
    SIGKILL): it now fails in the console's worker process, named as the limit, and the next query runs."""
    from tests.security.bounded import run_watched

    env = {"GOVPLAT_HOME": str(embedded_path.parent), "GOVPLAT_STORE": "embedded", "GOVPLAT_QUERY_MEMORY_MB": "256"}
    bombs = [*VALUE_BOMBS, "RETURN size(repeat('a', 200000000)) AS n"]
    # Run as a dashboard process of its own, watched: a regression fails this test, not the test run.
    proc = run_watched([sys.executable, "-c", CONSOLE, *bombs, "MATCH (c:Conflict) RETURN count(c) AS n"],
                       env=env, rss_limit_mb=1200, timeout=120)
    assert proc.returncode == 0, proc.stderr[-800:]
    lines = proc.stdout.splitlines()
    assert len(lines) == len(bombs) + 1, proc.stdout[-800:] + proc.stderr[-800:]
    for line in lines[:-1]:
        assert line.startswith("error query stopped") and "GOVPLAT_QUERY_MEMORY_MB=256" in line, line
    assert lines[-1].startswith("rows [{'n': ") and lines[-1] != "rows [{'n': 0}]", lines[-1]
