"""A wheel carries everything an installed govplat reads: the ontology, shapes and alignments
(as data files under <prefix>/share/govplat), the bundled cases, query texts and page templates."""
from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_the_wheel_holds_every_file_govplat_reads(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("govplat-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shared = {n.split("/data/share/govplat/", 1)[1] for n in names if "/data/share/govplat/" in n}
    assert shared == {"ontology.ttl", "shapes.ttl", "alignments.ttl"}
    tracked = subprocess.run(["git", "ls-files", "graph", "ingest", "dashboard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    needed = {p for p in tracked if p.endswith((".yaml", ".ttl", ".jsonld", ".html", ".py"))}
    assert needed - names == set()
