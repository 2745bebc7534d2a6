"""Access Now #KeepItOn STOP 2019 -> BlockingOrders (real file from ../shared/data)."""
from __future__ import annotations

import datetime as dt

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, one, snapshot, value

REL = ("accessnow-keepiton-stop", "shutdown-data.csv")


def test_every_row_is_a_dated_order_with_country_body_and_platforms(store):
    counters = ingest(store, "keepiton", shared_file(*REL))
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    # SOURCES.md 5a: 205 records, India 119 rows; IDs 197 and 198 report one shutdown (Iran,
    # 16 November 2019, same area and kind) -> 204 orders, the one listing both lines
    assert value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n") == 204
    assert value(store, "MATCH (o:BlockingOrder) WHERE o.area STARTS WITH 'National except Kurdish' "
                        "AND o.date = date('2019-11-16') RETURN o.reportedIn AS r") == ["shutdown-data.csv line 166", "shutdown-data.csv line 181"]
    assert value(store, "MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(c:Country {id: 'country-in'}) "
                        "RETURN count(o) AS n") == 119
    assert value(store, "MATCH (o:BlockingOrder) WHERE o.date < date('2019-01-01') OR o.date > date('2019-12-31') "
                        "RETURN count(o) AS n") == 0
    r = one(store, "MATCH (o:BlockingOrder) WHERE o.area STARTS WITH 'Bhima Koregaon' "
                   "MATCH (o)-[m:MADE_BY]->(g:Government) "
                   "RETURN o.kind AS kind, o.date AS start, o.liftedDate AS lifted, o.legalBasis AS basis, "
                   "g.id AS body, m.role AS role, size(o.sources) AS n_sources")
    assert (r["kind"], r["start"], r["lifted"], r["basis"], r["body"], r["role"]) == \
        ("internet_shutdown", dt.date(2019, 1, 1), dt.date(2019, 1, 2), "Section-144 of CrPC", "gov-in-state", "state government")
    assert r["n_sources"] == 3  # the file and the two news links
    # Gabon's national shutdown during the coup attempt (ID 10): service-based part -> TARGETS
    platforms = store.run("MATCH (o:BlockingOrder)-[:IN_JURISDICTION]->(:Country {id: 'country-ga'}) "
                          "MATCH (o)-[:TARGETS]->(p:Platform) MATCH (o)-[:MADE_BY]->(g:Government) "
                          "RETURN p.id AS pid, g.id AS gid ORDER BY pid").rows
    assert [(x["pid"], x["gid"]) for x in platforms] == [("facebook", "gov-ga-executive"), ("twitter", "gov-ga-executive"),
                                                    ("whatsapp", "gov-ga-executive")]
    # the registry's government is reused where one resolves
    assert value(store, "MATCH (o:BlockingOrder)-[:MADE_BY]->(g:Government {id: 'pk-government'}) "
                        "RETURN count(o) AS n") == 4
    assert counters.skipped  # non-government / unknown orderers are counted, not errors


def test_named_query_shutdowns_by_government_and_platform(store):
    ingest(store, "keepiton", shared_file(*REL))
    rows = store.run_named("shutdown_governments_platforms").rows
    assert {"government_id", "government", "country", "platform", "orders"} <= set(rows[0])
    gabon = [r for r in rows if r["government_id"] == "gov-ga-executive"]
    assert sorted(r["platform"] for r in gabon) == ["Facebook", "Twitter", "WhatsApp"]


def test_rerun_changes_nothing(store):
    path = shared_file(*REL)
    ingest(store, "keepiton", path)
    before = snapshot(store)
    assert ingest(store, "keepiton", path).rejected == 0
    assert snapshot(store) == before


def test_unknown_header_stores_nothing_of_the_file(tmp_path, store):
    text = shared_file(*REL).read_text(encoding="utf-8")
    bad = tmp_path / "renamed.csv"
    bad.write_text(text.replace("ordered_by ,", "who_ordered,", 1), encoding="utf-8")
    counters = ingest(store, "keepiton", bad)
    assert counters.rejected == 1 and counters.stored_entities == 0
    msg = str(counters.errors[0])
    assert "renamed.csv" in msg and "'ordered_by'" in msg and "'who_ordered'" in msg and "stop-2019" in msg
    assert store.counts()["entities"] == {}


def test_bad_row_is_rejected_with_line_and_column(tmp_path, store):
    lines = shared_file(*REL).read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("185,10/7/2019,")
    lines[1] = lines[1].replace("185,10/7/2019,", "185,the seventh,", 1)
    bad = tmp_path / "one-bad-row.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    counters = ingest(store, "keepiton", bad)
    assert counters.rejected == 1
    err = counters.errors[0]
    assert err.where == f"{bad}:2" and err.field == "start_date" and "the seventh" in str(err)
    assert value(store, "MATCH (o:BlockingOrder) RETURN count(o) AS n") == 203
