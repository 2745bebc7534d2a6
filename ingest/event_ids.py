"""Ids of event-level records, one function per source, used by that source and by case files.

A case file names an event an event-level source holds (``heldBy: {lumen: 123}``) and gets the
id that source computes itself, so both loaders write one node whatever the order of ingest.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ingest.context import make_id
from ingest.resolve import country_id, normalise

__all__ = ["LUMEN", "GITHUB_TAKEDOWNS", "KEEPITON", "lumen_notice_id", "github_notice_id",
           "stop_event_id", "stop_case_event_id", "HELD_BY"]

LUMEN, GITHUB_TAKEDOWNS, KEEPITON = "lumen", "ghgov", "keepiton"  # id prefixes
NOTICE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")  # a GitHub notice's file name starts with its date


def lumen_notice_id(number: int | str) -> str:
    """The id of Lumen notice ``number``'s demand; a case file names it as ``heldBy: {lumen: <number>}``."""
    text = str(number).strip()
    if not text.isdigit():
        raise ValueError(f"{number!r} is not a Lumen notice number")
    return f"{LUMEN}-notice-{int(text)}"


def github_notice_id(rel: str) -> str:
    """The id of the notice filed at ``rel`` in github/gov-takedowns (``Russia/2014/2014-10-21-roskomnadzor.md``);
    a case file names it as ``heldBy: {github_takedowns: <that path>}``."""
    rel = str(rel).strip().strip("/")
    if not NOTICE_DATE.match(rel.rsplit("/", 1)[-1]) or not rel.endswith(".md"):
        raise ValueError(f"{rel!r} is not a notice path <Country>/<year>/<YYYY-MM-DD>-<sender>.md")
    return make_id(f"{GITHUB_TAKEDOWNS}-notice", rel)


def stop_event_id(*, stop_id: int | None = None, key: tuple | None = None) -> str:
    """A STOP shutdown event's id: from its lowest 2019 STOP ID where it has one, else from its
    key (country id, start date, area or "national", kind)."""
    return make_id(KEEPITON, "stop-2019", stop_id) if stop_id is not None else make_id(KEEPITON, *key)


def stop_case_event_id(text: str) -> str:
    """The id for a case file's ``heldBy: {keepiton: ...}``: ``stop-2019/<STOP ID>`` when any row
    of the event has a 2019 STOP ID, else ``<ISO2>/<start YYYY-MM-DD>/<area or national>/<kind>``."""
    parts = [p.strip() for p in str(text).split("/")]
    if len(parts) == 2 and parts[0] == "stop-2019" and parts[1].isdigit():
        return stop_event_id(stop_id=int(parts[1]))
    if len(parts) == 4 and re.fullmatch(r"[A-Z]{2}", parts[0]) and re.fullmatch(r"\d{4}-\d\d-\d\d", parts[1]):
        area = "national" if parts[2].lower() == "national" else normalise(parts[2])
        return stop_event_id(key=(country_id(parts[0]), parts[1], area, parts[3]))
    raise ValueError(f"{text!r} is not stop-2019/<STOP ID> or <ISO2>/<YYYY-MM-DD>/<area or national>/<kind>")


HELD_BY: dict[str, Callable[[str], str]] = {
    "lumen": lumen_notice_id, "github_takedowns": github_notice_id, "keepiton": stop_case_event_id}
