"""A batch is one transaction on the embedded store: when the engine refuses part of it, none of it stays."""
from __future__ import annotations

import pytest

from graph.model import Entity, Relation
from graph.stores.embedded import EmbeddedStore


@pytest.fixture
def emb(tmp_path):
    with EmbeddedStore(tmp_path / "graph.lbdb") as s:
        s.upsert([Entity("country-kept", "Country", {"name": "Kept"}, ["src"])], [])
        yield s


def test_a_failed_batch_leaves_none_of_its_entities_stored(emb):
    good = [Entity(f"country-{i}", "Country", {"name": f"Country {i}"}, ["src"]) for i in range(3)]
    # Ladybug stores the three countries, then refuses the conflict's date: the batch must roll back.
    bad = Entity("conflict-bad", "Conflict", {"name": "Bad", "startDate": "not a date"}, ["src"])
    with pytest.raises(Exception):
        emb.upsert([*good, bad], [Relation("IN_JURISDICTION", "conflict-bad", "country-0", {}, ["src"])])
    assert emb.counts() == {"entities": {"Country": 1}, "relations": {}}
    ids = {r["id"] for r in emb.run("MATCH (n:Country) RETURN n.id AS id").rows}
    assert ids == {"country-kept"}
    emb.upsert(good, [])  # the store is usable afterwards
    assert emb.counts()["entities"] == {"Country": 4}
