"""Configuration from the environment, read in one place.

GOVPLAT_HOME      where the embedded store and caches live (default: the user's data dir)
GOVPLAT_STORE     embedded (default) or neo4j
NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE   for GOVPLAT_STORE=neo4j
GOVPLAT_QUERY_TIMEOUT   seconds a user query may run (default 30)
GOVPLAT_ROW_CAP         rows a user query may return (default 10000)
GOVPLAT_BATCH_SIZE      records per write transaction during ingest (default 2000)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from graph.errors import GovplatError

__all__ = ["Settings", "settings"]


@dataclass(frozen=True)
class Settings:
    home: Path
    store: str
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str
    neo4j_database: str
    query_timeout: float
    row_cap: int
    batch_size: int

    @property
    def embedded_path(self) -> Path:
        return self.home / "graph.lbdb"


def settings() -> Settings:
    env = os.environ
    store = env.get("GOVPLAT_STORE", "embedded").strip().lower()
    if store not in {"embedded", "neo4j"}:
        raise GovplatError(f"GOVPLAT_STORE={store!r}: use 'embedded' or 'neo4j'")
    try:
        timeout = float(env.get("GOVPLAT_QUERY_TIMEOUT", "30"))
        row_cap = int(env.get("GOVPLAT_ROW_CAP", "10000"))
        batch_size = max(1, int(env.get("GOVPLAT_BATCH_SIZE", "2000")))
    except ValueError as exc:
        raise GovplatError(f"GOVPLAT_QUERY_TIMEOUT, GOVPLAT_ROW_CAP and GOVPLAT_BATCH_SIZE must be numbers: {exc}") from None
    return Settings(
        home=Path(env.get("GOVPLAT_HOME") or user_data_dir("govplat")).expanduser(),
        store=store,
        neo4j_uri=env.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
        neo4j_user=env.get("NEO4J_USER", "neo4j"),
        neo4j_password=env.get("NEO4J_PASSWORD", ""),
        neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
        query_timeout=timeout,
        row_cap=row_cap,
        batch_size=batch_size,
    )
