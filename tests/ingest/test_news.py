"""News text: Source with text, MENTIONS from a gazetteer read from the graph, candidates listed."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import shared_file
from tests.ingest._helpers import ingest, one, snapshot

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ("articles", "000_7a2020193e9dbdaf.txt")
EXPECTED = {"alt-uscis", "twitter", "us-dhs", "us-cbp", "us-uscis", "aclu", "doctrine-first-amendment",
            "twitter-wikileaks", "occupy-wall-street", "country-tr"}


def _curated(store):
    ingest(store, "cases", ROOT / "ingest" / "data" / "registry", ROOT / "ingest" / "data" / "cases")


def test_article_links_what_it_mentions(store):
    _curated(store)
    path = shared_file(*ARTICLE)
    counters = ingest(store, "news", path)
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    s = one(store, "MATCH (s:Source) WHERE s.kind = 'news' AND s.text IS NOT NULL AND s.id STARTS WITH 'news-' "
                   "RETURN s.id AS id, s.title AS title, s.publisher AS pub, s.uncertain AS why, s.url AS url, "
                   "s.publishedDate AS date")
    assert s["title"].startswith("Twitter Filed A Lawsuit To Protect This Account")
    assert s["pub"] == "unknown (not stated in the text)" and s["date"] is None
    assert "publisher, date" in s["why"] and s["url"].startswith("ni:///sha-256;")
    linked = {r["id"] for r in store.run("MATCH (s:Source {id: $id})-[:MENTIONS]->(e) RETURN e.id AS id",
                                         {"id": s["id"]}).rows}
    assert EXPECTED <= linked, EXPECTED - linked
    # the article's "U.S. Citizen and Immigration Services" (sic) is a registry alias of us-uscis;
    # names nobody registered are listed for a person to confirm, never created
    notes = counters.notes
    cands = notes["candidates (not created; confirm and add to the registry)"][str(path)]
    assert "San Francisco" in cands and "U.S. Citizen and Immigration Services" not in cands
    assert notes["mentions"][str(path)]["alt-uscis"][0] == "@ALT_uscis"


def test_rerun_changes_nothing_and_creates_no_entities(store):
    _curated(store)
    before_counts = store.counts()["entities"]
    ingest(store, "news", shared_file(*ARTICLE))
    after = store.counts()["entities"]
    assert {k: after[k] - before_counts.get(k, 0) for k in after if after[k] != before_counts.get(k, 0)} == {"Source": 1}
    snap = snapshot(store)
    ingest(store, "news", shared_file(*ARTICLE))
    assert snapshot(store) == snap


def test_bad_text_files(tmp_path, store):
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 society\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n")
    counters = ingest(store, "news", tmp_path)
    errors = {e.where.rsplit("/", 1)[-1]: str(e) for e in counters.errors}
    assert "not UTF-8" in errors["latin1.txt"] and "is empty" in errors["empty.txt"]
    assert store.counts()["entities"] == {}


def test_markdown_articles_record_their_address_date_and_publisher(store):
    """articles/: 12 Markdown articles (8 articleMD blocks, 4 IFF Hugo posts), a plain-text one
    and a README (no curated data loaded: mentions are the tests above)."""
    counters = ingest(store, "news", shared_file("articles"))
    assert counters.rejected == 0, [str(e) for e in counters.errors]
    assert counters.skipped == {"documentation (README), not an article": 1}
    zdnet = one(store, "MATCH (s:Source) WHERE s.url = "
                       "'https://www.zdnet.com/article/kazakhstan-leaders-shut-down-internet-amid-energy-price-protests/' "
                       "RETURN s.publisher AS pub, s.publishedDate AS date, s.uncertain AS why")
    assert (zdnet["pub"], str(zdnet["date"]), zdnet["why"]) == ("ZDNet", "2022-01-05", None)
    iff = one(store, "MATCH (s:Source) WHERE s.url = "
                     "'https://internetfreedom.in/blocking-orders-to-twitter-illustrate-a-worrying-process-goiblocks/' "
                     "RETURN s.publisher AS pub, s.publishedDate AS date, s.uncertain AS why")
    assert (iff["pub"], str(iff["date"])) == ("Internet Freedom Foundation", "2017-09-08")
    assert "convention" in iff["why"]
    assert store.run("MATCH (s:Source) WHERE s.id STARTS WITH 'news-' RETURN count(s) AS n", {}).rows[0]["n"] == 13
