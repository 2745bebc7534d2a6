"""What a store holds, for an analyst writing Cypher: ``govplat schema [CLASS]``.

Classes with their counts (an abstract class counts its subclasses' nodes), relationship
types with the FROM→TO class pairs that actually occur and their counts, and each class's
properties with their types and whether they hold a list. The same document on both
stores: the pairs are read with one Neo4j Cypher query, which the embedded store runs
through graph/cypher/dialect.py like any analyst's query. ``catalogue`` answers ``CALL db.labels()``,
``db.relationshipTypes()`` and ``db.propertyKeys()`` on the embedded store as Neo4j would.

>>> from graph.stores.embedded import EmbeddedStore  # doctest: +SKIP
>>> describe(EmbeddedStore(path), "Platform")["classes"][0]["count"]  # doctest: +SKIP
51
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from graph.errors import QueryError

if TYPE_CHECKING:  # for annotations only: the stores translate Cypher through the schema
    from graph.stores.base import Store

__all__ = ["describe", "catalogue", "PAIRS_QUERY"]

# Every relationship with its ends' labels; grouped by the most specific class in Python.
PAIRS_QUERY = ("MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a) AS from_labels, labels(b) AS to_labels, "
               "count(*) AS n")


def _class_name(store: Store, name: str) -> str:
    if name in store.onto.classes:
        return name
    lower = {c.lower(): c for c in store.onto.classes}
    close = [lower[name.lower()]] if name.lower() in lower else difflib.get_close_matches(name, list(store.onto.classes), n=3)
    raise QueryError(f"no class {name!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
                     + " (`govplat schema` lists them)")


def describe(store: Store, cls: str | None = None) -> dict[str, Any]:
    """The schema document; with ``cls``, only that class and the relationships touching it."""
    onto = store.onto
    counts = store.counts()
    concrete = counts["entities"]
    focus = _class_name(store, cls) if cls else None

    def count_of(name: str) -> int:
        return sum(concrete.get(c, 0) for c in onto.concrete_subclasses(name))

    names = sorted(onto.classes) if focus is None else [focus]
    classes = []
    for name in names:
        info = onto.classes[name]
        classes.append({
            "class": name, "count": count_of(name), "abstract": info.abstract,
            "superclasses": onto.ancestors(name),
            "subclasses": sorted(c for c, i in onto.classes.items() if name in i.parents),
            "properties": [{"name": p.name, "type": p.kind, "list": p.multi}
                           for p in _properties(store, name)],
        })

    pairs: dict[tuple[str, str, str], int] = defaultdict(int)
    result = store.run_user(PAIRS_QUERY, max_rows=100_000)
    if result.truncated:
        raise QueryError("too many relationship class pairs to list")
    for row in result.rows:
        key = (row["type"], onto.most_specific(row["from_labels"]), onto.most_specific(row["to_labels"]))
        pairs[key] += row["n"]
    relationships = [{"type": t, "from": f, "to": d, "count": n} for (t, f, d), n in sorted(pairs.items())]
    if focus is not None:
        inside = set(onto.subclasses(focus))
        relationships = [r for r in relationships if r["from"] in inside or r["to"] in inside]
    return {
        "store": store.engine,
        "classes": classes,
        "relationships": relationships,
        "relationship_properties": [{"name": p.name, "type": p.kind, "list": p.multi}
                                    for p in onto.relation_properties()],
    }


def _properties(store: Store, name: str):
    """A class's properties; an abstract class has those all its concrete subclasses share."""
    onto = store.onto
    if not onto.classes[name].abstract:
        return onto.properties_of(name)
    subs = onto.concrete_subclasses(name)
    common = set.intersection(*({p.name for p in onto.properties_of(c)} for c in subs)) if subs else set()
    return [p for p in onto.properties_of(subs[0]) if p.name in common] if subs else []


def catalogue(store) -> dict[str, list[str]]:
    """What ``db.labels()`` and friends answer on Neo4j for the same data, read from a store.

    Neo4j lists a name once it has a token: govplat's Neo4j store indexes every concrete class
    (so all of them are listed) and labels each node with its superclasses; a property key is
    listed once some node or relationship has it set (Neo4j does not store nulls). A Neo4j
    database also keeps names whose data was deleted; the embedded store lists those in use.
    """
    onto = store.onto
    counts = store.counts()
    labels = sorted(set(onto.concrete_classes())
                    | {l for cls in counts["entities"] for l in onto.ancestors(cls)})
    keys: set[str] = set()
    for cls in counts["entities"]:
        props = [p.name for p in onto.properties_of(cls)]
        row = store.run(f"MATCH (n:`{cls}`) RETURN " + ", ".join(f"count(n.`{p}`) AS `{p}`" for p in props)).rows[0]
        keys |= {p for p in props if row[p]}
    rel_props = [p.name for p in onto.relation_properties()]
    for rtype in counts["relations"]:
        row = store.run(f"MATCH ()-[r:`{rtype}`]->() RETURN "
                        + ", ".join(f"count(r.`{p}`) AS `{p}`" for p in rel_props)).rows[0]
        keys |= {p for p in rel_props if row[p]}
    return {"db.labels": labels, "db.relationshiptypes": sorted(counts["relations"]), "db.propertykeys": sorted(keys)}
