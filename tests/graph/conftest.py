"""Fixtures for graph tests that need the bundled data in both engines."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def embedded_bundled(bundled_home):
    """The embedded store of the shared bundled-data home, opened read-only."""
    from graph.stores.embedded import EmbeddedStore

    store = EmbeddedStore(bundled_home / "graph.lbdb", read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_bundled(neo4j_server, embedded_bundled):
    """A real Neo4j holding exactly what the bundled embedded store holds (copied from its dump)."""
    from graph.stores.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    load_bundled(store, embedded_bundled)
    yield store
    store.close()


def load_bundled(store, embedded_bundled) -> None:
    """Make ``store`` hold exactly what the bundled embedded store holds. The Neo4j server is one
    per session: a module that loads other data into it puts this back when it is done."""
    store.wipe()
    entities, relations = embedded_bundled.dump()
    store.upsert(list(entities), list(relations))
