"""Meta / Facebook government requests for user data (layouts, lookups and metadata in
meta_requests.yml): one file per half-year, one row per country, several statistics per row.

    govplat ingest meta_requests meta-government-requests/
"""
from __future__ import annotations

from pathlib import Path

from ingest.context import Context
from ingest.sources.tabular import StatisticsSource

__all__ = ["crawl", "detect"]


def crawl(ctx: Context) -> None:
    StatisticsSource(ctx).run()


def detect(path: Path, config: dict) -> bool:
    return StatisticsSource.claims(config, path)
