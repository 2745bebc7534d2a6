"""Statistics: figures per country and year (conflicts, demands, blocking orders, the
transparency reports' requests) on a world map drawn offline, over time with low/high bands,
and as a table. The measure, filters and year are in the URL, so a view can be shared."""
import altair as alt
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from dashboard import data, ui, world_map
from graph import country_figures as cf

_LABELS = {"conflicts": "conflicts", "demands": "demands", "blocking orders": "blocking orders",
           "transparency requests": "requests"}
_ALL = "all"


@st.cache_data(ttl=data.TTL, show_spinner="Counting per country and year…")
def _figures(_G, v: str) -> list[dict]:
    return cf.figures(_G)


def _param(name: str, options: list, default):
    """The URL's value for ``name`` when it is one of ``options``, else ``default``."""
    raw = st.query_params.get(name)
    for o in options:
        if str(o) == raw:
            return o
    return default


def body() -> None:
    st.title("Statistics")
    st.caption("Figures per country and year. Demands count for the country of the body that made them; "
               "transparency figures take each period's latest report edition, and a figure published as a "
               "band (\"<10\") is shown as its low and high ends.")
    if ui.empty_notice():
        return
    rows = _figures(data.graph(), data.version())
    present = [m for m in cf.MEASURES if any(r["measure"] == m for r in rows)]
    if not present:
        st.info("No dated figures yet: ingest cases or a transparency report (`govplat ingest --list`).")
        return
    measure = st.radio("Measure", present, horizontal=True, key="stats_measure",
                       index=present.index(_param("measure", present, present[0])))
    subset = [r for r in rows if r["measure"] == measure]
    publishers = sorted({r["publisher"] for r in subset if r["publisher"]})
    kinds = sorted({r["kind"] for r in subset if r["kind"]})
    c1, c2, c3 = st.columns([2, 2, 3])
    publisher = kind = None
    if publishers:
        choice = c1.selectbox("Publisher", [_ALL, *publishers], key="stats_publisher",
                              index=[_ALL, *publishers].index(_param("publisher", publishers, _ALL)))
        publisher = None if choice == _ALL else choice
    if kinds:
        choice = c2.selectbox("Kind", [_ALL, *kinds], key="stats_kind",
                              index=[_ALL, *kinds].index(_param("kind", kinds, _ALL)))
        kind = None if choice == _ALL else choice
    years = cf.years(subset, measure)
    year_options = [_ALL, *years]
    year_choice = c3.select_slider("Year", options=year_options, key="stats_year",
                                   value=_param("year", years, _ALL),
                                   help="Drag to a year, or to the left end for all years together.")
    year = None if year_choice == _ALL else year_choice
    st.query_params.update({"measure": measure, "publisher": publisher or _ALL, "kind": kind or _ALL,
                            "year": str(year_choice)})
    ui.share_link()

    label = _LABELS[measure]
    values = cf.by_country(subset, measure, year=year, publisher=publisher, kind=kind)
    when = "all years" if year is None else str(year)
    st.subheader(f"{measure.capitalize()} by country, {when}")
    if values:
        # In an iframe: the SVG keeps its <style> and tooltips, and scales to the page's width.
        components.html(world_map.choropleth(values, label=label, title=f"{measure.capitalize()}, {when}"),
                        height=world_map.HEIGHT)
        lost = world_map.missing(values)
        if lost:
            st.caption(f"Not on the map (no outline): {', '.join(lost)}; they are in the table below.")
    else:
        st.info(f"No {label} for {when} with these filters.")

    table = pd.DataFrame([{"country": c, "low": lo, "high": hi} for c, (lo, hi) in values.items()])
    if not table.empty:
        table = table.sort_values(["low", "country"], ascending=[False, True])
        _over_time(subset, measure, label, publisher, kind, list(table["country"][:5]))
        st.subheader("Table")
        st.dataframe(table, hide_index=True, width="stretch", key="stats_table")
        ui.download_table(table, "stats_table", f"govplat-{measure.replace(' ', '-')}-{when.replace(' ', '-')}")


def _over_time(subset, measure, label, publisher, kind, top: list[str]) -> None:
    st.subheader("Over time")
    every = sorted({r["country"] for r in subset})
    chosen = st.multiselect("Countries", every, default=top, key="stats_countries")
    if not chosen:
        return
    frame = []
    for year in cf.years(subset, measure):  # a continuous axis: years without figures are zeros
        per = cf.by_country(subset, measure, year=year, publisher=publisher, kind=kind)
        for c in chosen:
            lo, hi = per.get(c, (0, 0))
            frame.append({"year": year, "country": c, "low": lo, "high": hi})
    df = pd.DataFrame(frame)
    base = alt.Chart(df).encode(x=alt.X("year:Q", axis=alt.Axis(format="d", title="year")),
                                color=alt.Color("country:N", title="country"))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("low:Q", title=label), y2="high:Q")
    line = base.mark_line(point=True).encode(y="low:Q", tooltip=["country", "year", "low", "high"])
    st.altair_chart(band + line if (df["low"] != df["high"]).any() else line, use_container_width=True)


ui.guard(body)
