"""A synthetic graph shaped like govplat's data, for tests and benchmarks (large dashboard
views, loading Neo4j and the embedded store).

Conflicts with their demands, responses, cases and rulings; hubs (a few government bodies,
platforms and countries take most of the links: picks are skewed, not uniform); every record
backed by one to three of a pool of sources. Records are valid against the ontology (classes
and relationship endpoints are checked by ``Store.upsert``), so the same graph can be ingested
into a store or projected directly. Deterministic for a seed.

>>> entities, relations = records(200, 600, seed=1)
>>> len(entities) >= 200, len(relations) >= 500
(True, True)
"""
from __future__ import annotations

import datetime as dt
import random

from graph.model import Entity, Relation

__all__ = ["records", "graph"]

def records(n_nodes: int = 10_000, n_edges: int = 30_000, seed: int = 7) -> tuple[list[Entity], list[Relation]]:
    """About ``n_nodes`` entities (at most 4 more) and exactly ``n_edges`` relations (when
    ``n_edges`` is at least what the conflicts need, about 2.5 per entity)."""
    rng = random.Random(seed)
    sources = [f"syn-source-{i}" for i in range(max(3, n_nodes // 200))]
    ents: list[Entity] = [Entity(s, "Source", {"name": f"Synthetic report {i}", "title": f"Synthetic report {i}",
                                               "url": f"https://example.org/synthetic/{i}"}, [s])
                          for i, s in enumerate(sources)]
    rels: dict[tuple[str, str, str], Relation] = {}

    def cited() -> list[str]:
        return sorted(rng.sample(sources, rng.randint(1, 3)))

    def ent(i: str, cls: str, **props) -> str:
        ents.append(Entity(i, cls, {"name": props.pop("name", i), **props}, cited()))
        return i

    def rel(a: str, t: str, b: str, **props) -> None:
        if (a, t, b) not in rels:
            rels[(a, t, b)] = Relation(t, a, b, props, cited())

    def hub(seq: list[str]) -> str:  # Pareto-skewed: the first few take most of the links
        return seq[min(len(seq) - 1, int(rng.paretovariate(1.2)) - 1)]

    codes = ["US", "GB", "DE", "FR", "IN", "BR", "RU", "TR", "AU", "CA", "NG", "PK", "ID", "JP", "KR"]
    countries = [ent(f"country-{c.lower()}", "Country", name=f"Country {c}", countryCode=c) for c in codes]
    n_actor = max(10, n_nodes // 50)
    bodies = [ent(f"syn-body-{i}", rng.choice(["Agency", "Regulator", "LawEnforcement", "Government"]),
                  name=f"Body {i}") for i in range(n_actor)]
    courts = [ent(f"syn-court-{i}", "Court", name=f"Court {i}") for i in range(n_actor // 2)]
    platforms = [ent(f"syn-platform-{i}", "Platform", name=f"Platform {i}") for i in range(n_actor // 2)]
    companies = [ent(f"syn-company-{i}", "Company", name=f"Company {i}") for i in range(n_actor // 4)]
    doctrines = [ent(f"syn-doctrine-{i}", "LegalDoctrine", name=f"Doctrine {i}") for i in range(20)]
    laws = [ent(f"syn-law-{i}", "Law", name=f"Law {i}") for i in range(max(5, n_actor // 3))]
    for law in laws:
        rel(law, "IN_JURISDICTION", rng.choice(countries))
    for b in bodies + courts:
        rel(b, "IN_JURISDICTION", rng.choice(countries))
    for i, p in enumerate(platforms):
        rel(companies[i % len(companies)], "OPERATES", p)
    k = 0
    while len(ents) < n_nodes:
        k += 1
        year = rng.randint(2005, 2025)
        c = ent(f"syn-conflict-{k}", "Conflict", name=f"Conflict {k}", startDate=dt.date(year, rng.randint(1, 12), 1),
                status=rng.choice(["ongoing", "resolved"]), outcome=rng.choice(["order upheld", "order withdrawn", "fine paid"]))
        body, plat = hub(bodies), hub(platforms)
        country = hub(countries)
        rel(c, "IN_JURISDICTION", country)
        rel(c, "INVOLVES", plat, role="platform")
        date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        d = ent(f"syn-demand-{k}", rng.choice(["InformationRequest", "RemovalRequest", "BlockingOrder"]),
                name=f"Demand {k}", date=date)
        r = ent(f"syn-response-{k}", "Response", name=f"Response {k}", date=date, kind="refused")
        case = ent(f"syn-case-{k}", "CourtCase", name=f"Case {k}", filedDate=date)
        ruling = ent(f"syn-ruling-{k}", "Ruling", name=f"Ruling {k}", date=date)
        for e in (d, r, case, ruling):
            rel(e, "IN_CONFLICT", c)
        rel(d, "MADE_BY", body)
        rel(d, "ADDRESSED_TO", plat)
        rel(r, "RESPONDS_TO", d)
        rel(r, "MADE_BY", plat)
        rel(plat, "PARTY_TO", case, role="plaintiff")
        rel(case, "HEARD_BY", rng.choice(courts))
        rel(case, "INVOKES", rng.choice(doctrines))
        rel(ruling, "DECIDES", case)
    events = [e.id for e in ents if e.cls in ("InformationRequest", "RemovalRequest", "BlockingOrder", "Response", "Ruling")]
    actors = bodies + platforms + companies + courts
    while len(rels) < n_edges:  # cross-links between conflicts: the long-range structure
        rel(rng.choice(events), rng.choice(["AFFECTS", "TARGETS"]), rng.choice(actors + platforms))
    return ents, list(rels.values())[:n_edges]


def graph(n_nodes: int = 5_000, n_edges: int = 15_000, seed: int = 7):
    """The synthetic records projected straight into a networkx MultiDiGraph."""
    from graph.analytics import from_records

    return from_records(*records(n_nodes, n_edges, seed))
