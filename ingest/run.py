"""The ingest runner: finds source modules, runs them with progress, reports per source.

A source is ``ingest/sources/<name>.py`` with ``crawl(context)`` and, beside it,
``<name>.yml`` with its metadata (publisher, description, default paths, expected headers,
lookups). Adding a source touches nothing else.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from graph.errors import GovplatError, SourceError
from graph.settings import settings
from graph.stores.base import Store
from ingest.context import Context, Counters
from ingest.yamlio import load_yaml

__all__ = ["SourceInfo", "available_sources", "run_source"]

SOURCES_DIR = Path(__file__).parent / "sources"
PACKAGE_DIR = Path(__file__).parent


@dataclass
class SourceInfo:
    name: str
    config: dict

    @property
    def title(self) -> str:
        return self.config.get("title", self.name)

    @property
    def default_paths(self) -> list[Path]:
        return [PACKAGE_DIR / p for p in self.config.get("default_paths", [])]

    @property
    def reads(self) -> list[dict]:
        """What the source reads, from ``reads:`` in its YAML: ``[{files, format}, ...]``."""
        declared = self.config.get("reads")
        if declared:
            return [{"files": str(r.get("files", "")), "format": str(r.get("format", ""))} for r in declared]
        suffixes = self.config.get("suffixes") or [d.get("suffix", ".csv") for d in self.config.get("detect") or []]
        return [{"files": ", ".join(sorted({f"*{s}" for s in suffixes})) or "not declared", "format": self.title}]

    @property
    def bundled(self) -> bool:
        """Runs with no path given (its data ships with govplat)."""
        return bool(self.config.get("default_paths"))


def available_sources() -> dict[str, SourceInfo]:
    out = {}
    for meta in sorted(SOURCES_DIR.glob("*.yml")):
        if (SOURCES_DIR / f"{meta.stem}.py").exists():
            out[meta.stem] = SourceInfo(meta.stem, load_yaml(meta) or {})
    return out


def run_source(info: SourceInfo, store: Store | None, paths: list[Path] | None = None, *,
               check_only: bool = False, progress=None, stamp: bool = True) -> Counters:
    """Run one source into ``store``; then, unless ``stamp`` is False (a caller running several
    sources stamps once after the last), store every entity's valid time (graph.valid_time.stamp)."""
    module = importlib.import_module(f"ingest.sources.{info.name}")
    ctx = Context(info.name, store, paths=paths or info.default_paths, config=info.config,
                  check_only=check_only, progress=progress, batch_size=settings().batch_size)
    try:
        module.crawl(ctx)
        ctx.flush()
    except SourceError as exc:
        ctx.reject(exc)
    except GovplatError:
        raise
    if stamp and store is not None and not check_only:
        from graph.valid_time import stamp as stamp_valid_time

        stamp_valid_time(store)
    return ctx.counters
