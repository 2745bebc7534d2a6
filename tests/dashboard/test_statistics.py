"""The Statistics page and its parts: figures per country and year by the rules a researcher
is told (a demand counts for its maker's country; latest edition; bands kept), the offline
world map, and a view restored from its URL."""
from __future__ import annotations

import datetime as dt
import re

from graph import analytics
from graph import country_figures as cf
from graph.model import Entity, Relation
from dashboard import world_map
from tests.dashboard.test_pages import open_page, texts


def _graph():
    E, R = Entity, Relation
    s = ["src"]
    return analytics.from_records(
        [E("country-gb", "Country", {"name": "United Kingdom", "countryCode": "GB"}, s),
         E("country-us", "Country", {"name": "United States", "countryCode": "US"}, s),
         E("ofcom", "Regulator", {"name": "Ofcom"}, s),
         E("minister", "Official", {"name": "A minister"}, s),
         E("gb-gov", "Government", {"name": "UK government"}, s),
         E("notice", "InformationRequest", {"name": "notice", "date": dt.date(2025, 6, 10)}, s),
         E("order", "BlockingOrder", {"name": "order", "date": dt.date(2024, 1, 2)}, s),
         E("fourchan", "Platform", {"name": "4chan"}, s),
         E("conf", "Conflict", {"name": "Ofcom v 4chan", "startDate": dt.date(2025, 6, 10)}, s),
         E("google", "Company", {"name": "Google"}, s),
         E("st-old", "RequestStatistic", {"kind": "removal", "year": 2020, "periodStart": dt.date(2020, 1, 1),
                                          "periodEnd": dt.date(2020, 6, 30), "breakdown": "total",
                                          "editionDate": dt.date(2021, 1, 1), "requests": 50}, s),
         E("st-new", "RequestStatistic", {"kind": "removal", "year": 2020, "periodStart": dt.date(2020, 1, 1),
                                          "periodEnd": dt.date(2020, 6, 30), "breakdown": "total",
                                          "editionDate": dt.date(2022, 1, 1), "requests": 60}, s),
         E("st-band", "RequestStatistic", {"kind": "removal", "year": 2020, "periodStart": dt.date(2020, 7, 1),
                                           "periodEnd": dt.date(2020, 12, 31), "breakdown": "total",
                                           "editionDate": dt.date(2022, 1, 1), "requestsMin": 1,
                                           "requestsMax": 9}, s)],
        [R("IN_JURISDICTION", "ofcom", "country-gb", {}, s), R("MADE_BY", "notice", "ofcom", {}, s),
         R("ADDRESSED_TO", "notice", "fourchan", {}, s),
         R("IN_JURISDICTION", "conf", "country-gb", {}, s), R("IN_JURISDICTION", "conf", "country-us", {}, s),
         R("IN_CONFLICT", "notice", "conf", {}, s),
         R("MEMBER_OF", "minister", "gb-gov", {}, s), R("IN_JURISDICTION", "gb-gov", "country-gb", {}, s),
         R("MADE_BY", "order", "minister", {}, s),
         *[R(t, st, "country-us" if t == "IN_JURISDICTION" else "google", {}, s)
           for st in ("st-old", "st-new", "st-band") for t in ("IN_JURISDICTION", "REPORTS_ON")]])


def test_a_demand_counts_for_its_makers_country_not_its_conflicts():
    rows = cf.figures(_graph())
    assert cf.by_country(rows, "demands") == {"GB": (2, 2)}  # the notice (Ofcom) and the order (a minister)
    assert cf.by_country(rows, "blocking orders", year=2024) == {"GB": (1, 1)}
    assert cf.by_country(rows, "conflicts") == {"GB": (1, 1), "US": (1, 1)}


def test_transparency_figures_take_the_latest_edition_and_keep_bands():
    rows = cf.figures(_graph())
    # H1: 60 from the 2022 edition (not 50 + 60); H2: the band <10 as 1..9
    assert cf.by_country(rows, "transparency requests", year=2020) == {"US": (61, 69)}
    assert cf.years(rows, "demands") == [2024, 2025]


def test_the_map_colours_countries_and_names_them_offline():
    svg = world_map.choropleth({"US": (61, 69), "gb": (2, 2)}, label="requests", title="Requests, 2020")
    assert re.search(r"\.us path\{fill:#[0-9a-f]{6}\}", svg) and ".gb path{fill:" in svg
    assert "United States: 61–69 requests" in svg and "United Kingdom: 2 requests" in svg
    assert "France: no data" in svg
    assert not re.search(r"href=|src=|url\(|@import", svg)  # nothing is fetched to draw it
    assert world_map.missing({"US": (1, 1), "ZZ": (1, 1)}) == ["ZZ"]


def test_the_page_restores_its_view_from_the_url(bundled_home, monkeypatch):
    at = open_page(bundled_home, monkeypatch, "app_pages/statistics.py", measure="demands", year="2017")
    assert at.radio(key="stats_measure").value == "demands"
    assert at.select_slider(key="stats_year").value == 2017
    assert "Demands by country, 2017" in texts(at)
    assert at.query_params["year"] == ["2017"] or at.query_params["year"] == "2017"
    at.radio(key="stats_measure").set_value("conflicts").run()
    assert "Conflicts by country" in texts(at)
    assert [h for h in at.get("iframe") if "United States" in str(h.proto)]


def test_analytics_counts_demands_by_the_same_rule():
    """The Analytics page's demands per year agree with the map: the maker's country, never the
    countries of the demand's conflict (Ofcom's notice to 4chan is British only)."""
    rows = analytics.demands_per_year(_graph())
    assert sorted((r["year"], r["country"], r["demands"]) for r in rows) == [(2024, "GB", 1), (2025, "GB", 1)]
