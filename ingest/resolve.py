"""Entity resolution shared by every source: countries by ISO code, everything else by the
alias table built from the registry (names, aliases, handles and Wikidata ids)."""
from __future__ import annotations

import pycountry

from graph.model import Entity

__all__ = ["ISO_SOURCE", "country_id", "country_entity", "iso_source"]

ISO_SOURCE = "iso-3166"


def country_id(code: str) -> str:
    return f"country-{code.lower()}"


def iso_source() -> Entity:
    return Entity(ISO_SOURCE, "Source", {
        "name": "ISO 3166-1 country codes", "title": "ISO 3166 Country Codes",
        "publisher": "International Organization for Standardization",
        "url": "https://www.iso.org/iso-3166-country-codes.html", "kind": "reference"}, [ISO_SOURCE])


def country_entity(code: str) -> Entity | None:
    """The Country entity for an ISO 3166-1 alpha-2 code, or None if the code is unknown."""
    rec = pycountry.countries.get(alpha_2=code.upper())
    if rec is None:
        return None
    aliases = sorted({n for n in (getattr(rec, "official_name", None), getattr(rec, "common_name", None),
                                  rec.alpha_3) if n and n != rec.name})
    props = {"name": getattr(rec, "common_name", None) or rec.name, "countryCode": rec.alpha_2}
    if aliases:
        props["aliases"] = aliases
    return Entity(country_id(rec.alpha_2), "Country", props, [ISO_SOURCE])
