"""docker-compose.yml is valid for the Compose client (no Docker engine needed)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import prerequisite_missing

ROOT = Path(__file__).resolve().parents[1]


def _client():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    prerequisite_missing("no Compose client (tools/system-packages installs Debian's docker-compose)")


def test_compose_config_is_valid():
    proc = subprocess.run([*_client(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, env={**os.environ, "NEO4J_PASSWORD": "x"})
    assert proc.returncode == 0, proc.stderr


def test_dashboard_waits_for_a_healthy_neo4j():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert doc["services"]["neo4j"]["image"].startswith("neo4j:5")
    assert "healthcheck" in doc["services"]["neo4j"]
    assert doc["services"]["dashboard"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert doc["services"]["dashboard"]["environment"]["GOVPLAT_STORE"] == "neo4j"


def test_fuseki_serves_the_nquads_dump_read_only_once_healthy():
    """The production SPARQL service: the Fuseki the parity test checks, on the dump, read-only."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    dump, fuseki = services["rdf-dump"], services["fuseki"]
    assert dump["command"][:4] == ["govplat", "export", "--format", "nq"]
    assert dump["depends_on"]["ingest"]["condition"] == "service_completed_successfully"
    written = dump["command"][dump["command"].index("-o") + 1]
    assert fuseki["depends_on"]["rdf-dump"]["condition"] == "service_completed_successfully"
    assert f"--file={written}" in fuseki["command"]
    assert "--update" not in fuseki["command"]  # Fuseki main is read-only unless told otherwise
    volume = written.rsplit("/", 1)[0]
    assert any(v.endswith(f":{volume}:ro") for v in fuseki["volumes"]), fuseki["volumes"]
    assert "--ping" in fuseki["command"] and "/$$/ping" in " ".join(fuseki["healthcheck"]["test"])
    # built from the same pinned Maven artifacts as tools/fuseki/server (and so the parity test)
    dockerfile = (ROOT / fuseki["build"] / "Dockerfile").read_text()
    assert "COPY pom.xml" in dockerfile and "FusekiMainCmd" in dockerfile
    assert (ROOT / fuseki["build"] / "pom.xml") == ROOT / "tools" / "fuseki" / "pom.xml"
