"""`govplat ingest` of hostile CSV, JSON, YAML and XML files: deep nesting, a million columns,
huge cells, YAML alias bombs, XML entities, wrong encodings. Each gives a clear, bounded
message naming the file and the limit (never a traceback), in bounded memory, and the store
is unchanged."""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_cli
from tests.security.bounded import run_bounded, run_watched

KEEPITON = ["ID", "start_date", "end_date ", "duration", "Info_source ", "news_link "]  # first columns
DEPTH = 100_000
RSS_MB = 900  # the CLI itself takes about 300 MB
SEED = """@prefix gp: <https://w3id.org/govplat/ontology#> .
<https://w3id.org/govplat/id/seed-source> a gp:Source ; gp:name "Seed source" ; gp:publisher "Test" ;
    gp:url "https://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> .
"""


def _keepiton_header() -> list[str]:
    import yaml

    from tests.conftest import ROOT

    config = yaml.safe_load((ROOT / "ingest" / "sources" / "keepiton.yml").read_text(encoding="utf-8"))
    return config["detect"][0]["headers"]


def _yaml_bomb(levels: int = 10) -> str:
    names = [f"l{i}" for i in range(levels)]
    lines = [f'{names[0]}: &{names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{n}: &{n} [{', '.join(['*' + p] * 10)}]" for p, n in zip(names, names[1:])]
    return "\n".join(lines) + "\n"


def _deep_json() -> str:
    return '{"notices": ' + "[" * DEPTH + "]" * DEPTH + "}"


def _workbook(sheet_xml=None, *, padding: int = 0):
    """An XLSX workbook (openpyxl's own, with a STOP header) whose sheet XML is replaced by
    ``sheet_xml(original)`` and which holds a ``padding``-byte part of zeros (a zip bomb)."""
    def make() -> bytes:
        import io
        import zipfile

        import openpyxl

        buf = io.BytesIO()
        wb = openpyxl.Workbook()
        wb.active.append(_keepiton_header())
        wb.active.append(["x"] * len(_keepiton_header()))
        wb.save(buf)
        out = io.BytesIO()
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name in src.namelist():
                data = src.read(name)
                if name == "xl/worksheets/sheet1.xml" and sheet_xml:
                    data = sheet_xml(data.decode()).encode()
                z.writestr(name, data)
            if padding:
                with z.open("xl/media/zeros.bin", "w", force_zip64=True) as f:
                    for _ in range(padding >> 20):
                        f.write(bytes(1 << 20))
        return out.getvalue()
    return make


_LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY l0 "lollollollol">'
           + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10)) + "]>")

CASES = {
    "xlsx-billion-laughs": ("keepiton", "laughs.xlsx",
                            _workbook(lambda xml: _LAUGHS + xml.replace("<t>x</t>", "<t>&l9;</t>", 1)),
                            "DTD or entity declarations is refused"),
    "xlsx-external-entity": ("shutdowns_india", "xxe.xlsx",
                             _workbook(lambda xml: '<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                       + xml.replace("<t>x</t>", "<t>&e;</t>", 1)),
                             "DTD or entity declarations is refused"),
    "xlsx-zip-bomb": ("keepiton", "bomb.xlsx", _workbook(padding=300 << 20), "GOVPLAT_INPUT_MAX_BYTES"),
    # name: (source, file name, content (str or bytes), what the message must say)
    "csv-million-columns": ("keepiton", "wide.csv",
                            lambda: ",".join(_keepiton_header() + [f"c{i}" for i in range(1_000_000)]) + "\n",
                            "1,000,000 unexpected column(s)"),
    "csv-million-repeated-columns": ("keepiton", "repeated.csv", lambda: ",".join(["x"] * 1_000_000) + "\n",
                                     "header repeats 1 column(s)"),
    "csv-huge-cell": ("keepiton", "cell.csv",
                      lambda: ",".join(_keepiton_header()) + "\n" + "a" * 2_000_000 + "\n",
                      "GOVPLAT_MAX_LITERAL_CHARS"),
    "csv-utf16": ("keepiton", "utf16.csv", lambda: (",".join(_keepiton_header()) + "\n").encode("utf-16"),
                  "is not UTF-8 text"),
    "json-deep-lumen": ("lumen", "deep.json", _deep_json, "GOVPLAT_INPUT_MAX_DEPTH"),
    "json-deep-courtlistener": ("courtlistener", "deep.json", _deep_json, "GOVPLAT_INPUT_MAX_DEPTH"),
    "json-deep-wikimedia": ("wikimedia_transparency", "deep.json", _deep_json, "GOVPLAT_INPUT_MAX_DEPTH"),
    "json-deep-objects": ("lumen", "deep-objects.json", lambda: '{"a": ' * DEPTH + "1" + "}" * DEPTH,
                          "GOVPLAT_INPUT_MAX_DEPTH"),
    "json-latin1": ("lumen", "latin1.json", lambda: '{"title": "caf\u00e9"}'.encode("latin-1"), "is not UTF-8"),
    "yaml-alias-bomb": ("cases", "bomb.yaml", _yaml_bomb, "GOVPLAT_INPUT_MAX_NODES"),
    "yaml-recursive-alias": ("cases", "recursive.yaml", lambda: "conflict: &a [*a]\n", "GOVPLAT_INPUT_MAX_DEPTH"),
    "yaml-deep-flow": ("cases", "flow.yaml", lambda: "conflict: " + "[" * DEPTH + "]" * DEPTH + "\n",
                       "malformed YAML"),
    "yaml-deep-block": ("cases", "block.yaml",
                        lambda: "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v\n",
                        "GOVPLAT_INPUT_MAX_DEPTH"),
    "xml-billion-laughs": ("courtlistener", "laughs.xml",
                           lambda: '<?xml version="1.0"?>\n<!DOCTYPE gov_uscourts_docket [\n<!ENTITY l0 "lol">\n'
                           + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
                           + "]>\n<gov_uscourts_docket><case_details>&l9;</case_details></gov_uscourts_docket>\n",
                           "DTD or entity declarations is refused"),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A store holding one record, and its `govplat stats` before any hostile file."""
    root = tmp_path_factory.mktemp("seeded")
    env = {"GOVPLAT_HOME": str(root / "home"), "GOVPLAT_STORE": "embedded", "COLUMNS": "100000"}
    (root / "seed.ttl").write_text(SEED, encoding="utf-8")
    run_cli("import", str(root / "seed.ttl"), "--no-validate", env=env, check=True)
    return env, run_cli("stats", "--json", env=env, check=True).stdout


def _write(path, content):
    content = content()
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


WORKER = """
import json, sys
from graph.errors import GovplatError
from graph.stores import open_store
from ingest.run import available_sources, run_source
sources = available_sources()
out = {}
with open_store() as store:
    for name, source, path in json.loads(sys.argv[1]):
        try:
            out[name] = run_source(sources[source], store, [path]).to_json()
        except GovplatError as exc:
            out[name] = {"error": str(exc)}
    out["counts"] = store.counts()
print(json.dumps(out, default=str))
"""


def test_hostile_files_give_clear_bounded_errors_and_store_nothing(tmp_path, seeded):
    """Every case through each source's own reader (one process for all: the CLI costs seconds
    per start); an exception other than govplat's own is a traceback and fails the test."""
    import sys

    env, before = seeded
    jobs = [(name, source, str(_write(tmp_path / f"{name}-{file_name}", content)))
            for name, (source, file_name, content, _) in CASES.items()]
    proc = run_watched([sys.executable, "-c", WORKER, json.dumps(jobs)], env=env, rss_limit_mb=RSS_MB, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    problems = []
    for name, _, path in jobs:
        said = json.dumps(got[name])
        expected = CASES[name][3]
        if got[name].get("rejected", 0) == 0 and "error" not in got[name] or path not in said \
                or expected not in said or len(said) > 5000:
            problems.append(f"{name}: {said[:1500]}")
    assert not problems, "\n\n".join(problems)
    stats = json.loads(before)
    assert got["counts"] == {"entities": stats["entities"], "relations": stats["relations"]}


def test_cli_message_for_a_million_columns_is_short(tmp_path, seeded):
    env, before = seeded
    source, file_name, content, expected = CASES["csv-million-columns"]
    path = _write(tmp_path / file_name, content)
    proc = run_bounded("ingest", source, str(path), env=env, rss_limit_mb=RSS_MB)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and str(path) in proc.stderr
    assert expected in proc.stderr and len(proc.stdout + proc.stderr) < 5000, len(proc.stdout + proc.stderr)
    assert run_cli("stats", "--json", env=env, check=True).stdout == before


def test_detect_passes_over_hostile_files_without_traceback(tmp_path, seeded):
    env, before = seeded
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("json-deep-lumen", "json-deep-objects", "csv-utf16", "yaml-alias-bomb", "xlsx-billion-laughs",
                 "xlsx-zip-bomb"):
        _, file_name, content, _ = CASES[name]
        _write(folder / file_name, content)
    proc = run_bounded("ingest", "--detect", str(folder), "--json", env=env, rss_limit_mb=RSS_MB)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert set(doc["detect"]["unrecognised"]) == {str(p) for p in folder.iterdir()}
    assert run_cli("stats", "--json", env=env, check=True).stdout == before


def test_input_size_limit_is_named(tmp_path, seeded):
    env, _ = seeded
    path = tmp_path / "big.csv"
    path.write_text(",".join(_keepiton_header()) + "\n" + "x," * 1_000_000 + "\n", encoding="utf-8")
    proc = run_bounded("ingest", "keepiton", str(path), env={**env, "GOVPLAT_INPUT_MAX_BYTES": "1000000"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "2,000," in proc.stderr and "1,000,000" in proc.stderr and "GOVPLAT_INPUT_MAX_BYTES" in proc.stderr
    assert str(path) in proc.stderr


def test_many_bad_rows_give_a_bounded_report(tmp_path, seeded):
    """20,000 malformed rows: the first few rejections are listed, then a count; none is stored
    (the file's own Source record is, as for any file a source reads)."""
    env, before = seeded
    header = _keepiton_header()
    path = tmp_path / "rows.csv"
    path.write_text(",".join(header) + "\n" + "".join(f"r{i},{'x,' * (len(header) + 3)}\n" for i in range(20_000)),
                    encoding="utf-8")
    proc = run_bounded("ingest", "keepiton", str(path), env=env, rss_limit_mb=RSS_MB)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "19,980 more (not listed)" in proc.stderr and len(proc.stderr) < 20_000, proc.stderr[-3000:]
    after, was = json.loads(run_cli("stats", "--json", env=env, check=True).stdout), json.loads(before)
    assert {k: v for k, v in after["entities"].items() if k != "Source"} == \
        {k: v for k, v in was["entities"].items() if k != "Source"}
    assert after["relations"] == was["relations"]
