"""A synthetic conflict graph shaped like the curated data, for benchmarks.

Hubs (big platforms, national agencies, countries) and many small dated events (demands,
responses, rulings), each relation supported by one to three sources. Deterministic for a seed.

>>> entities, relations = conflict_graph(1000, 3000, seed=1)
>>> len(entities), len(relations)
(1000, 3000)
"""
from __future__ import annotations

import datetime as dt
import random

from graph.model import Entity, Relation

__all__ = ["conflict_graph"]


def conflict_graph(n_entities: int, n_relations: int, seed: int = 0) -> tuple[list[Entity], list[Relation]]:
    rnd = random.Random(seed)
    n_sources = max(10, n_entities // 20)
    n_countries = min(200, max(5, n_entities // 500))
    n_platforms = min(50, max(3, n_entities // 2000))
    n_agencies = max(5, n_entities // 100)
    n_conflicts = max(5, n_entities // 50)
    fixed = n_sources + n_countries + n_platforms + n_agencies + n_conflicts
    n_events = max(10, n_entities - fixed)
    ents: list[Entity] = []
    src_ids = [f"src-{i}" for i in range(n_sources)]

    def srcs():
        return rnd.sample(src_ids, rnd.randint(1, 3))

    for i, s in enumerate(src_ids):
        ents.append(Entity(s, "Source", {"name": f"Report {i}", "publisher": f"Publisher {i % 37}",
                                         "url": f"https://example.org/doc/{i}", "kind": "report"}, [s]))
    countries = [f"syn-country-{i}" for i in range(n_countries)]
    for i, c in enumerate(countries):
        ents.append(Entity(c, "Country", {"name": f"Country {i}",
                                          "countryCode": f"{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}"}, srcs()))
    platforms = [f"syn-platform-{i}" for i in range(n_platforms)]
    for i, p in enumerate(platforms):
        ents.append(Entity(p, "Platform", {"name": f"Platform {i}", "aliases": [f"P{i}"]}, srcs()))
    agencies = [f"syn-agency-{i}" for i in range(n_agencies)]
    for i, a in enumerate(agencies):
        ents.append(Entity(a, "Agency", {"name": f"Agency {i}"}, srcs()))
    conflicts = [f"syn-conflict-{i}" for i in range(n_conflicts)]
    for i, c in enumerate(conflicts):
        ents.append(Entity(c, "Conflict", {"name": f"Conflict {i}", "startDate": dt.date(2000 + i % 26, 1 + i % 12, 1),
                                           "status": "resolved"}, srcs() + srcs()[:1]))
    events = []
    kinds = ["InformationRequest", "RemovalRequest", "BlockingOrder", "Response", "Ruling"]
    for i in range(n_entities - len(ents)):
        cls = kinds[i % len(kinds)]
        e = f"syn-event-{i}"
        props = {"name": f"{cls} {i}", "date": dt.date(2000 + rnd.randrange(26), 1 + rnd.randrange(12), 1 + rnd.randrange(28))}
        if cls == "Response":
            props["kind"] = rnd.choice(["complied", "refused", "challenged_in_court"])
        ents.append(Entity(e, cls, props, srcs()))
        events.append((e, cls))
    rels: dict[tuple, Relation] = {}
    demands = [e for e, c in events if c in ("InformationRequest", "RemovalRequest", "BlockingOrder")] or [events[0][0]]

    def add(t, a, b):
        if (a, t, b) not in rels:
            rels[(a, t, b)] = Relation(t, a, b, {}, srcs())

    hub = lambda seq: seq[min(len(seq) - 1, int(rnd.paretovariate(1.2)) - 1)]  # noqa: E731 - skewed pick
    while len(rels) < n_relations:
        e, cls = events[rnd.randrange(len(events))]
        r = rnd.random()
        if r < 0.3:
            add("IN_CONFLICT", e, conflicts[rnd.randrange(len(conflicts))])
        elif r < 0.55:
            add("MADE_BY", e, hub(agencies) if cls != "Response" else hub(platforms))
        elif r < 0.75 and cls != "Response":
            add("ADDRESSED_TO", e, hub(platforms))
        elif r < 0.85:
            add("IN_JURISDICTION", e, hub(countries))
        elif cls == "Response":
            add("RESPONDS_TO", e, demands[rnd.randrange(len(demands))])
        else:
            add("LEADS_TO", e, events[rnd.randrange(len(events))][0])
    return ents, list(rels.values())[:n_relations]
