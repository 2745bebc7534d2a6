"""Fixtures for the linked-data tests: the bundled store's exports, a running endpoint, and the
outside tools (Raptor's rapper; Apache Jena's riot, ARQ and Fuseki from Maven Central)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from graph.rdf.view import FORMATS, RELATION_MODES
from tests.conftest import ROOT, prerequisite_missing

# Every (format, relations mode) an export can be written in.
EXPORT_CASES = [(fmt, mode) for fmt in FORMATS for mode in RELATION_MODES
                if mode == "reified" or FORMATS[fmt].rdf_star]
FUSEKI = ROOT / "tools" / "fuseki" / "server"  # Apache Jena 5.6 from Maven Central: Fuseki, riot, arq


@pytest.fixture(scope="session")
def ld_env(bundled_home) -> dict:
    return {"GOVPLAT_HOME": str(bundled_home), "GOVPLAT_STORE": "embedded"}


@pytest.fixture(scope="session")
def bundled_records(bundled_home):
    """(entities, relations) of the bundled store, read once."""
    from graph.stores.embedded import EmbeddedStore

    with EmbeddedStore(bundled_home / "graph.lbdb", read_only=True) as store:
        entities, relations = store.dump()
        return list(entities), list(relations)


@pytest.fixture(scope="session")
def exports(tmp_path_factory, bundled_records) -> dict[tuple[str, str], Path]:
    """The bundled store exported in every format and relations mode."""
    from graph.rdf import view as rdf

    out = tmp_path_factory.mktemp("exports")
    files = {}
    entities, relations = bundled_records
    for fmt, mode in EXPORT_CASES:
        path = out / f"govplat-{mode}{rdf.FORMATS[fmt].extension}"
        with open(path, "wb") as fh:
            rdf.write(entities, relations, fmt, fh, relations_mode=mode)
        files[(fmt, mode)] = path
    return files


@pytest.fixture(scope="session")
def endpoint(bundled_home):
    """An Endpoint over the bundled store (two worker processes), served on a free loopback port."""
    from graph.sparql.engine import Limits, load_dataset
    from graph.sparql.endpoint import Endpoint
    from graph.sparql.http import Server
    from graph.stores.embedded import EmbeddedStore

    def opener(read_only=True, dump=False):
        return EmbeddedStore(bundled_home / "graph.lbdb", read_only=True, dump=dump)

    ep = Endpoint(lambda: load_dataset(open_store=opener, spool=True), Limits(timeout=8.0, max_rows=500, workers=2),
                  processes=2)
    server = Server(ep, "127.0.0.1", 0).start()
    ep.url = server.base_url
    ep.refresh_token = server.refresh_token
    yield ep
    server.stop()
    ep.close()


# ---------------------------------------------------------------------------- outside tools
def rapper() -> str:
    path = shutil.which("rapper")
    if not path:
        prerequisite_missing("Raptor's rapper is not installed (Debian: raptor2-utils)")
    return path


def _jena_missing() -> str | None:
    """Why tools/fuseki/server cannot run Jena here (no Java; no Maven and no jars fetched yet), or None."""
    if not shutil.which("java"):
        return "no Java (Debian: openjdk-17-jdk-headless) for Apache Jena (tools/fuseki/server)"
    if not shutil.which("mvn") and not (FUSEKI.parent / "target" / "classpath.txt").exists():
        return "no Maven (Debian: maven) to fetch Apache Jena from Maven Central (tools/fuseki/server)"
    return None


@pytest.fixture(scope="session")
def jena_classpath() -> str:
    """The classpath of Apache Jena 5.6 (riot, arq, Fuseki) from Maven Central, fetched into ~/.m2 once."""
    reason = _jena_missing()
    if reason:
        prerequisite_missing(reason)
    proc = subprocess.run([str(FUSEKI), "classpath"], capture_output=True, text=True, timeout=1800,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        pytest.fail(f"tools/fuseki/server classpath failed:\n{proc.stderr[-3000:]}", pytrace=False)
    return proc.stdout.strip()


@pytest.fixture(scope="session")
def fuseki(ld_env, tmp_path_factory) -> str:
    """A real Apache Jena Fuseki serving the bundled data's N-Quads dump read-only, written as the
    Compose file writes it (`govplat export --format nq --with-ontology`: the ontology in its named
    graph, as ``govplat sparql serve`` has it); its query URL. Stopped at session end."""
    from tests.conftest import run_cli

    reason = _jena_missing()
    if reason:
        prerequisite_missing(reason)
    run = tmp_path_factory.mktemp("fuseki")
    dump = run / "govplat.nq"
    run_cli("export", "--format", "nq", "--with-ontology", "-o", str(dump), env=ld_env, check=True)
    with socket.socket() as s:  # a port of its own, so test runs side by side never race for 3030
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GOVPLAT_FUSEKI_RUN": str(run)}
    server = [str(FUSEKI)]
    proc = subprocess.run([*server, "start", "--port", str(port), "--nq", str(dump)], env=env,
                          capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    try:
        if proc.returncode != 0:
            pytest.fail(f"tools/fuseki/server start failed:\n{proc.stderr[-3000:]}", pytrace=False)
        yield proc.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([*server, "stop"], env=env, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


def run_java(classpath: str, main: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["java", "-Xshare:auto", "-cp", classpath, main, *args], capture_output=True,
                          text=True, timeout=timeout)
