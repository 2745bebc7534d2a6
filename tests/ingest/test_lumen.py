"""Lumen / Chilling Effects notices (real files from ../shared/data)."""
from __future__ import annotations

import datetime as dt
import json

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, one, snapshot, value

DIR = ("lumen-chillingeffects",)


def test_notices_become_demands_with_actors(store):
    counters = ingest(store, "lumen", shared_file(*DIR))
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    # SOURCES.md 3: 9 notices, one restricted stub (116) -> 9 Sources, 8 demands
    assert value(store, "MATCH (s:Source) WHERE s.id STARTS WITH 'lumen-source-' RETURN count(s) AS n") == 9
    assert value(store, "MATCH (d:RemovalRequest) RETURN count(d) AS n") == 4
    assert value(store, "MATCH (d:InformationRequest) RETURN count(d) AS n") == 4
    assert counters.skipped == {"restricted notice (only id, title and body published): stored as a Source, no event": 1}
    r = one(store, "MATCH (d:RemovalRequest {id: 'lumen-notice-100'}) MATCH (d)-[:ADDRESSED_TO]->(g:Company) "
                   "MATCH (d)-[m:MADE_BY]->(a:Company) MATCH (s:Source {id: 'lumen-source-100'}) "
                   "RETURN d.kind AS kind, d.kindDetail AS detail, d.date AS date, d.topics AS topics, d.actionTaken AS action, "
                   "d.infringingUrls AS bad, d.copyrightedUrls AS good, g.id AS to, a.name AS by, m.role AS role, "
                   "s.url AS url, s.publisher AS pub")
    # Lumen's notice type is the kind's wording, stored beside its gp:DemandInstruments notation
    assert (r["kind"], r["detail"], r["date"], r["to"], r["by"], r["role"], r["action"]) == \
        ("copyright_notice", "dmca_notice", dt.date(2012, 1, 14), "google-llc", "Audioraiders", "sender and principal", "Yes")
    assert sorted(r["topics"]) == ["Copyright", "DMCA Safe Harbor"]
    assert r["bad"] == ["http://download-key.com/search/dfx-audio-enhancer-10-1-crack-serial-key-torrent"]
    assert sorted(r["good"]) == ["http://www.audioraiders.com", "http://www.sasha-soundlab.com"]
    assert r["url"] == "https://lumendatabase.org/notices/100" and r["pub"].startswith("Lumen")
    kinds = {x["id"]: x["kind"] for x in store.run("MATCH (d:InformationRequest) RETURN d.id AS id, d.kind AS kind").rows}
    assert kinds == {"lumen-notice-155": "subpoena", "lumen-notice-1196": "subpoena",
                     "lumen-notice-1781": "subpoena", "lumen-notice-339": "unmasking_request"}
    assert value(store, "MATCH (:RemovalRequest {id: 'lumen-notice-2639'})-[:ADDRESSED_TO]->(p:Platform) "
                        "RETURN p.id AS id") == "twitter"
    assert value(store, "MATCH (:RemovalRequest {id: 'lumen-notice-129'})-[:ADDRESSED_TO]->(p:CivilSocietyOrganization) "
                        "RETURN p.id AS id") == "eff"
    # an unknown law firm is a Company holding only its name, flagged as a guess
    firm = one(store, "MATCH (:RemovalRequest {id: 'lumen-notice-129'})-[:MADE_BY {role: 'sender'}]->(a:Company) "
                      "RETURN a.name AS name, a.uncertain AS why")
    assert firm["name"] == "GIBNEY, ANTHONY & FLAHERTY, LLP" and "inferred" in firm["why"]
    assert value(store, "MATCH (s:Source {id: 'lumen-source-116'}) RETURN s.text AS t") == "Notice Rescinded"


def test_recipient_with_product_gives_company_and_platform(tmp_path, store):
    notice = json.loads(shared_file(*DIR, "notice_100.json").read_text())
    notice["dmca"]["recipient_name"] = "Google, Inc. [Blogger]"
    (tmp_path / "n.json").write_text(json.dumps(notice))
    assert ingest(store, "lumen", tmp_path / "n.json").rejected == 0
    rows = store.run("MATCH (:RemovalRequest {id: 'lumen-notice-100'})-[r:ADDRESSED_TO]->(x) "
                     "RETURN x.id AS id, r.role AS role ORDER BY id").rows
    assert [(r["id"], r["role"]) for r in rows] == [("blogger", "recipient's service"), ("google-llc", "recipient")]


def test_rerun_changes_nothing(store):
    ingest(store, "lumen", shared_file(*DIR))
    before = snapshot(store)
    ingest(store, "lumen", shared_file(*DIR))
    assert snapshot(store) == before


def test_bad_files_and_records(tmp_path, store):
    (tmp_path / "layout.json").write_text(json.dumps({"notices": [1, 2]}))
    (tmp_path / "broken.json").write_text('{"dmca": {"id": 5, ')
    notice = json.loads(shared_file(*DIR, "notice_2639.json").read_text())
    notice["dmca"]["date_sent"] = "yesterday"
    (tmp_path / "baddate.json").write_text(json.dumps(notice))
    counters = ingest(store, "lumen", tmp_path)
    errors = {e.where.rsplit("/", 1)[-1]: e for e in counters.errors}
    assert set(errors) == {"layout.json", "broken.json", "baddate.json"}
    assert "expected one key, the notice type" in str(errors["layout.json"])
    assert "malformed JSON at line 1" in str(errors["broken.json"])
    assert errors["baddate.json"].field == "date_sent" and "yesterday" in str(errors["baddate.json"])
    assert store.counts()["entities"] == {}
