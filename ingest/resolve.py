"""Entity resolution shared by every source.

One real thing is one node, whichever source names it:
- countries by ISO 3166-1 / CLDR territory code; names in any CLDR language (and the extra
  spellings in ``data/country_aliases.yaml``) map to the code;
- platforms, companies, government bodies, courts, laws and doctrines through the alias
  table: the names, aliases, handles and Wikidata ids of the registry
  (``data/registry/*.yaml``), exact match after normalisation, never fuzzy.

>>> r = Resolver.default()
>>> r.country("Deutschland"), r.country("UAE"), r.entity("Department of Homeland Security")
('country-de', 'country-ae', 'us-dhs')
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale, localedata

from graph.model import Entity
from ingest.yamlio import load_yaml

__all__ = ["ISO_SOURCE", "Resolver", "country_id", "country_entity", "iso_source", "normalise"]

ISO_SOURCE = "iso-3166"
DATA = Path(__file__).parent / "data"


def normalise(name: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive key for exact alias matching."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode() or str(name)
    text = re.sub(r"[^\w@]+", " ", text.lower()).strip()
    return re.sub(r"^the ", "", text)


def country_id(code: str) -> str:
    return f"country-{code.lower()}"


def iso_source() -> Entity:
    return Entity(ISO_SOURCE, "Source", {
        "name": "ISO 3166-1 country codes", "title": "ISO 3166 Country Codes",
        "publisher": "International Organization for Standardization",
        "url": "https://www.iso.org/iso-3166-country-codes.html", "kind": "reference"}, [ISO_SOURCE])


def country_entity(code: str) -> Entity | None:
    """The Country entity for an ISO 3166-1 alpha-2 / CLDR territory code, or None if unknown."""
    code = code.upper()
    rec = pycountry.countries.get(alpha_2=code)
    if rec is None:
        name = Locale("en").territories.get(code) if re.fullmatch(r"[A-Z]{2}", code) else None
        if name:
            return Entity(country_id(code), "Country", {"name": name, "countryCode": code}, [ISO_SOURCE])
        return _historic_country(code)
    name = getattr(rec, "common_name", None) or rec.name
    aliases = sorted({n for n in (rec.name, getattr(rec, "official_name", None), rec.alpha_3,
                                  Locale("en").territories.get(rec.alpha_2), *_extra_aliases().get(rec.alpha_2, []))
                      if n and n != name})
    props = {"name": name, "countryCode": rec.alpha_2}
    if aliases:
        props["aliases"] = aliases
    return Entity(country_id(rec.alpha_2), "Country", props, [ISO_SOURCE])


def _historic_country(code: str) -> Entity | None:
    """A country whose alpha-2 code ISO 3166-3 withdrew (Netherlands Antilles: AN, ANHH, 2010)
    and no country uses today: its own node, as published tables still name it."""
    if not re.fullmatch(r"[A-Z]{2}", code):
        return None
    recs = [h for h in pycountry.historic_countries if h.alpha_2 == code]
    if len(recs) != 1:  # unknown, or a code ISO withdrew twice (CS): which country is meant is unclear
        return None
    h = recs[0]
    withdrawn = getattr(h, "withdrawal_date", "")
    props = {"name": h.name, "countryCode": code, "aliases": sorted({h.alpha_3, h.alpha_4}),
             "description": f"Former country or territory; ISO 3166-3 withdrew its code {code} "
                            f"({h.alpha_4}){' on ' + withdrawn if withdrawn else ''}."}
    return Entity(country_id(code), "Country", props, [ISO_SOURCE])


def _cldr_names() -> dict[str, str]:
    """Territory names of every CLDR language and script (``sr_Latn``, ``zh_Hant``) -> code;
    regional variants (``en_GB``) repeat their language's names and are skipped.

    Reading ~400 locales takes seconds, so the table is cached under GOVPLAT_HOME, keyed by
    this table's format and the Babel version that produced it.
    """
    import babel

    from graph.settings import settings

    cache = settings().home / "cache" / f"cldr-territories-v2-{babel.__version__}.json"
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    names: dict[str, str] = {}
    for loc in localedata.locale_identifiers():
        try:
            locale = Locale.parse(loc)
        except Exception:  # a few locale ids do not parse; they add nothing we need
            continue
        if locale.territory:
            continue
        for code, name in locale.territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                names.setdefault(normalise(name), code)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:  # a read-only home only costs speed
        pass
    return names


@lru_cache(maxsize=1)
def _extra_aliases() -> dict[str, list[str]]:
    """Spellings no CLDR locale has (data/country_aliases.yaml), by code."""
    extra = DATA / "country_aliases.yaml"
    return {code: list(names) for code, names in (load_yaml(extra) or {}).items()} if extra.exists() else {}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """normalised name in any CLDR locale -> ISO / CLDR code."""
    names: dict[str, str] = dict(_cldr_names())
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None), c.alpha_3):
            if n:
                names[normalise(n)] = c.alpha_2
    for h in pycountry.historic_countries:  # current names win; see _historic_country
        if _historic_country(h.alpha_2) is not None and not pycountry.countries.get(alpha_2=h.alpha_2):
            names.setdefault(normalise(h.name), h.alpha_2)
    for code, aliases in _extra_aliases().items():
        for a in aliases:
            names[normalise(a)] = code
    return names


class Resolver:
    def __init__(self, aliases: dict[str, str], classes: dict[str, str]):
        self.aliases = aliases  # normalised name/alias/handle/Q-id -> entity id
        self.classes = classes  # entity id -> class

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> "Resolver":
        aliases: dict[str, str] = {}
        classes: dict[str, str] = {}
        for path in sorted((DATA / "registry").glob("*.yaml")):
            for item in (load_yaml(path) or {}).get("entities") or []:
                eid, ecls = item.get("id"), item.get("class")
                if not eid:
                    continue
                classes[eid] = ecls
                for n in [item.get("name"), item.get("handle"), item.get("wikidata"), eid,
                          *(item.get("aliases") or [])]:
                    if n:
                        aliases.setdefault(normalise(n), eid)
        return cls(aliases, classes)

    def country(self, name_or_code: str | None) -> str | None:
        """Country id for an ISO/CLDR code or a country name in any CLDR language."""
        if not name_or_code or not str(name_or_code).strip():
            return None
        text = str(name_or_code).strip()
        if re.fullmatch(r"[A-Za-z]{2}", text) and country_entity(text):
            return country_id(text)
        code = _country_names().get(normalise(text))
        return country_id(code) if code else None

    def jurisdiction(self, name_or_code: str | None) -> str | None:
        """A country id, else a registry Jurisdiction with that name (a territory with no ISO code)."""
        return self.country(name_or_code) or self.entity(name_or_code, "Jurisdiction")

    def entity(self, name: str | None, cls: str | None = None) -> str | None:
        """Registry id for a name, alias, handle or Wikidata id (exact after normalising)."""
        if not name:
            return None
        eid = self.aliases.get(normalise(name))
        if eid and cls and self.classes.get(eid) != cls:
            return None
        return eid
