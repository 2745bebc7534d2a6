"""Exports checked by parsers we did not write: Raptor's rapper and Apache Jena's riot."""
from __future__ import annotations

import subprocess

import pytest

from tests.linked_data.conftest import EXPORT_CASES, rapper, run_java

RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "trig": "trig", "nq": "nquads"}
# Jena 4.5 reads RDF-star (quoted triples) but not RDF 1.2 triple terms (<<( )>>), which the
# line formats use for RDF-star; and Debian ships no JSON-P provider for its JSON-LD 1.1
# parser, so JSON-LD is read with its JSON-LD 1.0 parser (our context needs nothing newer).
RIOT_SKIP = {("nt", "rdf-star"), ("nq", "rdf-star")}


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


@pytest.mark.parametrize("fmt,mode", [c for c in EXPORT_CASES if c not in RIOT_SKIP])
def test_riot_validates_the_export(exports, jena_classpath, fmt, mode):
    path = exports[(fmt, mode)]
    syntax = ["--syntax=jsonld10"] if fmt == "jsonld" else []
    proc = run_java(jena_classpath, "riotcmd.riot", *syntax, "--count", "--strict", str(path), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARN" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr[-3000:]
    if mode == "reified":  # (a quoted triple is one term to Jena, a reifier plus rdf:reifies to RDF 1.2)
        said = (proc.stderr + proc.stdout).replace(",", "")
        assert f"Triples = {_count(exports, fmt, mode)}" in said or f"Quads = {_count(exports, fmt, mode)}" in said, \
            said[-500:]
