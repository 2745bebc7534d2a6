"""CourtListener / Juriscraper records (real files from ../shared/data)."""
from __future__ import annotations

import datetime as dt
import json
import shutil

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, one, snapshot, value

DIR = ("courtlistener-juriscraper",)


def test_courts_cases_and_parties(store):
    counters = ingest(store, "courtlistener", shared_file(*DIR))
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    # 458 court records, 422 distinct ids (SOURCES.md 4b); one node per court, registry ids reused
    assert counters.skipped["courtlistener: court listed twice in court_data.json (one node kept)"] == 36
    assert value(store, "MATCH (c:Court) WHERE any(a IN c.aliases WHERE a = 'cand') RETURN count(c) AS n") == 1
    assert value(store, "MATCH (c:Court {id: 'court-us-cand'}) RETURN c.name AS n") == \
        "U.S. District Court for the Northern District of California"
    assert value(store, "MATCH (c:Court) WHERE c.id = 'court-us-scotus' RETURN count(c) AS n") == 0
    assert value(store, "MATCH (c:Court {id: 'court-us-ca9'}) RETURN count(c) AS n") == 1
    g = one(store, "MATCH (k:CourtCase {docketNumber: '1:20-cv-03010'})-[:HEARD_BY]->(c:Court) "
                   "MATCH (gl:Company {id: 'google-llc'})-[pg:PARTY_TO]->(k) "
                   "MATCH (us:Government)-[pu:PARTY_TO]->(k) "
                   "RETURN k.filedDate AS filed, k.natureOfSuit AS nos, k.legalBasis AS cause, c.id AS court, "
                   "pg.role AS google, us.id AS us, pu.role AS us_role")
    assert (g["filed"], g["nos"], g["cause"], g["court"], g["google"], g["us"], g["us_role"]) == \
        (dt.date(2020, 10, 20), "410 Anti-Trust", "15:1 Antitrust Litigation", "court-us-dcd", "defendant",
         "us-federal-government", "plaintiff")
    nj = one(store, "MATCH (r:Ruling)-[:DECIDES]->(k:CourtCase {docketNumber: 'A-61-21/A-7-22'}) "
                    "MATCH (k)-[:HEARD_BY]->(c:Court) MATCH (s:Government)-[p:PARTY_TO]->(k) "
                    "RETURN r.date AS date, c.id AS court, s.name AS state, p.role AS role")
    assert (nj["date"], nj["court"], nj["state"], nj["role"]) == \
        (dt.date(2023, 6, 29), "court-us-nj", "State Of New Jersey", "respondent")
    captions = {r["n"] for r in store.run("MATCH (k:CourtCase) RETURN k.name AS n").rows}
    assert {"TikTok Inc. v. Merrick Garland", "Twitter, Inc. v. Ken Paxton", "Meta Platforms, Inc. v. FTC",
            "City of Reno v. Netflix, Inc.", "United States v. Facebook", "@Twitter v. Whitaker"} <= captions
    # private suits against platforms, and government cases without a platform, are skipped and counted
    assert not captions & {"Cara Jones v. Google LLC", "Bernardino v. Barnes & Noble Booksellers, Inc.",
                           "Rosemarie Vargas v. Facebook, Inc.", "Gonzalez v. Google LLC"}
    assert counters.skipped["courtlistener: case without both a platform and a government party"] > 0
    rows = store.run_named("platform_court_cases", {"platform": "twitter-inc"}).rows
    assert {"Twitter, Inc. v. Ken Paxton", "@Twitter v. Whitaker"} <= {r["case_name"] for r in rows}


def test_opinions_link_to_a_curated_case_with_the_same_docket(store):
    from graph.model import Entity, Relation

    store.upsert([Entity("src-x", "Source", {"name": "x", "title": "x", "publisher": "p", "url": "https://x"}, ["src-x"]),
                  Entity("court-us-cadc", "Court", {"name": "D.C. Circuit"}, ["src-x"]),
                  Entity("curated-tiktok", "CourtCase", {"name": "TikTok v. Garland", "docketNumber": "24-1113"},
                         ["src-x"])],
                 [Relation("HEARD_BY", "curated-tiktok", "court-us-cadc", {}, ["src-x"])])
    path = shared_file(*DIR, "juriscraper", "opinions__united_states__cadc_pi_example.compare.json")
    ingest(store, "courtlistener", path)
    assert value(store, "MATCH (r:Ruling)-[:DECIDES]->(k:CourtCase {id: 'curated-tiktok'}) RETURN r.date AS d") == \
        dt.date(2024, 12, 13)
    assert value(store, "MATCH (k:CourtCase {docketNumber: '24-1113'}) RETURN count(k) AS n") == 1


def test_rerun_changes_nothing(store):
    ingest(store, "courtlistener", shared_file(*DIR))
    before = snapshot(store)
    ingest(store, "courtlistener", shared_file(*DIR))
    assert snapshot(store) == before


def test_bad_files(tmp_path, store):
    (tmp_path / "other.json").write_text(json.dumps({"hello": "world"}))
    shutil.copy(shared_file(*DIR, "juriscraper", "opinions__united_states__nj_example.compare.json"),
                tmp_path / "opinions__united_states__unknownct_example.compare.json")
    (tmp_path / "docket.xml").write_text("<gov_uscourts_docket><case_details>")
    counters = ingest(store, "courtlistener", tmp_path)
    errors = {e.where.rsplit("/", 1)[-1]: str(e) for e in counters.errors}
    assert "unknown layout" in errors["other.json"] and "opinion list" in errors["other.json"]
    assert "unknownct" in errors["opinions__united_states__unknownct_example.compare.json"]
    assert "malformed XML" in errors["docket.xml"]
    assert store.counts()["entities"] == {}
