"""A synthetic graph shaped like govplat's data, for tests and benchmarks (large dashboard
views, loading Neo4j and the embedded store, exports of millions of relations).

Conflicts with their demands, responses, cases and rulings; hubs (a few government bodies,
platforms and countries take most of the links: picks are skewed, not uniform); every record
backed by one to three of a pool of sources (a conflict by two or three). Records are valid
against the ontology and shapes.ttl (every relationship's endpoint classes are checked here,
and ``Store.upsert`` / :func:`load` check them again), so
the same graph can be ingested into a store or projected directly. Deterministic for a seed.

The graph is made column-wise (numpy picks, Arrow columns): :func:`tables` gives one Arrow
table per class and per (relationship type, from class, to class), in the embedded store's
column layout, so :func:`load` writes them into an empty store with ``COPY FROM`` and
10M relations take seconds, not the hours record-at-a-time generation took. :func:`records`
is the same graph as :class:`Entity` / :class:`Relation` lists, for small graphs.

>>> entities, relations = records(200, 600, seed=1)
>>> len(entities) >= 200, len(relations) == 600
(True, True)
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.model import GP_ID, Entity, Relation
from graph.ontology import ontology
from graph.arrow_types import arrow_type
from graph.stores.bulk import load_tables

__all__ = ["Tables", "tables", "records", "load", "graph"]

_CODES = ["US", "GB", "DE", "FR", "IN", "BR", "RU", "TR", "AU", "CA", "NG", "PK", "ID", "JP", "KR"]
_BODY_CLASSES = ["Agency", "Regulator", "LawEnforcement", "Government"]
_DEMAND_CLASSES = ["InformationRequest", "RemovalRequest", "BlockingOrder"]


@dataclass
class Tables:
    """A graph as Arrow tables in the embedded store's layout: per concrete class, every property
    of the class (``id``, ``uri``, ``sources``...); per (type, from class, to class), ``from``,
    ``to`` and every relationship property."""
    entities: dict[str, pa.Table] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], pa.Table] = field(default_factory=dict)

    @property
    def n_entities(self) -> int:
        return sum(t.num_rows for t in self.entities.values())

    @property
    def n_relations(self) -> int:
        return sum(t.num_rows for t in self.relations.values())


@dataclass
class _Group:
    """Entities made together: ids and, per id, the index of its class in ``classes``."""
    ids: pa.Array
    codes: np.ndarray
    classes: list[str]

    def take(self, idx: np.ndarray) -> "_Group":
        return _Group(self.ids.take(pa.array(idx)), self.codes[idx], self.classes)

    def __len__(self) -> int:
        return len(self.ids)


class _Maker:
    def __init__(self, seed: int, n_sources: int) -> None:
        self.onto = ontology()
        self.rng = np.random.default_rng(seed)
        # Pool sorted as strings: consecutive picks are then each record's sorted source list.
        self.pool = pa.array(sorted(f"syn-source-{i}" for i in range(n_sources)))
        self.ent: dict[str, list[dict[str, pa.Array]]] = defaultdict(list)
        self.rel: dict[tuple[str, str, str], list[dict[str, pa.Array]]] = defaultdict(list)
        self.rel_order: list[tuple[str, str, str]] = []

    def ids(self, prefix: str, n: int, start: int = 0) -> pa.Array:
        return pc.binary_join_element_wise(prefix, pc.cast(pa.array(np.arange(start, start + n)), pa.string()), "")

    def cited(self, n: int, least: int = 1) -> pa.Array:
        """``least`` (one, two for a conflict: shapes.ttl) to three consecutive sources of the pool per record."""
        k = self.rng.integers(least, min(3, len(self.pool)) + 1, n)
        start = self.rng.integers(0, len(self.pool) - k + 1)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(k, out=offsets[1:])
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], k)
        return pa.ListArray.from_arrays(pa.array(offsets), self.pool.take(pa.array(np.repeat(start, k) + within)))

    def entities(self, ids: pa.Array, classes: list[str], codes: np.ndarray | None = None,
                 name: pa.Array | None = None, least_sources: int = 1, **cols) -> _Group:
        n = len(ids)
        codes = np.zeros(n, dtype=np.int8) if codes is None else codes
        base = {"id": ids, "name": ids if name is None else name, "sources": self.cited(n, least_sources), **cols}
        for c, cls in enumerate(classes):
            mask = pa.array(codes == c)
            self.ent[cls].append({k: (v.filter(mask) if isinstance(v, pa.Array) else v) for k, v in base.items()})
        return _Group(ids, codes, classes)

    def hub(self, n_pick: int, size: int) -> np.ndarray:
        """Pareto-skewed indexes: the first few take most of the picks."""
        return np.minimum(size - 1, np.floor(self.rng.pareto(1.2, n_pick)).astype(np.int64))

    def relations(self, rtype: str, a: _Group, b: _Group, **props) -> None:
        n = len(a)
        cols = {"from": a.ids, "to": b.ids, "sources": self.cited(n),
                **{k: pa.repeat(pa.scalar(v), n) for k, v in props.items()}}
        pair = a.codes.astype(np.int64) * len(b.classes) + b.codes
        for code in np.unique(pair):
            s, d = a.classes[code // len(b.classes)], b.classes[code % len(b.classes)]
            if not self.onto.allows(rtype, s, d):
                raise AssertionError(f"synthetic graph: {rtype} cannot join a {s} to a {d}")
            mask = pa.array(pair == code)
            key = (rtype, s, d)
            if key not in self.rel:
                self.rel_order.append(key)
            self.rel[key].append({k: v.filter(mask) for k, v in cols.items()})

    def finish(self, n_edges: int) -> Tables:
        out = Tables()
        for cls, chunks in self.ent.items():
            out.entities[cls] = _table([p for p in self.onto.properties_of(cls)], chunks, cls)
        props = self.onto.relation_properties()
        keep = n_edges
        for key in self.rel_order:  # relations past n_edges are left out, the cross-links first
            table = _table([_FROM, _TO, *props], self.rel[key], key[0])
            if keep <= 0:
                continue
            out.relations[key] = table.slice(0, keep)
            keep -= table.num_rows
        return out


@dataclass
class _Col:
    name: str
    kind: str = "string"
    multi: bool = False


_FROM, _TO = _Col("from"), _Col("to")


def _table(props, chunks: list[dict[str, pa.Array]], what: str) -> pa.Table:
    names = {p.name for p in props}
    cols = {}
    for p in props:
        parts = []
        for chunk in chunks:
            n = len(chunk["id"] if "id" in chunk else chunk["from"])
            if p.name == "uri":
                parts.append(pc.binary_join_element_wise(GP_ID, chunk["id"], ""))
            elif p.name in chunk:
                parts.append(pc.cast(chunk[p.name], arrow_type(p)))
            else:
                parts.append(pa.nulls(n, arrow_type(p)))
        cols[p.name] = pa.concat_arrays(parts)
    unknown = {k for chunk in chunks for k in chunk} - names
    if unknown:
        raise AssertionError(f"synthetic graph: {what} has no properties {sorted(unknown)}")
    return pa.table(cols)


def tables(n_nodes: int = 10_000, n_edges: int = 30_000, seed: int = 7) -> Tables:
    """About ``n_nodes`` entities (at most 4 more) and exactly ``n_edges`` relations (when
    ``n_edges`` is at least what the conflicts need, about 2.8 per entity) as Arrow tables."""
    n_actor = max(10, n_nodes // 50)
    n_sources = max(3, n_nodes // 200)
    m = _Maker(seed, n_sources)
    rng = m.rng
    title = pc.binary_join_element_wise("Synthetic report ", pc.utf8_slice_codeunits(m.pool, 11), "")
    m.ent["Source"].append({"id": m.pool, "name": title, "title": title,
                            "publisher": pa.repeat(pa.scalar("Synthetic Publisher"), n_sources),
                            "url": pc.binary_join_element_wise("https://example.org/synthetic/",
                                                               pc.utf8_slice_codeunits(m.pool, 11), ""),
                            "sources": pa.ListArray.from_arrays(pa.array(np.arange(n_sources + 1, dtype=np.int32)),
                                                                m.pool)})
    codes = pa.array(_CODES)
    countries = m.entities(pc.binary_join_element_wise("country-", pc.utf8_lower(codes), ""), ["Country"],
                           name=pc.binary_join_element_wise("Country ", codes, ""), countryCode=codes)

    def actors(prefix: str, label: str, n: int, classes: list[str], codes=None) -> _Group:
        nums = pc.cast(pa.array(np.arange(n)), pa.string())
        return m.entities(pc.binary_join_element_wise(prefix, nums, ""), classes, codes,
                          name=pc.binary_join_element_wise(label, nums, ""))

    bodies = actors("syn-body-", "Body ", n_actor, _BODY_CLASSES, rng.integers(0, 4, n_actor).astype(np.int8))
    courts = actors("syn-court-", "Court ", n_actor // 2, ["Court"])
    platforms = actors("syn-platform-", "Platform ", n_actor // 2, ["Platform"])
    companies = actors("syn-company-", "Company ", n_actor // 4, ["Company"])
    doctrines = actors("syn-doctrine-", "Doctrine ", 20, ["LegalDoctrine"])
    laws = actors("syn-law-", "Law ", max(5, n_actor // 3), ["Law"])
    fixed = sum(len(ch["id"]) for chunks in m.ent.values() for ch in chunks)

    def pick(g: _Group, n: int, skewed: bool = False) -> _Group:
        return g.take(m.hub(n, len(g)) if skewed else rng.integers(0, len(g), n))

    m.relations("IN_JURISDICTION", laws, pick(countries, len(laws)))
    m.relations("IN_JURISDICTION", bodies, pick(countries, len(bodies)))
    m.relations("IN_JURISDICTION", courts, pick(countries, len(courts)))
    m.relations("OPERATES", companies.take(np.arange(len(platforms)) % len(companies)), platforms)

    k = max(0, -(-(n_nodes - fixed) // 5))  # conflicts: five entities each
    nums = pc.cast(pa.array(np.arange(1, k + 1)), pa.string())
    year = rng.integers(2005, 2026, k)
    start = (np.array(year - 1970, dtype="datetime64[Y]").astype("datetime64[M]")
             + rng.integers(0, 12, k).astype("timedelta64[M]")).astype("datetime64[D]")
    date = ((np.array(year - 1970, dtype="datetime64[Y]").astype("datetime64[M]")
             + rng.integers(0, 12, k).astype("timedelta64[M]")).astype("datetime64[D]")
            + rng.integers(0, 28, k).astype("timedelta64[D]"))
    date = pa.array(date.astype("datetime64[D]"), pa.date32())

    def named(prefix: str, label: str) -> dict:
        return {"ids": pc.binary_join_element_wise(prefix, nums, ""),
                "name": pc.binary_join_element_wise(label, nums, "")}

    def choice(values: list[str]) -> pa.Array:
        return pa.array(values).take(pa.array(rng.integers(0, len(values), k)))

    c = named("syn-conflict-", "Conflict ")
    conflicts = m.entities(c["ids"], ["Conflict"], name=c["name"], least_sources=2,
                           startDate=pa.array(start, pa.date32()),
                           status=choice(["ongoing", "resolved"]),
                           outcome=choice(["order upheld", "order withdrawn", "fine paid"]))
    body, plat, country = pick(bodies, k, True), pick(platforms, k, True), pick(countries, k, True)
    d = named("syn-demand-", "Demand ")
    demands = m.entities(d["ids"], _DEMAND_CLASSES, rng.integers(0, 3, k).astype(np.int8), name=d["name"], date=date)
    r = named("syn-response-", "Response ")
    responses = m.entities(r["ids"], ["Response"], name=r["name"], date=date, kind=pa.repeat(pa.scalar("refused"), k))
    cs = named("syn-case-", "Case ")
    cases = m.entities(cs["ids"], ["CourtCase"], name=cs["name"], filedDate=date)
    ru = named("syn-ruling-", "Ruling ")
    rulings = m.entities(ru["ids"], ["Ruling"], name=ru["name"], date=date)
    m.relations("IN_JURISDICTION", conflicts, country)
    m.relations("INVOLVES", conflicts, plat, role="platform")
    for g in (demands, responses, cases, rulings):
        m.relations("IN_CONFLICT", g, conflicts)
    m.relations("MADE_BY", demands, body)
    m.relations("ADDRESSED_TO", demands, plat)
    m.relations("RESPONDS_TO", responses, demands)
    m.relations("MADE_BY", responses, plat)
    m.relations("PARTY_TO", plat, cases, role="plaintiff")
    m.relations("HEARD_BY", cases, pick(courts, k))
    m.relations("INVOKES", cases, pick(doctrines, k))
    m.relations("DECIDES", rulings, cases)

    # Cross-links between conflicts (the long-range structure), distinct (event, type, actor).
    structural = sum(len(ch["from"]) for chunks in m.rel.values() for ch in chunks)
    n_cross = n_edges - structural
    if n_cross > 0:
        events = _concat([demands, responses, rulings])
        targets = _concat([bodies, platforms, companies, courts, platforms])
        chosen = np.zeros(0, dtype=np.int64)
        while len(chosen) < n_cross:
            draw = int((n_cross - len(chosen)) * 1.05) + 16
            key = (rng.integers(0, len(events), draw) * len(targets) + rng.integers(0, len(targets), draw)) * 2 \
                + rng.integers(0, 2, draw)
            # platforms appear twice among targets: one (event, type, platform) link once
            t = (key // 2) % len(targets)
            canon = np.where(t >= len(targets) - len(platforms), t - (len(targets) - len(platforms))
                             + len(bodies), t)
            key = ((key // 2) // len(targets) * len(targets) + canon) * 2 + key % 2
            merged = np.concatenate([chosen, key])
            _, first = np.unique(merged, return_index=True)
            chosen = merged[np.sort(first)]
        chosen = chosen[:n_cross]
        typ = chosen % 2
        for code, rtype in enumerate(["AFFECTS", "TARGETS"]):
            sel = chosen[typ == code] // 2
            m.relations(rtype, events.take(sel // len(targets)), targets.take(sel % len(targets)))
    return m.finish(n_edges)


def _concat(groups: list[_Group]) -> _Group:
    classes = sorted({c for g in groups for c in g.classes})
    codes = np.concatenate([np.array([classes.index(c) for c in g.classes], dtype=np.int8)[g.codes] for g in groups])
    return _Group(pa.concat_arrays([g.ids for g in groups]), codes, classes)


def records(n_nodes: int = 10_000, n_edges: int = 30_000, seed: int = 7) -> tuple[list[Entity], list[Relation]]:
    """The graph of :func:`tables` as records (for small graphs: a record is a Python object)."""
    return records_of(tables(n_nodes, n_edges, seed))


def records_of(t: Tables) -> tuple[list[Entity], list[Relation]]:
    """The records of a graph held as tables."""
    ents = []
    for cls, table in t.entities.items():
        for row in table.to_pylist():
            row.pop("uri")
            ents.append(Entity(row.pop("id"), cls, {k: v for k, v in row.items() if k != "sources" and v is not None},
                               row["sources"]))
    rels = []
    for (rtype, _, _), table in t.relations.items():
        for row in table.to_pylist():
            rels.append(Relation(rtype, row.pop("from"), row.pop("to"),
                                 {k: v for k, v in row.items() if k != "sources" and v is not None}, row["sources"]))
    return ents, rels


def load(store, t: Tables) -> None:
    """Write the graph into an empty embedded store: checked as records are, then ``COPY FROM``
    (graph.stores.bulk.load_tables)."""
    load_tables(store, t.entities, t.relations, "synthetic graph")


def graph(n_nodes: int = 5_000, n_edges: int = 15_000, seed: int = 7):
    """The synthetic records projected straight into a networkx MultiDiGraph."""
    from graph.analytics import from_records

    return from_records(*records(n_nodes, n_edges, seed))
