"""Fixtures for the linked-data tests: the bundled store's exports, a running endpoint, and the
outside validators (Raptor's rapper, Apache Jena's riot and ARQ from Debian's jars)."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from graph.rdf.view import FORMATS, RELATION_MODES
from tests.conftest import prerequisite_missing

# Every (format, relations mode) an export can be written in.
EXPORT_CASES = [(fmt, mode) for fmt in FORMATS for mode in RELATION_MODES
                if mode == "reified" or FORMATS[fmt].rdf_star]
JAVA_DIR = Path("/usr/share/java")
# Jena 4.5 as Debian packages it, and the jars it needs (libapache-jena-java's dependencies).
JENA_JARS = ["jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index",
             "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri",
             "jena-rdfconnection", "jena-shacl", "jena-shex", "jena-tdb", "jena-tdb2",
             "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
             "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache", "httpcore", "jackson-core",
             "jackson-databind", "jackson-annotations", "jsonld-java", "protobuf", "slf4j-api", "slf4j-simple",
             "thrift", "titanium-json-ld", "jakarta.json-api"]


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

    def opener(read_only=True):
        return EmbeddedStore(bundled_home / "graph.lbdb", read_only=True)

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


@pytest.fixture(scope="session")
def jena_classpath(tmp_path_factory) -> str:
    """A classpath for Jena's command-line tools.

    Debian's Jena 4.5 keeps Xerces' message bundles under org/apache/jena/ext/xerces while the
    relocated classes look for them under xerces/; without them any datatype check stops
    with "internal error". We copy the bundles to where the classes look.
    """
    if not shutil.which("java") or not (JAVA_DIR / "jena-arq.jar").exists():
        prerequisite_missing("Apache Jena is not installed (Debian: libapache-jena-java and a JDK)")
    missing = [j for j in JENA_JARS if not (JAVA_DIR / f"{j}.jar").exists()]
    if missing:
        prerequisite_missing(f"Jena's dependencies are missing: {', '.join(missing)}")
    fix = tmp_path_factory.mktemp("jena-xerces-bundles")
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = fix / "xerces" / name[len("org/apache/jena/ext/xerces/"):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return os.pathsep.join([str(fix), *(str(JAVA_DIR / f"{j}.jar") for j in JENA_JARS)])


def run_java(classpath: str, main: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["java", "-Xshare:auto", "-cp", classpath, main, *args], capture_output=True,
                          text=True, timeout=timeout)
