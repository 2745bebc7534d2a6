"""When each entity and relationship holds: the graph as of a date, and what changed between two.

The rule (also in ingest/data/README.md):

* A record with its own dates holds from its start to its end: a conflict from ``startDate``
  to ``endDate``; a court case from ``filedDate`` to ``terminatedDate``; an event from its
  ``date`` (to ``endDate`` when it has one, e.g. a block that was lifted); a statistic over
  its period; a source from its ``publishedDate``. No end means it still holds.
* A record without dates of its own (an actor, a platform, a law, a doctrine, a country)
  enters the graph with its first dated neighbour, and never ends: govplat does not know
  when a ministry or a platform began, only when it first took part in a conflict.
* A relationship holds while both its ends hold and, when the case format states its own
  ``validFrom`` / ``validTo`` (an operator before and after a merger, an official's term:
  a link that changes while both ends last), only within them (:func:`relation_span`).
  A relationship's own dates are stated, never derived, and are stored on it as they are.

Ingest stores each entity's interval as ``validFrom`` / ``validTo`` (:func:`stamp`), so
Cypher on either engine, the named queries' ``as_of`` / ``from`` / ``to`` and ``govplat
export --as-of`` all read the same dates. A record *holds on* D when ``validFrom`` is absent
or on or before D, and ``validTo`` is absent or on or after D (:func:`holds`); it *holds
between* two dates when its interval overlaps theirs.

The dashboard's time sliders apply the same rule to the stored dates (graph.derived's
``held`` / ``held_edges``), or keep what had begun by D when asked. Dates are
``datetime.date``; a month or a year stored as its first day counts from that day.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import networkx as nx

__all__ = ["intervals", "holds", "relation_span", "stamp", "as_it_stood", "changes", "date_range",
           "day_of", "to_gexf"]

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


def _derive(own: dict, pairs: Iterable[tuple[str, str]]) -> dict:
    """The rule: ``own`` dates (``{node: (start, end)}``) completed along the ``pairs`` of
    related nodes; a node without its own start starts with its first dated neighbour."""
    import numpy as np

    nodes = list(own)
    at = {n: i for i, n in enumerate(nodes)}
    ends = [(at[u], at[v]) for u, v in pairs if u in at and v in at]
    a, b = (np.array(x, dtype=np.int64) for x in zip(*ends)) if ends else (np.zeros(0, np.int64),) * 2
    starts = np.array([s.toordinal() if s else _NONE for s, _ in own.values()], dtype=np.int64)
    firsts = _first_starts(starts, a, b)
    return {**own, **{nodes[i]: (dt.date.fromordinal(int(firsts[i])), own[nodes[i]][1])
                      for i in np.flatnonzero((starts == _NONE) & (firsts != _NONE))}}


_NONE = 2 ** 62  # no date: a day number no date has


def _first_starts(starts, a, b):
    """The rule on arrays: ``starts[i]`` is node i's own start (a day number, or _NONE), ``a[k]``
    and ``b[k]`` the nodes of relationship k; returns each node's start, a node without its own
    taking the earliest own start of its neighbours (_NONE where there is none)."""
    import numpy as np

    firsts = starts.copy()
    for n, m in ((a, b), (b, a)):
        take = (starts[n] == _NONE) & (starts[m] != _NONE)
        np.minimum.at(firsts, n[take], starts[m][take])
    return firsts


def intervals(G: nx.MultiDiGraph) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """``{node: (start, end)}`` by the rule in the module docstring; ``(None, None)`` for a
    record with no dated neighbour at all. Nodes stamped at ingest (``validFrom`` /
    ``validTo``) keep their stamps, which saw the whole store."""
    stamped = {n: (_date(a.get("validFrom")), _date(a.get("validTo"))) for n, a in G.nodes(data=True)
               if a.get("validFrom") is not None or a.get("validTo") is not None}
    if len(stamped) == G.number_of_nodes():
        return stamped
    own = {n: _own(a) for n, a in G.nodes(data=True)}
    return {**_derive(own, ((u, v) for u, v in G.edges() if u not in stamped or v not in stamped)), **stamped}


def holds(span: tuple[dt.date | None, dt.date | None], since: dt.date, until: dt.date | None = None) -> bool:
    """Whether a record with this interval holds on ``since`` (or at some day from ``since``
    to ``until``): the rule the named queries' ``as_of``/``from``/``to`` and export apply."""
    start, end = span
    until = until or since
    return (start is None or start <= until) and (end is None or end >= since)


def relation_span(ends: Iterable[tuple[dt.date | None, dt.date | None]], attrs: dict) -> tuple[dt.date | None, dt.date | None]:
    """A relationship's interval: where the intervals of its two ``ends`` and its own stated
    ``validFrom`` / ``validTo`` (in ``attrs``, when given) overlap. An empty overlap gives a
    start after the end, which holds on no day."""
    spans = [*ends, (_date(attrs.get("validFrom")), _date(attrs.get("validTo")))]
    start = max((s for s, _ in spans if s is not None), default=None)
    end = min((e for _, e in spans if e is not None), default=None)
    return start, end


def as_it_stood(entities: Iterable, relations: Iterable, day: dt.date, onto=None) -> tuple[Iterator, Iterator]:
    """Filter a store's ``dump()`` to the graph as it stood on ``day`` (``govplat export --as-of``):
    the entities whose stored valid time holds on it, the relationships whose two ends are both
    kept and whose own valid time (when stated) holds on it, and every Source (the evidence a record cites is not part of the state it describes).
    Streams; the relations must be read after the entities, as every writer does."""
    from graph.ontology import ontology

    sources = set((onto or ontology()).subclasses("Source"))
    kept: set[str] = set()
    read = []

    def kept_entities():
        for e in entities:
            if e.cls in sources or holds((_date(e.props.get("validFrom")), _date(e.props.get("validTo"))), day):
                kept.add(e.id)
                yield e
        read.append(True)

    def kept_relations():
        if not read:
            raise RuntimeError("as_it_stood: read the entities before the relations")
        return (r for r in relations if r.src in kept and r.dst in kept
                and holds((_date(r.props.get("validFrom")), _date(r.props.get("validTo"))), day))

    return kept_entities(), _lazy(kept_relations)


def _lazy(make):
    yield from make()


_STAMPS = ("validFrom", "validTo")


def stamp(store, progress=None) -> int:
    """Store every entity's interval as ``validFrom`` / ``validTo`` (only those that changed).

    Reads each class's own dates and every relationship's ends (:meth:`Store.node_table`,
    :meth:`Store.link_table`: on the bulk path what is staged and stored, without a flush),
    derives the intervals by the rule above over the whole graph, column-wise, and writes them
    through the store in batches. Returns how many entities got new stamps. ``progress(n)`` is
    called as they are written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.settings import settings

    onto = store.onto
    nodes = []
    for cls in onto.concrete_classes():
        have = {p.name for p in onto.properties_of(cls)}
        t = store.node_table(cls, [p for p in (*_STARTS, *_ENDS, *_STAMPS) if p in have])
        if t.num_rows:
            nodes.append(pa.table({"id": t["id"], "cls": pa.repeat(cls, t.num_rows).cast(pa.string()),
                                   "start": _first_of(t, _STARTS), "end": _first_of(t, _ENDS),
                                   "validFrom": _first_of(t, ("validFrom",)), "validTo": _first_of(t, ("validTo",))}))
    if not nodes:
        return 0
    nodes = pa.concat_tables(nodes)
    # Neo4j labels a node with its class's superclasses too: a node a concrete class and its
    # concrete subclass both list is one node (stamped through either label)
    rows = pa.table({"id": nodes["id"], "i": np.arange(nodes.num_rows)})
    nodes = nodes.take(np.sort(rows.group_by("id", use_threads=False).aggregate([("i", "max")])["i_max"].to_numpy()))
    ids = nodes["id"].combine_chunks()
    links = pa.concat_tables([store.link_table(rtype) for rtype in sorted(onto.relations)])
    a, b = (pc.index_in(links[end], value_set=ids).fill_null(-1).to_numpy().astype(np.int64) for end in ("from", "to"))
    known = (a >= 0) & (b >= 0)
    days = lambda col: nodes[col].cast(pa.int32()).cast(pa.int64()).fill_null(_NONE).to_numpy()  # noqa: E731
    start, end = _first_starts(days("start"), a[known], b[known]), days("end")
    changed = np.flatnonzero((start != days("validFrom")) | (end != days("validTo")))
    as_dates = lambda x: pa.array(np.where(x == _NONE, 0, x).astype(np.int32), mask=x == _NONE).cast(pa.date32())  # noqa: E731
    rows = pa.table({"id": nodes["id"].take(changed), "cls": nodes["cls"].take(changed),
                     "validFrom": as_dates(start[changed]), "validTo": as_dates(end[changed])})
    size = settings().batch_size
    for i in range(0, rows.num_rows, size):
        by_class: dict[str, list[dict]] = {}
        for r in rows.slice(i, size).to_pylist():
            by_class.setdefault(r.pop("cls"), []).append(r)
        store.set_valid_time(by_class)
        if progress:
            progress(min(size, rows.num_rows - i))
    return rows.num_rows


def _first_of(table, names):
    """Per row, the first of the date columns ``names`` that has a value (null where none has)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = [table[n] for n in names if n in table.column_names]
    if not cols:
        return pa.nulls(table.num_rows, pa.date32())
    return pc.coalesce(*cols) if len(cols) > 1 else cols[0]


def date_range(spans: dict) -> tuple[dt.date, dt.date] | None:
    """The first start and the last start or end in the graph (the time slider's ends)."""
    days = [d for s, e in spans.values() for d in (s, e) if d is not None]
    return (min(days), max(days)) if days else None


def changes(G: nx.MultiDiGraph, since: dt.date, until: dt.date, *, within: Iterable[str] | None = None,
            spans: dict | None = None) -> dict[str, list[dict]]:
    """What changed after ``since`` up to and including ``until`` (among ``within`` if given):
    ``started`` and ``ended`` records, ``relations`` that began (both ends present and the
    relationship's own validFrom reached) and ``relations_ended`` (a relationship's own validTo,
    e.g. an operator replaced after a merger). Each list is in date order."""
    spans = spans if spans is not None else intervals(G)
    scope = set(within) if within is not None else set(G.nodes)
    started, ended, relations, relations_ended = [], [], [], []
    for n in scope:
        start, end = spans.get(n, (None, None))
        attrs = G.nodes[n]
        row = {"id": n, "name": attrs.get("name", n), "class": attrs.get("cls", "")}
        if start is not None and since < start <= until and _own(attrs)[0] is not None:
            started.append({**row, "date": start})
        if end is not None and since < end <= until:
            ended.append({**row, "date": end})
    for u, v, rtype, attrs in G.edges(keys=True, data=True):
        if u not in scope or v not in scope:
            continue
        begun, _ = relation_span((spans[u], spans[v]), {"validFrom": attrs.get("validFrom")})
        row = {"from": G.nodes[u].get("name", u), "type": rtype, "to": G.nodes[v].get("name", v)}
        if begun is not None and since < begun <= until:
            relations.append({"date": begun, **row})
        own_end = _date(attrs.get("validTo"))
        if own_end is not None and since < own_end <= until:
            relations_ended.append({"date": own_end, **row})
    key = lambda r: (r["date"], r.get("name") or r.get("from"))  # noqa: E731
    return {"started": sorted(started, key=key), "ended": sorted(ended, key=key),
            "relations": sorted(relations, key=key), "relations_ended": sorted(relations_ended, key=key)}


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
        begun, over = relation_span((spans.get(u, (None, None)), spans.get(v, (None, None))), a)
        if begun:
            attrs["start"] = begun.isoformat()
        if over:
            attrs["end"] = over.isoformat()
        if key is not None:
            attrs["type"] = key
            H.add_edge(u, v, key=key, **attrs)
        else:
            H.add_edge(u, v, **attrs)
    buf = io.BytesIO()
    nx.write_gexf(H, buf, version="1.2draft")
    return buf.getvalue()
