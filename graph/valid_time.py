"""When each entity and relationship holds: the graph as of a date, and what changed between two.

The rule (also in ingest/data/README.md):

* A record with its own dates holds from its start to its end: a conflict from ``startDate``
  to ``endDate``; a court case from ``filedDate`` to ``terminatedDate``; an event from its
  ``date`` (to ``endDate`` when it has one, e.g. a block that was lifted); a statistic over
  its period; a source from its ``publishedDate``. No end means it still holds.
* A record without dates of its own (an actor, a platform, a law, a doctrine, a country)
  enters the graph with its first dated neighbour, and never ends: govplat does not know
  when a ministry or a platform began, only when it first took part in a conflict.
* A relationship holds from when both its ends are there.

"As of D" keeps what had started by D (ended records stay, as history; :func:`state` says
whether each still held on D). Dates are ``datetime.date``; a month or a year stored as its
first day counts from that day.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx

__all__ = ["intervals", "as_of", "state", "changes", "date_range", "day_of", "to_gexf"]

_STARTS = ("startDate", "filedDate", "date", "periodStart", "publishedDate")
_ENDS = ("endDate", "terminatedDate", "periodEnd")


def day_of(value) -> dt.date | None:
    """A stored date value (date, datetime or ISO text) as a ``datetime.date``; None otherwise."""
    return _date(value)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _own(attrs: dict) -> tuple[dt.date | None, dt.date | None]:
    start = next((d for d in (_date(attrs.get(k)) for k in _STARTS) if d), None)
    end = next((d for d in (_date(attrs.get(k)) for k in _ENDS) if d), None)
    return start, end


def intervals(G: nx.MultiDiGraph) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """``{node: (start, end)}`` by the rule in the module docstring; ``(None, None)`` for a
    record with no dated neighbour at all."""
    out = {n: _own(a) for n, a in G.nodes(data=True)}
    for n, (start, _) in list(out.items()):
        if start is not None:
            continue
        firsts = [out[m][0] for m in nx.all_neighbors(G, n) if _own(G.nodes[m])[0] is not None]
        if firsts:
            out[n] = (min(firsts), None)
    return out


def as_of(G: nx.MultiDiGraph, day: dt.date, spans: dict | None = None) -> list[str]:
    """The nodes that had started by ``day`` (undated ones without dated neighbours included)."""
    spans = spans if spans is not None else intervals(G)
    return [n for n, (start, _) in spans.items() if start is None or start <= day]


def state(span: tuple[dt.date | None, dt.date | None], day: dt.date) -> str:
    """``not yet``, ``holds`` or ``ended`` on ``day``."""
    start, end = span
    if start is not None and start > day:
        return "not yet"
    if end is not None and end < day:
        return "ended"
    return "holds"


def date_range(spans: dict) -> tuple[dt.date, dt.date] | None:
    """The first start and the last start or end in the graph (the time slider's ends)."""
    days = [d for s, e in spans.values() for d in (s, e) if d is not None]
    return (min(days), max(days)) if days else None


def changes(G: nx.MultiDiGraph, since: dt.date, until: dt.date, *, within: Iterable[str] | None = None,
            spans: dict | None = None) -> dict[str, list[dict]]:
    """What changed after ``since`` up to and including ``until`` (among ``within`` if given):
    ``started`` and ``ended`` records, and ``relations`` that began (both ends present for the
    first time). Each list is in date order."""
    spans = spans if spans is not None else intervals(G)
    scope = set(within) if within is not None else set(G.nodes)
    started, ended, relations = [], [], []
    for n in scope:
        start, end = spans.get(n, (None, None))
        attrs = G.nodes[n]
        row = {"id": n, "name": attrs.get("name", n), "class": attrs.get("cls", "")}
        if start is not None and since < start <= until and _own(attrs)[0] is not None:
            started.append({**row, "date": start})
        if end is not None and since < end <= until:
            ended.append({**row, "date": end})
    for u, v, rtype in G.edges(keys=True):
        if u not in scope or v not in scope:
            continue
        su, sv = spans[u][0], spans[v][0]
        begun = max((d for d in (su, sv) if d is not None), default=None)
        if begun is not None and since < begun <= until:
            relations.append({"date": begun, "from": G.nodes[u].get("name", u), "type": rtype,
                              "to": G.nodes[v].get("name", v)})
    key = lambda r: (r["date"], r.get("name") or r.get("from"))  # noqa: E731
    return {"started": sorted(started, key=key), "ended": sorted(ended, key=key),
            "relations": sorted(relations, key=key)}


def to_gexf(G: nx.Graph, spans: dict | None = None) -> bytes:
    """GEXF 1.2 for Gephi with each node's and edge's valid time (``start``/``end``, ISO dates),
    so Gephi's timeline plays the graph; lists become ``; ``-joined text, dates ISO text."""
    import io

    spans = spans if spans is not None else intervals(G)
    H = nx.MultiDiGraph() if G.is_multigraph() else nx.DiGraph()

    def flat(value):
        if isinstance(value, (list, tuple, set)):
            return "; ".join(str(flat(v)) for v in value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value

    for n, a in G.nodes(data=True):
        attrs = {("class" if k == "cls" else k): flat(v) for k, v in a.items()
                 if v is not None and k not in ("start", "end")}
        start, end = spans.get(n, (None, None))
        attrs["label"] = str(a.get("name", n))
        if start:
            attrs["start"] = start.isoformat()
        if end:
            attrs["end"] = end.isoformat()
        H.add_node(n, **attrs)
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, None, d) for u, v, d in G.edges(data=True))
    for u, v, key, a in edges:
        attrs = {k: flat(x) for k, x in a.items() if x is not None and k not in ("start", "end")}
        begun = max((d for d in (spans.get(u, (None,))[0], spans.get(v, (None,))[0]) if d), default=None)
        if begun:
            attrs["start"] = begun.isoformat()
        if key is not None:
            attrs["type"] = key
            H.add_edge(u, v, key=key, **attrs)
        else:
            H.add_edge(u, v, **attrs)
    buf = io.BytesIO()
    nx.write_gexf(H, buf, version="1.2draft")
    return buf.getvalue()
