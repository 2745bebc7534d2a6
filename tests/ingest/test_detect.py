"""`govplat ingest --detect DIR`: every file goes to the one source that reads it."""
from __future__ import annotations

import json
import shutil

from ingest.detect import check_header, detect_paths
from tests.conftest import SHARED_DATA, cli_json, shared_file


def test_every_shared_data_file_is_recognised_by_its_source():
    plan = detect_paths([SHARED_DATA if SHARED_DATA.is_dir() else shared_file("articles")])
    counts = {k: len(v) for k, v in plan.files.items()}
    assert counts == {"keepiton": 2, "lumen": 9, "courtlistener": 13, "derived": 6, "news": 13,
                      "transparency_api": 3, "github_takedowns": 90, "github_transparency": 27,
                      "google_transparency": 15, "meta_requests": 19, "apple_transparency": 11,
                      "wikimedia_transparency": 9, "shutdowns_india": 1, "twitter_india": 2, "assessments": 12}, \
        plan.to_json()
    assert not plan.unrecognised and not plan.ambiguous
    # documentation is listed apart, not as unrecognised data
    assert {p.name for p in plan.documentation} >= {"SOURCES.md", "README.md", "LICENSE.md", "CITATION.cff",
                                                     "README-source.md"}


def test_unknown_files_are_listed(tmp_path):
    shared_file("opennet-initiative")  # skip without the shared data
    (tmp_path / "notes.md").write_text("# hello\n")
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    shutil.copy(SHARED_DATA / "opennet-initiative" / "opennet-2012-10-29.csv", tmp_path / "opennet.csv")
    plan = detect_paths([tmp_path], sources={k: v for k, v in __import__("ingest.run", fromlist=["x"])
                                             .available_sources().items()
                                             if k in ("keepiton", "lumen", "courtlistener", "derived", "news")})
    assert sorted(p.name for p in plan.unrecognised) == ["notes.md", "opennet.csv", "other.csv"]


def test_header_check_names_missing_and_unexpected_columns(tmp_path):
    try:
        check_header(tmp_path / "x.csv", ["country ", "year", "extra"], {"ttrall": ["country", "year", "time_period"]})
    except Exception as exc:  # SourceError
        assert "missing column(s) ['time_period']" in str(exc) and "unexpected column(s) ['extra']" in str(exc)
        assert "x.csv" in str(exc) and "'ttrall'" in str(exc)
    else:
        raise AssertionError("no error")


def test_cli_detect_loads_and_lists(tmp_path, home):
    shutil.copy(shared_file("lumen-chillingeffects", "notice_100.json"), tmp_path / "100.json")
    (tmp_path / "unknown.bin").write_bytes(b"\x00\x01")
    code, doc = cli_json("ingest", "--detect", str(tmp_path))
    assert code == 0, doc
    assert doc["sources"]["lumen"]["rejected"] == 0 and doc["sources"]["lumen"]["stored_entities"] >= 3
    assert doc["detect"]["unrecognised"] == [str(tmp_path / "unknown.bin")]
    assert json.dumps(doc)
