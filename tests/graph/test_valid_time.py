"""Valid time: when each record holds, the graph as of a date, and what changed between two."""
from __future__ import annotations

import datetime as dt

from graph import analytics, valid_time
from graph.model import Entity, Relation

D = dt.date


def _graph():
    s = ["src"]
    return analytics.from_records(
        [Entity("c1", "Conflict", {"name": "block", "startDate": D(2014, 3, 20), "endDate": D(2014, 4, 3)}, s),
         Entity("c2", "Conflict", {"name": "later", "startDate": D(2017, 4, 29)}, s),
         Entity("e1", "BlockingOrder", {"name": "order", "date": D(2014, 3, 20)}, s),
         Entity("e2", "BlockingOrder", {"name": "order 2", "date": D(2017, 4, 29)}, s),
         Entity("case", "CourtCase", {"name": "case", "filedDate": D(2014, 3, 26), "terminatedDate": D(2014, 4, 2)}, s),
         Entity("tw", "Platform", {"name": "Twitter"}, s),
         Entity("wp", "Platform", {"name": "Wikipedia"}, s),
         Entity("lonely", "LegalDoctrine", {"name": "never dated"}, s)],
        [Relation("IN_CONFLICT", "e1", "c1", {}, s), Relation("AFFECTS", "e1", "tw", {}, s),
         Relation("IN_CONFLICT", "e2", "c2", {}, s), Relation("AFFECTS", "e2", "wp", {}, s),
         Relation("IN_CONFLICT", "case", "c1", {}, s)])


def test_records_hold_from_their_own_dates_or_their_first_dated_neighbour():
    spans = valid_time.intervals(_graph())
    assert spans["c1"] == (D(2014, 3, 20), D(2014, 4, 3))
    assert spans["case"] == (D(2014, 3, 26), D(2014, 4, 2))
    assert spans["wp"] == (D(2017, 4, 29), None)  # enters with the order that affected it
    assert spans["lonely"] == (None, None)


def test_what_changed_between_two_dates():
    found = valid_time.changes(_graph(), D(2014, 3, 21), D(2014, 12, 31))
    assert [r["id"] for r in found["started"]] == ["case"]
    assert [r["id"] for r in found["ended"]] == ["case", "c1"]
    assert [(r["from"], r["type"], r["to"]) for r in found["relations"]] == [("case", "IN_CONFLICT", "block")]


def test_gexf_carries_each_records_valid_time_for_gephi():
    import xml.etree.ElementTree as ET

    doc = ET.fromstring(valid_time.to_gexf(_graph()))
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert doc.find("g:graph", ns).get("mode") == "dynamic"
    nodes = {n.get("id"): n for n in doc.iter("{http://www.gexf.net/1.2draft}node")}
    assert (nodes["c1"].get("start"), nodes["c1"].get("end")) == ("2014-03-20", "2014-04-03")
    assert nodes["wp"].get("start") == "2017-04-29" and nodes["wp"].get("end") is None
    edges = [e for e in doc.iter("{http://www.gexf.net/1.2draft}edge") if e.get("source") == "case"]
    assert edges and edges[0].get("start") == "2014-03-26"
