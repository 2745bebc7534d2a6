"""Source quality tiers: primary, major (wire service or major outlet), secondary, aggregator.

The tier of a curated Source comes from data, ``ingest/data/source_quality.yaml``: a deny list of
mirror/rewrite domains, a domain table, and the source's kind where the domain does not decide
(the rules are written at the top of that file). ``govplat ingest cases`` stores the tier as the
Source's ``quality`` and refuses deny-listed sources and events supported only by aggregator pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from graph.errors import SourceError
from ingest.yamlio import load_yaml

__all__ = ["QualityTable", "quality_table", "host_of", "PRIMARY", "MAJOR", "SECONDARY", "AGGREGATOR",
           "meets_sourcing_rule"]

TABLE = Path(__file__).resolve().parent / "data" / "source_quality.yaml"
PRIMARY, MAJOR, SECONDARY, AGGREGATOR = "primary", "major", "secondary", "aggregator"


def host_of(url: str | None) -> str:
    """The URL's host in lower case without a leading ``www.``; '' when there is none."""
    if not url:
        return ""
    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def _match(host: str, table: dict[str, Any]) -> str | None:
    """The entry of ``table`` naming ``host`` or one of its parent domains (longest first)."""
    parts = host.split(".")
    for i in range(len(parts)):
        key = ".".join(parts[i:])
        if key in table:
            return key
    return None


@dataclass(frozen=True)
class QualityTable:
    tiers: dict[str, str]
    primary_kinds: frozenset[str]
    deny: dict[str, str]  # domain -> why it is refused
    domains: dict[str, str]  # domain -> tier

    def deny_reason(self, url: str | None) -> str | None:
        """Why the URL's domain is deny-listed, or None."""
        key = _match(host_of(url), self.deny)
        return f"{key} is on the deny list of mirror/rewrite domains ({self.deny[key]})" if key else None

    def tier(self, source: dict[str, Any]) -> str:
        """The tier of a source record (its url, kind, secondary flag and any stated quality)."""
        host = host_of(source.get("url"))
        if host and _match(host, self.deny):
            return AGGREGATOR
        if source.get("quality"):
            return str(source["quality"])
        key = _match(host, self.domains) if host else None
        if key is not None:
            return self.domains[key]
        if source.get("kind") in self.primary_kinds and not source.get("secondary"):
            return PRIMARY
        return SECONDARY


@lru_cache(maxsize=4)
def quality_table(path: Path = TABLE) -> QualityTable:
    """The table in ``path``; a clear error naming the file and the entry when it is malformed."""
    raw = load_yaml(path)
    where = str(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("tiers"), dict):
        raise SourceError("must be a mapping with tiers, primary_kinds, deny and domains", where=where)
    tiers = {str(k): str(v) for k, v in raw["tiers"].items()}
    deny = {str(k).lower(): str(v) for k, v in (raw.get("deny") or {}).items()}
    domains: dict[str, str] = {}
    for tier, listed in (raw.get("domains") or {}).items():
        if tier not in tiers:
            raise SourceError(f"domains: unknown tier {tier!r}; use one of {', '.join(tiers)}", where=where)
        for d in listed or []:
            d = str(d).lower()
            if d in domains or d in deny:
                raise SourceError(f"domain {d!r} is listed twice (deny list or another tier)", where=where)
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*", d):
                raise SourceError(f"{d!r} is not a domain name", where=where)
            domains[d] = tier
    return QualityTable(tiers, frozenset(raw.get("primary_kinds") or []), deny,
                        domains)


def _publisher_key(publisher: str) -> str:
    """Who stands behind a source: the wire named in "Outlet (AP)" / "X (via Y)", else the publisher."""
    m = re.search(r"\(([^)]*)\)", publisher)
    inner = (m.group(1) if m else "").removeprefix("via ").strip()
    wires = ("associated press", "ap", "reuters", "afp", "agence france-presse")
    if inner.lower() in wires:
        return inner.lower().replace("associated press", "ap").replace("agence france-presse", "afp")
    head = publisher.split("(")[0].strip().lower()
    return {"associated press": "ap", "agence france-presse": "afp"}.get(head, head)


def meets_sourcing_rule(sources: list[dict[str, Any]]) -> bool:
    """A dated fact's rule: one primary source, or two independent reputable (non-aggregator) ones."""
    if any(s["quality"] == PRIMARY for s in sources):
        return True
    reputable = {_publisher_key(str(s.get("publisher", ""))) for s in sources
                 if s["quality"] in (MAJOR, SECONDARY)}
    return len(reputable) >= 2
