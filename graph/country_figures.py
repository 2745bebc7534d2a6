"""Figures per country and year, for the dashboard's Statistics page and its world map.

Four measures, all read from the networkx projection (graph.analytics.to_networkx):

* ``conflicts``: conflicts by start year and each country they are tagged with;
* ``demands`` and ``blocking orders``: demands by year and by the country of the body that
  made them (the rule in ontology.ttl's gp:Demand: MADE_BY -> the maker's IN_JURISDICTION,
  or that of the body the maker is MEMBER_OF / PART_OF; the demand's own IN_JURISDICTION only
  when no maker is linked), never by the countries of the conflict it belongs to;
* ``transparency requests``: the request counts of the transparency reports
  (RequestStatistic), per publisher, country, kind and year. A publisher restates earlier
  periods in later editions, so per period only the latest edition counts; figures of one
  breakdown add up to the country's total while different breakdowns overlap, so per period
  one breakdown is summed (``total`` when published, else the first by name). A figure
  published as a band ("<10") counts as its ends: ``low`` and ``high`` differ.

Rows are plain dicts ``{measure, country, year, low, high, publisher, kind}``; ``low ==
high`` for counted events.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from graph.ontology import ontology

__all__ = ["MEASURES", "figures", "demand_country", "by_country", "years"]

MEASURES = ("conflicts", "demands", "blocking orders", "transparency requests")
_DEMAND_TARGETS = ("ADDRESSED_TO", "TARGETS", "AFFECTS")


def _year(value) -> int | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def _out(G: nx.MultiDiGraph, node: str, rtype: str) -> list[str]:
    return [v for _, v, k in G.out_edges(node, keys=True) if k == rtype]


def _countries(G: nx.MultiDiGraph, node: str, any_jurisdiction: bool = False) -> set[str]:
    """ISO codes of the countries ``node`` is IN_JURISDICTION of; with ``any_jurisdiction``
    other jurisdictions (the EU, a US state) count too, by name."""
    out = set()
    for c in _out(G, node, "IN_JURISDICTION"):
        a = G.nodes[c]
        if a.get("cls") == "Country" and a.get("countryCode"):
            out.add(a["countryCode"])
        elif any_jurisdiction:
            out.add(str(a.get("name") or c))
    return out


def demand_country(G: nx.MultiDiGraph, demand: str, *, any_jurisdiction: bool = False) -> set[str]:
    """The ISO codes of the country whose body made ``demand`` (see the module docstring);
    with ``any_jurisdiction`` a body of the EU or of a sub-national state counts for it, by name."""
    out: set[str] = set()
    makers = _out(G, demand, "MADE_BY")
    for maker in makers:
        found = _countries(G, maker, any_jurisdiction)
        if not found:
            for up in _out(G, maker, "MEMBER_OF") + _out(G, maker, "PART_OF"):
                found |= _countries(G, up, any_jurisdiction)
        out |= found
    if not makers:
        out = _countries(G, demand, any_jurisdiction)
    return out


def _counted(measure: str, country: str, year: int, kind: str) -> dict:
    """A row for one counted record (an event or a conflict): low and high are 1."""
    return {"measure": measure, "country": country, "year": year, "low": 1, "high": 1, "publisher": "", "kind": kind}


def _demand_rows(G: nx.MultiDiGraph) -> Iterable[dict]:
    demand_classes = set(ontology().concrete_subclasses("Demand"))
    for n, a in G.nodes(data=True):
        year = _year(a.get("date")) if a.get("cls") in demand_classes else None
        if year is None:
            continue
        for country in demand_country(G, n):
            yield _counted("demands", country, year, a["cls"])
            if a["cls"] == "BlockingOrder":
                yield _counted("blocking orders", country, year, a.get("kind") or "")


def _conflict_rows(G: nx.MultiDiGraph) -> Iterable[dict]:
    for n, a in G.nodes(data=True):
        year = _year(a.get("startDate")) if a.get("cls") == "Conflict" else None
        if year is None:
            continue
        for country in _countries(G, n):
            yield _counted("conflicts", country, year, a.get("status") or "")


def _statistic_rows(G: nx.MultiDiGraph) -> Iterable[dict]:
    # (publisher, kind, country, period start, period end) -> breakdown -> edition -> [(low, high)]
    groups: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for n, a in G.nodes(data=True):
        if a.get("cls") != "RequestStatistic":
            continue
        year = _year(a.get("year")) or _year(a.get("periodStart"))
        low = a.get("requests", a.get("requestsMin"))
        high = a.get("requests", a.get("requestsMax"))
        if year is None or (low is None and high is None):
            continue
        publisher = _publisher(G, n)
        period = (str(a.get("periodStart") or year), str(a.get("periodEnd") or year))
        for country in _countries(G, n):
            key = (publisher, a.get("kind") or "", country, year, *period)
            groups[key][a.get("breakdown") or "total"][str(a.get("editionDate") or "")].append((low, high))
    for (publisher, kind, country, year, *_), breakdowns in groups.items():
        breakdown = "total" if "total" in breakdowns else min(breakdowns)
        editions = breakdowns[breakdown]
        pairs = editions[max(editions)]
        lows = [lo for lo, _ in pairs if lo is not None]
        highs = [hi for _, hi in pairs if hi is not None]
        yield {"measure": "transparency requests", "country": country, "year": year,
               "low": sum(lows) if lows else None, "high": sum(highs) if highs else None,
               "publisher": publisher, "kind": kind}


def _publisher(G: nx.MultiDiGraph, statistic: str) -> str:
    """The company whose report holds the figure (a figure also linked to one of its products,
    e.g. Gmail, still counts for the company, where its breakdown decides what is summed)."""
    reported = _out(G, statistic, "REPORTS_ON")
    companies = sorted(G.nodes[p].get("name", p) for p in reported if G.nodes[p].get("cls") == "Company")
    names = companies or sorted(G.nodes[p].get("name", p) for p in reported)
    return ", ".join(names) or "unknown publisher"


def figures(G: nx.MultiDiGraph) -> list[dict]:
    """Every measure's rows (see the module docstring), one row per country, year and item."""
    rows: list[dict] = []
    rows.extend(_conflict_rows(G))
    rows.extend(_demand_rows(G))
    rows.extend(_statistic_rows(G))
    return rows


def by_country(rows: Iterable[dict], measure: str, *, year: int | None = None,
               publisher: str | None = None, kind: str | None = None) -> dict[str, tuple[float, float]]:
    """``{country: (low, high)}`` summed over the rows of one measure (and year, publisher, kind)."""
    out: dict[str, list[float]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r["measure"] != measure or (year is not None and r["year"] != year):
            continue
        if (publisher and r["publisher"] != publisher) or (kind and r["kind"] != kind):
            continue
        acc = out[r["country"]]
        acc[0] += r["low"] or 0
        acc[1] += r["high"] if r["high"] is not None else (r["low"] or 0)
    return {c: (lo, hi) for c, (lo, hi) in out.items()}


def years(rows: Iterable[dict], measure: str) -> list[int]:
    """The years that have figures for ``measure``, in order, with no gaps (a continuous axis)."""
    found = {r["year"] for r in rows if r["measure"] == measure}
    return list(range(min(found), max(found) + 1)) if found else []
