"""GitHub's government takedown notices -> RemovalRequests (real files from ../shared/data)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from ingest.detect import detect_paths
from tests.conftest import shared_file
from tests.ingest._helpers import ingest, ingested_twice, one, snapshot, value

FOLDER = "github-gov-takedowns"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with ingested_twice(tmp_path_factory.mktemp("ghgov"), "github_takedowns", [shared_file(FOLDER)]) as run:
        yield run


def test_every_notice_is_a_dated_request_to_github(loaded):
    store, counters, _, _, _ = loaded
    assert counters.rejected == 0, [str(e) for e in counters.errors[:5]]
    # 89 Markdown files in the snapshot, one of them the README; 2 PDFs of originals
    assert counters.notes["notices"] == 88
    assert value(store, "MATCH (r:RemovalRequest)-[:ADDRESSED_TO]->(:Platform {id: 'github'}) "
                        "RETURN count(r) AS n") == 88
    senders = {r["a"]: r["n"] for r in store.run(
        "MATCH (r:RemovalRequest)-[:MADE_BY]->(a) RETURN a.id AS a, count(r) AS n").rows}
    assert senders == {"ru-roskomnadzor": 79, "cn-mps-cybersecurity-bureau": 6, "es-guardia-civil": 2,
                       "cn-cyber-security-association": 1}
    assert sum(n for k, n in counters.skipped.items() if k.startswith("PDF of an original notice")) == 2
    # every notice states a ground: a law, a court decision or the register entry, except these two
    assert counters.notes["no law or court decision recognised"] == [
        "China/2016/2016-06-08-programthink-zhao.md", "Spain/2019/2019-10-26-GuardiaCivil.md"]


def test_first_roskomnadzor_notice_end_to_end(loaded):
    """Russia/2014/2014-10-21-roskomnadzor.md (read by hand): seven GitHub addresses about
    suicide, Federal Law 149-FZ and Government Resolution 1101 cited."""
    store, _, _, _, _ = loaded
    r = one(store, "MATCH (r:RemovalRequest) WHERE 'Russia/2014/2014-10-21-roskomnadzor.md' IN r.reportedIn "
                   "MATCH (r)-[:IN_JURISDICTION]->(c:Country) MATCH (r)-[:MADE_BY]->(a) "
                   "RETURN r.id AS id, r.date AS date, c.id AS country, a.id AS sender, size(r.targetUrls) AS urls, "
                   "r.sources AS sources")
    assert (r["date"], r["country"], r["sender"], r["urls"]) == (dt.date(2014, 10, 21), "country-ru",
                                                                 "ru-roskomnadzor", 7)
    laws = [x["lid"] for x in store.run("MATCH (r:RemovalRequest {id: $id})-[:CITES_LAW]->(l:Law) "
                                      "RETURN l.id AS lid ORDER BY lid", {"id": r["id"]}).rows]
    assert laws == ["law-ru-149-fz", "law-ru-government-resolution-1101"]
    accounts = [x["h"] for x in store.run("MATCH (r:RemovalRequest {id: $id})-[:TARGETS]->(a:Account) "
                                          "RETURN a.handle AS h ORDER BY h", {"id": r["id"]}).rows]
    assert accounts == ["Anakros", "kleonov", "l29ah", "muromec", "numitus", "russian-suicide", "samm-git"]
    url = value(store, "MATCH (s:Source {id: $id}) RETURN s.url AS u", id=r["sources"][0])
    assert url == "https://github.com/github/gov-takedowns/blob/master/Russia/2014/2014-10-21-roskomnadzor.md"


def test_chinese_and_russian_texts_name_their_law_and_court(loaded):
    store, _, _, _, _ = loaded
    assert value(store, "MATCH (r:RemovalRequest)-[:CITES_LAW]->(:Law {id: 'law-cn-criminal-law-art300'}) "
                        "MATCH (r)-[:MADE_BY]->(:LawEnforcement {id: 'cn-mps-cybersecurity-bureau'}) "
                        "RETURN count(r) AS n") == 6
    basis = value(store, "MATCH (r:RemovalRequest) WHERE r.legalBasis CONTAINS 'по делу' RETURN r.legalBasis AS b")
    assert "Ленинского районного суда" in basis and "2-388/18" in basis


def test_rerun_changes_nothing(loaded):
    store, first, again, counts, dump = loaded
    assert again.rejected == 0
    assert store.counts() == counts and snapshot(store) == dump


def test_unseen_notices_of_the_family_are_read(tmp_path, store):
    """A folder it has never seen: another country, a sender only the alias table knows, one
    it does not know (kept without MADE_BY and listed, not rejected)."""
    hk = tmp_path / "Hong Kong" / "2021"
    hk.mkdir(parents=True)
    (hk / "2021-05-04-police.md").write_text(
        "The Hong Kong Police Force requests removal of https://github.com/someone/leaks under the "
        "national security law.\n", encoding="utf-8")
    (hk / "2021-06-01-unknown.md").write_text("Please remove https://github.com/other/repo\n", encoding="utf-8")
    shutil.copy(shared_file(FOLDER, "README.md"), tmp_path / "README.md")
    plan = detect_paths([tmp_path])
    assert sorted(p.name for p in plan.files["github_takedowns"]) == ["2021-05-04-police.md", "2021-06-01-unknown.md"]
    counters = ingest(store, "github_takedowns", tmp_path)
    assert counters.rejected == 0 and counters.notes["notices"] == 2
    assert counters.notes["sender not recognised"] == ["Hong Kong/2021/2021-06-01-unknown.md"]
    assert value(store, "MATCH (r:RemovalRequest)-[:MADE_BY]->(a:LawEnforcement {id: 'hk-police-force'}) "
                        "MATCH (r)-[:IN_JURISDICTION]->(c:Country {id: 'country-hk'}) RETURN count(r) AS n") == 1


def test_named_query_orders_by_agency_and_law(loaded):
    store = loaded[0]
    rows = {(r["agency_id"], r["law_id"]): r for r in store.run_named("orders_by_agency_and_law").rows}
    assert rows[("ru-roskomnadzor", "law-ru-149-fz")]["country"] == "RU"
    assert rows[("cn-mps-cybersecurity-bureau", "law-cn-criminal-law-art300")]["demands"] == 6
    assert rows[("ru-roskomnadzor", None)]["law"] == "no law linked"
