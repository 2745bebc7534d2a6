"""Time in the dashboard: the Network drawing's time slider and the Overview's as-of slider (their
position in the URL), and "what changed between two dates" (AppTest on the bundled data)."""
from __future__ import annotations

import datetime as dt

from tests.dashboard.test_pages import frames, open_page, shown, texts


def _canvas_page(at) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


def test_network_time_slider_starts_from_the_url_and_ships_valid_time(bundled_home, monkeypatch):
    """The Network page's one time control is the slider in the drawing: the URL's as_of and
    as_of_mode reach it, the view is not cut by the date on the server, and every drawn entity
    carries the valid time that graph.derived's ``held`` reads (the page applies the same rule)."""
    import json
    import re

    from dashboard import data

    whole = open_page(bundled_home, monkeypatch, "app_pages/network.py", cap="5000")
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py", as_of="2023-06", as_of_mode="begun",
                   cap="5000")
    assert shown(at) == shown(whole)
    assert "slider in the drawing is at 2023-06" in texts(at) and "had begun by the end of that month" in texts(at)
    assert "Switch on the time slider" in texts(whole)
    assert not [s for s in at.slider if "As of" in str(s.label)]  # no second time control on the page
    page = _canvas_page(at)
    state = json.loads(re.search(r"/\*gp-canvas\*/(.*?)/\*gp-canvas\*/", page).group(1))
    assert state["as_of"] == "2023-06" and state["as_of_mode"] == "begun"
    assert 'id="gp-asof"' in page and '"2023-06"' in re.search(r"var MONTHS = (.*?);\n", page).group(1)
    nodes = json.loads(re.search(r"var nodeList = (.*?);\n", page).group(1))
    drawn = {n["id"] for n in nodes if not n.get("reserve")}
    day = "2023-06-30"
    for mode in ("held", "begun"):
        holds = {n["id"] for n in nodes if not n.get("reserve") and (not n["vf"] or n["vf"] <= day)
                 and (mode == "begun" or not n["vt"] or n["vt"] >= day)}
        assert holds == drawn & data.held_ids(dt.date(2023, 6, 30), mode)
        assert 0 < len(holds) < len(drawn)


def test_as_of_means_held_on_that_day_unless_begun_by_is_chosen(bundled_home, monkeypatch):
    """A conflict that ended before the day is not "held on" it, but is "begun by" it."""
    from dashboard import data

    now = open_page(bundled_home, monkeypatch, "app_pages/overview.py", as_of="2023-06")
    then = open_page(bundled_home, monkeypatch, "app_pages/overview.py", as_of="2023-06", as_of_mode="begun")
    conflicts = lambda at: int(str(at.metric[0].value).replace(",", ""))  # noqa: E731
    assert conflicts(now) < conflicts(then)
    G = data.graph()
    ended = [n for n, a in G.nodes(data=True) if a.get("cls") == "Conflict" and a.get("validTo")
             and str(a["validTo"]) < "2023-06-30"]
    assert ended
    assert not set(ended) & data.held_ids(dt.date(2023, 6, 30), "held")
    assert set(ended) <= data.held_ids(dt.date(2023, 6, 30), "begun")


def test_overview_counts_as_of_a_date(bundled_home, monkeypatch):
    now = open_page(bundled_home, monkeypatch, "app_pages/overview.py")
    then = open_page(bundled_home, monkeypatch, "app_pages/overview.py", as_of="2012-01")
    conflicts = lambda at: int(str(at.metric[0].value).replace(",", ""))  # noqa: E731
    assert 0 < conflicts(then) < conflicts(now)
    assert "As of 2012-01-31" in texts(then)


def test_what_changed_in_turkeys_conflicts_2014_to_2017(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py", changed_from="2014-01-01",
                   changed_to="2017-12-31", changed_country="TR")
    assert at.selectbox(key="changed_country").value == "TR"
    began = [f for f in frames(at) if "class" in f.columns and "date" in f.columns]
    assert began, texts(at)
    started = began[0]
    assert len(started) > 0
    assert all("2014-01-01" < str(d) <= "2017-12-31" for d in started["date"])
    names = " ".join(started["name"]).lower()
    assert "wikipedia" in names or "twitter" in names


def test_search_offers_the_exact_name_first(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/entity.py")
    at.text_input(key="entity_pick_q").set_value("Twitter").run()
    assert at.query_params["id"] in (["twitter"], "twitter")  # the exact name, opened
    at = open_page(bundled_home, monkeypatch, "app_pages/entity.py")
    at.text_input(key="entity_pick_q").set_value("twit").run()
    assert "id" not in at.query_params  # only partial matches: the reader chooses
    assert at.selectbox(key="entity_pick_pick").value is None


def test_a_country_page_lists_its_conflicts_and_their_timeline(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/entity.py", id="country-tr")
    assert "No dated events" not in texts(at)
    conflicts = [f for f in frames(at) if "conflict" in f.columns and "story" in f.columns]
    assert conflicts and any("Wikipedia" in n for n in conflicts[0]["conflict"])
    timeline = [f for f in frames(at) if "relation" in f.columns and "date" in f.columns]
    assert timeline and timeline[0]["relation"].str.startswith("in ").all()


def test_what_changed_keeps_dates_inside_the_graph(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/overview.py", changed_from="1900-01-01",
                   changed_to="2999-12-31")
    assert not at.exception
    assert at.date_input(key="changed_from").value.year > 1900


def test_a_link_naming_more_nodes_than_a_view_reads_back_says_so_and_names_the_limit(bundled_home, monkeypatch):
    import json
    import re

    monkeypatch.setenv("GOVPLAT_URL_MAX_IDS", "1")
    at = open_page(bundled_home, monkeypatch, "app_pages/network.py", mode="around", id="alt-uscis", depth="1",
                   hidden=["us-cbp", "us-dhs", "twitter", "not-an-id"])
    assert "the first 1 of each are used (GOVPLAT_URL_MAX_IDS)" in texts(at) and "hidden (3)" in texts(at)
    state = json.loads(re.search(r"/\*gp-canvas\*/(.*?)/\*gp-canvas\*/", _canvas_page(at)).group(1))
    assert len(state["hidden"]) == 1
