"""Google Transparency Report tables (layouts, lookups and metadata in google_transparency.yml).

Every table row becomes a RequestStatistic through :mod:`ingest.sources.tabular`; the one
exception is the list of national security letters the FBI released for publication, where
each row is one letter: an InformationRequest (kind ``nsl``) MADE_BY the FBI, ADDRESSED_TO
Google LLC, IN_JURISDICTION the United States, dated by its issue date.

    govplat ingest google_transparency google-transparency-report/
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from graph.model import Entity, Relation
from ingest.context import Context
from ingest.detect import CsvRow
from ingest.resolve import country_id
from ingest.sources.cells import parse_text
from ingest.sources.tabular import Layout, RowError, RowResult, StatisticsSource

__all__ = ["crawl", "detect"]


def _nsl_letter(src: StatisticsSource, layout: Layout, row: CsvRow) -> RowResult:
    spec = src.config["layouts"][layout.name]["nsl"]
    number = parse_text(src.cell(row, spec["number"]))
    # Published numbers carry suffixes for letters split in parts: 'NSL-20-525232(a)', 'NSL-21-538556-2'.
    if not number or not re.fullmatch(r"NSL-\d{2}-\d+(?:\s*\([a-z]\)|-\d+)?", number):
        raise RowError(spec["number"], f"{number!r} is not an NSL number such as 'NSL-20-517293'")
    dates = {}
    for key in ("issued", "released"):
        text = src.cell(row, spec[key]).strip()
        try:
            dates[key] = dt.date.fromisoformat(text)
        except ValueError:
            raise RowError(spec[key], f"{text!r} is not a date (YYYY-MM-DD)") from None
    eid = f"{src.prefix}-" + re.sub(r"[^a-z0-9]+", "-", number.lower()).strip("-")
    country = country_id(spec["country"])
    letter = Entity(eid, "InformationRequest", {
        "name": f"National security letter {number} to Google",
        "aliases": [number],
        "kind": "nsl",
        "date": dates["issued"],
        "description": f"FBI national security letter {number}, issued {dates['issued'].isoformat()}; "
                       f"the FBI's release letter of {dates['released'].isoformat()} let Google publish it.",
    }, [], row.where)
    rels = [Relation("MADE_BY", eid, spec["made_by"], {}, [], row.where),
            Relation("ADDRESSED_TO", eid, spec["addressed_to"], {}, [], row.where),
            Relation("IN_JURISDICTION", eid, country, {}, [], row.where)]
    return RowResult(row.line, row.where, row, entities=[letter], relations=rels,
                     links=[spec["made_by"], spec["addressed_to"], country])


def crawl(ctx: Context) -> None:
    StatisticsSource(ctx, handlers={"nsl_letters": _nsl_letter}).run()


def detect(path: Path, config: dict) -> bool:
    return StatisticsSource.claims(config, path)
