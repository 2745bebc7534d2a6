"""Apple Transparency Report CSV bundle (layouts, lookups and metadata in
apple_transparency.yml): eleven tables, one row per country or region and half-year.

    govplat ingest apple_transparency apple-transparency-report/
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
