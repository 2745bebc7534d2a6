"""Shared fixtures. Real files come from ../shared/data (tests skip with a reason when it is absent).

A missing prerequisite (the real data, a Debian tool, Neo4j, a test package) skips a test
on a workstation, saying why; in CI (``CI=true``) it fails the test instead, so a run that
silently tested less cannot pass: use :func:`prerequisite_missing` / :func:`require_module`."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GOVPLAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
GOVPLAT = [sys.executable, "-m", "graph.cli"]


IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def prerequisite_missing(reason: str) -> NoReturn:
    """Skip the test saying why — or, in CI, fail it: CI must run every test."""
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI (CI=true): {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str):
    """The module ``name``, or :func:`prerequisite_missing` (install the ``test`` extra)."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        prerequisite_missing(f"Python module {name} is not installed ({exc}); pip install -e '.[test]'")


def shared_file(*parts: str) -> Path:
    """A real public file from ../shared/data, or skip the test saying why (fail it in CI)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        prerequisite_missing(f"real data not available: {path} (../shared/data is absent on this machine)")
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh GOVPLAT_HOME with the embedded store, for this test only."""
    monkeypatch.setenv("GOVPLAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GOVPLAT_STORE", "embedded")
    return tmp_path / "home"


@pytest.fixture
def store(home):
    from graph.stores import open_store

    s = open_store()
    yield s
    s.close()


def run_cli(*args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([*GOVPLAT, *args], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"govplat {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def cli_json(*args: str, env: dict | None = None):
    proc = run_cli(*args, "--json", env=env)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory) -> Path:
    """A GOVPLAT_HOME holding the bundled curated data, ingested once per test session."""
    home = tmp_path_factory.mktemp("bundled")
    run_cli("ingest", env={"GOVPLAT_HOME": str(home), "GOVPLAT_STORE": "embedded"})
    return home


# ---------------------------------------------------------------------------- Neo4j
@pytest.fixture(scope="session")
def neo4j_server() -> dict:
    """A real Neo4j (tools/neo4j/server, or NEO4J_URI). In CI a failure to start fails the test."""
    from tests.neo4j_server import Neo4jUnavailable, ensure_neo4j

    try:
        return ensure_neo4j()
    except Neo4jUnavailable as exc:
        prerequisite_missing(f"no Neo4j: {exc}")


@pytest.fixture
def neo4j_store(neo4j_server):
    """A wiped Neo4j store for one test."""
    from graph.stores.neo4j import Neo4jStore

    s = Neo4jStore(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    s.wipe()
    yield s
    s.close()


@pytest.fixture
def neo4j_env(neo4j_server) -> dict:
    """Environment that points the CLI at the real Neo4j."""
    return {"GOVPLAT_STORE": "neo4j", "NEO4J_URI": neo4j_server["uri"], "NEO4J_USER": neo4j_server["user"],
            "NEO4J_PASSWORD": neo4j_server["password"]}
