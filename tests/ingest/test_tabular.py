"""ingest/sources/cells.py and tabular.py: cell and period parsing, layout detection, bad rows and files,
and the SHACL fast path the transparency sources rely on (graph/validate.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import SourceError
from graph.model import Entity
from ingest.context import Context
from ingest.run import available_sources
from ingest.sources.cells import (Band, CellError, half_year_ending, half_year_label, half_year_text,
                                  month_span_code, parse_count, parse_percent)
from ingest.sources.tabular import StatisticsSource
from tests.ingest._helpers import Capture, file_report, run_captured


# ------------------------------------------------------------------ cells
@pytest.mark.parametrize("text, value", [
    ("15,433", 15433), ("7", 7), (" 12 ", 12), ("1,234,567", 1234567),
    ("<10", Band(0, 9)), ("< 10", Band(0, 9)), ("0 - 249", Band(0, 249)),
    ("11,000 - 12,000", Band(11000, 12000)), ("11000 - 12000", Band(11000, 12000)),
    ("", None), (" -", None), ("-", None),
])
def test_parse_count(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["?", "1.5", "12,34", "-3", "n/a", "10 - 5", "<0", "1,0000"])
def test_parse_count_refuses(text):
    with pytest.raises(CellError) as info:
        parse_count(text)
    assert repr(text) in str(info.value)


def test_parse_percent():
    assert parse_percent("54%") == 54.0
    assert parse_percent("79") == 79.0
    assert parse_percent("12.5 %") == 12.5
    assert parse_percent(" -") is None and parse_percent("") is None
    for bad in ("101%", "high", "-5%"):
        with pytest.raises(CellError):
            parse_percent(bad)


def test_periods():
    p = half_year_ending("2019-06-30")
    assert (p.start, p.end, p.label, p.raw) == (dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019 H1", "2019-06-30")
    assert half_year_ending("2009-12-31").label == "2009 H2"
    assert half_year_text("July - December 2024").start == dt.date(2024, 7, 1)
    assert half_year_label("2013 H1").end == dt.date(2013, 6, 30)
    span = month_span_code("jul12jun13")
    assert (span.start, span.end, span.label) == (dt.date(2012, 7, 1), dt.date(2013, 6, 30), "Jul 2012 - Jun 2013")
    assert month_span_code("juldec13").label == "2013 H2"
    assert month_span_code("janjun14").label == "2014 H1"
    for parse, bad in ((half_year_ending, "2019-05-31"), (half_year_ending, "30/06/2019"),
                       (half_year_text, "Spring 2020"), (month_span_code, "summer19")):
        with pytest.raises(CellError):
            parse(bad)


# ------------------------------------------------------------------ a small source of our own
CONFIG = {
    "title": "Test report", "publisher": "Test publisher", "label": "Test", "prefix": "tst",
    "url": "https://example.org/report", "max_bad_fraction": 0.25, "reports_on": ["google-llc"],
    "products": {"YouTube": "youtube"},
    "layouts": {
        "removals": {
            "title": "Removal requests",
            "columns": ["Period Ending", "Country", "Code", "Product", "Requests", "Items", "Rate"],
            "period": {"column": "Period Ending", "format": "half_year_ending"},
            "country": {"name": "Country", "code": "Code"},
            "dimensions": {"product": "Product"},
            "statistics": [{"kind": "removal", "name": "removal requests",
                            "values": {"requests": "Requests", "itemsSpecified": "Items", "complianceRate": "Rate"}}],
        },
    },
}
HEADER = "Period Ending,Country,Code,Product,Requests,Items,Rate\n"
ROWS = ["2019-06-30,Turkey,TR,YouTube,\"1,204\",<10,55%\n", "2019-12-31,Germany,DE,Blogger,3,4,\n",
        "2019-12-31,France,FR,YouTube,2,2,100\n", "2020-06-30,Spain,ES,YouTube,1,1,0%\n"]


def run_small(tmp_path, text: str | bytes, name: str = "report.csv", config: dict = CONFIG):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    cap = Capture()
    ctx = Context("tst", cap, paths=[path], config=config)  # type: ignore[arg-type]
    try:
        StatisticsSource(ctx).run()
        ctx.flush()
    except SourceError as exc:  # what ingest.run does
        ctx.reject(exc)
    return ctx.counters, cap, path


def test_small_file_as_published(tmp_path):
    text = "\ufeff" + (HEADER + "".join(ROWS)).replace("\n", "\r\n")  # BOM + CRLF
    counters, cap, path = run_small(tmp_path, text)
    assert counters.errors == []
    tr = cap.one(countryName="Turkey")
    assert tr.props["requests"] == 1204
    assert (tr.props["itemsSpecifiedMin"], tr.props["itemsSpecifiedMax"]) == (0, 9)
    assert "itemsSpecified" not in tr.props
    assert tr.props["complianceRate"] == 55.0
    assert tr.props["name"] == "Test removal requests: Turkey, 2019 H1, YouTube"
    assert tr.props["editionDate"] == dt.date(2020, 6, 30)  # the file's last half-year
    assert "youtube" in cap.links(tr.id, "REPORTS_ON")
    assert (tr.id, "IN_JURISDICTION", "country-tr") in cap.relations
    de = cap.one(countryName="Germany")
    assert "complianceRate" not in de.props  # empty cell: no value, not 0
    assert cap.links(de.id, "REPORTS_ON") == {"google-llc"}
    assert counters.notes["products without a platform"] == ["Blogger"]
    source = cap.entities[tr.sources[0]]
    assert source.cls == "Source" and source.props["kind"] == "data_file" and source.props["retrievedDate"]
    assert file_report(counters, "report.csv") == {"layout": "removals", "rows": 4, "rejected_rows": 0,
                                                   "statistics": 4, "stored": True}


def test_same_file_twice_gives_the_same_ids(tmp_path):
    _, first, _ = run_small(tmp_path, HEADER + "".join(ROWS))
    _, second, _ = run_small(tmp_path, HEADER + "".join(ROWS))
    assert set(first.entities) == set(second.entities) and first.relations == second.relations


def test_changed_header_rejects_the_file_naming_columns(tmp_path):
    counters, cap, path = run_small(tmp_path, HEADER.replace("Requests", "Demands") + "".join(ROWS))
    assert not cap.entities
    (err,) = counters.errors
    assert isinstance(err, SourceError) and err.where == str(path)
    assert "'Requests'" in str(err) and "'Demands'" in str(err) and "removals" in str(err)


def test_bad_number_rejects_the_row_with_line_and_column(tmp_path):
    rows = ROWS[:2] + ["2019-12-31,France,FR,YouTube,many,2,100\n"] + ROWS[3:]
    counters, cap, path = run_small(tmp_path, HEADER + "".join(rows))
    (err,) = counters.errors
    assert err.where == f"{path}:4" and err.field == "Requests" and "'many'" in err.reason
    assert len(cap.stats()) == 3 and not cap.stats(countryName="France")
    assert file_report(counters, "report.csv")["rejected_rows"] == 1


def test_unknown_country_rejects_the_row(tmp_path):
    rows = ROWS[:1] + ["2019-12-31,Atlantis,,Blogger,3,4,\n"] + ROWS[2:]
    counters, cap, path = run_small(tmp_path, HEADER + "".join(rows))
    (err,) = counters.errors
    assert err.where == f"{path}:3" and err.field == "Country" and "unknown country 'Atlantis'" in err.reason


def test_too_many_bad_rows_reject_the_whole_file(tmp_path):
    rows = ["2019-12-31,France,FR,YouTube,?,2,100\n", "2019-12-31,Spain,ES,YouTube,?,2,100\n"] + ROWS[:2]
    counters, cap, path = run_small(tmp_path, HEADER + "".join(rows))  # 2 of 4 bad > 25%
    assert not cap.entities
    (err,) = counters.errors
    assert isinstance(err, SourceError) and err.where == str(path)
    assert "2 of 4 rows (50.0%) are bad" in err.reason and ":2 Requests" in err.reason


def test_non_utf8_file_is_rejected(tmp_path):
    text = (HEADER + "2019-06-30,Curaçao,CW,YouTube,1,1,0\n").encode("latin-1")
    counters, cap, path = run_small(tmp_path, text)
    assert not cap.entities
    (err,) = counters.errors
    assert err.where == str(path) and "not UTF-8" in err.reason


def test_repeated_row_is_rejected(tmp_path):
    counters, cap, path = run_small(tmp_path, HEADER + "".join(ROWS) + ROWS[1])
    (err,) = counters.errors
    assert err.where == f"{path}:6" and "repeats the figures of line 3" in err.reason


def test_a_misaligned_row_is_rejected(tmp_path):
    counters, cap, path = run_small(tmp_path, HEADER + "".join(ROWS) + "2020-06-30,Italy,IT,YouTube,1,1,0,9\n")
    (err,) = counters.errors
    assert err.where == f"{path}:6" and "8 cells" in err.reason


def test_layout_config_is_checked_against_the_ontology(tmp_path):
    config = {**CONFIG, "layouts": {"removals": {**CONFIG["layouts"]["removals"], "statistics": [
        {"kind": "removal", "values": {"requestz": "Requests"}}]}}}
    counters, cap, path = run_small(tmp_path, HEADER + "".join(ROWS), config=config)
    (err,) = counters.errors
    assert "no property 'requestz'" in str(err)


def test_every_layout_column_is_read():
    """No column of a published layout is dropped silently: each is mapped in the YAML."""
    from ingest.sources.tabular import load_layouts

    for name in ("google_transparency", "meta_requests", "apple_transparency", "wikimedia_transparency"):
        config = available_sources()[name].config
        for layout in load_layouts(name, config).values():
            if layout.handler:
                continue
            unread = set(layout.columns) - layout.used_columns()
            assert not unread, f"{name}/{layout.name} ignores {sorted(unread)}"


def test_lookup_targets_exist_in_the_registry():
    from ingest.registry import registry_records

    known = registry_records()
    for name in ("google_transparency", "meta_requests", "apple_transparency", "wikimedia_transparency"):
        config = available_sources()[name].config
        ids = set(config.get("reports_on") or [])
        ids |= {v for v in (config.get("products") or {}).values() if v}
        ids |= {p["id"] for p in config.get("product_patterns") or [] if p.get("id")}
        for layout in (config.get("layouts") or {}).values():
            ids |= set(layout.get("reports_on") or [])
        missing = sorted(i for i in ids if i not in known)
        assert not missing, f"{name}.yml names ids the registry lacks: {missing}"


# ------------------------------------------------------------------ SHACL fast path
def test_shacl_fast_path_gives_pyshacl_results():
    import graph.validate as v

    good = [Entity(f"s-{i}", "RequestStatistic", {"name": f"n{i}", "kind": "removal", "requests": i,
                                                  "periodEnd": dt.date(2020, 6, 30)}, ["src"]) for i in range(20)]
    bad = [Entity("Bad-ID", "RequestStatistic", {"name": "x"}, ["src"]),
           Entity("no-name", "RequestStatistic", {"kind": "removal"}, ["src"]),
           Entity("no-src", "RequestStatistic", {"name": "x"}, []),
           Entity("bad-precision", "RequestStatistic", {"name": "x", "datePrecision": "week"}, ["src"]),
           Entity("src-no-url", "Source", {"name": "x", "publisher": "p"}, ["src"]),
           Entity("event-no-date", "RemovalRequest", {"name": "x"}, ["src"]),
           Entity("country-bad", "Country", {"name": "x", "countryCode": "usa"}, ["src"]),
           Entity("response-kind", "Response", {"name": "x", "date": dt.date(2020, 1, 1), "kind": "ignored"}, ["src"]),
           Entity("two-kinds", "RequestStatistic", {"name": "x", "kind": ["a", "b"]}, ["src"])]
    assert v.compiled_shapes() is not None, "the shapes use a component the fast path does not know"
    assert v._certainly_conforming(good, v.ontology()) == {e.id for e in good}
    assert not v._certainly_conforming(bad, v.ontology())

    def norm(result):
        return {k: sorted(str(e) for e in errs) for k, errs in result.items()}

    fast = norm(v.check_entities(good + bad))
    original = v._certainly_conforming
    try:
        v._certainly_conforming = lambda entities, onto: set()
        slow = norm(v.check_entities(good + bad))
    finally:
        v._certainly_conforming = original
    assert fast == slow and set(fast) == {e.id for e in bad}


def _statistics_both_ways(rows):
    """The same statistics and their IN_JURISDICTION links emitted as records and as a table
    (Context.emit_table): (errors, stored entity ids, stored relations) of each."""
    import pyarrow as pa

    from graph.model import Relation

    out = []
    for as_table in (False, True):
        cap = Capture()
        ctx = Context("tst", cap)  # type: ignore[arg-type]
        if as_table:
            ctx.emit_table("RequestStatistic", pa.table({"id": [r[0] for r in rows], "sources": [["src"]] * len(rows),
                                                         "name": [r[1] for r in rows]}),
                           [f"t.csv:{n}" for n in range(2, len(rows) + 2)],
                           {"IN_JURISDICTION": (pa.table({"from": [r[0] for r in rows], "to": ["country-tr"] * len(rows),
                                                          "sources": [["src"]] * len(rows)}),
                                                [f"t.csv:{n}" for n in range(2, len(rows) + 2)])})
        else:
            for n, (eid, name) in enumerate(rows, 2):
                ctx.emit(Entity(eid, "RequestStatistic", {"name": name}, ["src"], f"t.csv:{n}"))
            for n, (eid, _) in enumerate(rows, 2):
                ctx.emit_relation(Relation("IN_JURISDICTION", eid, "country-tr", {}, ["src"], f"t.csv:{n}"))
        ctx.flush()
        out.append((sorted(str(e) for e in ctx.counters.errors), sorted(cap.entities), sorted(cap.relations),
                    ctx.counters.to_json()))
    return out


def test_a_row_failing_a_shape_is_rejected_alone_in_the_record_paths_words():
    """Shapes checked column-wise on a table: the failing rows (an id against the id pattern,
    an empty name) rejected with the words pyshacl gives on the record path, their links with
    them, the other rows stored."""
    records, table = _statistics_both_ways([("tst-1", "Good"), ("TST-2", "Upper-case id"), ("tst-3", ""),
                                            ("tst-4", "Also good")])
    assert table == records
    errors, stored, relations, counters = table
    assert stored == ["tst-1", "tst-4"] and len(relations) == 2
    assert any("t.csv:3, record 'TST-2', field 'id'" in e and "lowercase" in e for e in errors)
    assert any("t.csv:4, record 'tst-3', field 'name'" in e and "every entity needs a name" in e for e in errors)
    assert any("not stored because 'tst-3' was rejected" in e for e in errors)
    assert counters["read"] == 8 and counters["stored_entities"] == 2 and counters["stored_relations"] == 2
