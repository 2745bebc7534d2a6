"""Exports checked by parsers we did not write: Raptor's rapper and Apache Jena 5.6's riot (Maven Central),
which reads RDF 1.2 triple terms and JSON-LD 1.1, so every format and relations mode is checked."""
from __future__ import annotations

import subprocess

import pytest

from graph.rdf.view import FORMATS
from tests.linked_data.conftest import EXPORT_CASES, rapper, run_java

RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "trig": "trig", "nq": "nquads"}


def _count(exports, fmt, mode) -> int:
    from tests.linked_data.helpers import canonical_quads

    return len(canonical_quads(exports[(fmt, mode)], fmt))


@pytest.mark.parametrize("fmt,mode", [(f, m) for f, m in EXPORT_CASES if m == "reified" and f in RAPPER_SYNTAX])
def test_rapper_parses_the_export(exports, fmt, mode):
    proc = subprocess.run([rapper(), "-i", RAPPER_SYNTAX[fmt], "-c", str(exports[(fmt, mode)])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Error" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr[-2000:]
    assert f"returned {_count(exports, fmt, mode)} " in proc.stderr, proc.stderr[-500:]


@pytest.fixture(scope="module")
def riot_report(exports, jena_classpath) -> subprocess.CompletedProcess:
    """One `riot --validate --count --strict` over every export (one JVM start instead of one per file)."""
    return run_java(jena_classpath, "riotcmd.riot", "--validate", "--count", "--strict",
                    *(str(p) for p in exports.values()), timeout=900)


@pytest.mark.parametrize("fmt,mode", EXPORT_CASES)
def test_riot_validates_the_export(exports, riot_report, fmt, mode):
    path = exports[(fmt, mode)]
    said = (riot_report.stderr + riot_report.stdout).replace(",", "")
    assert riot_report.returncode == 0, said[-3000:]
    assert "WARN" not in said and "ERROR" not in said, said[-3000:]
    # every statement read, RDF 1.2 reifiers of RDF-star annotations included (as pyoxigraph reads them)
    kind = "Quads" if FORMATS[fmt].quads else "Triples"
    assert f"{path} : {kind} = {_count(exports, fmt, mode)}" in said, said[-1000:]
