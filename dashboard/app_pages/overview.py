"""Overview: what is in the graph, conflicts by year, country and platform, the newest ones, search."""
from collections import Counter

import pandas as pd
import streamlit as st

from dashboard import data, ui


def body() -> None:
    st.title("Governments vs. platforms")
    st.caption("A knowledge graph of conflicts between governments and online platforms: demands, "
               "responses, lawsuits and rulings, every fact tied to its sources.")
    if ui.empty_notice():
        return
    counts = data.counts()
    ents, rels = counts["entities"], counts["relations"]
    day = ui.as_of_slider("overview_asof", data.date_bounds())
    ui.share_link()
    if day:  # the counts and the conflict charts as the graph stood at the end of that month
        ents, rels = _counts_on(day)
        st.caption(f"As of {day.day.isoformat()}: what {day.words()}.")
    c = st.columns(4)
    c[0].metric("Conflicts", ents.get("Conflict", 0))
    c[1].metric("Entities", sum(ents.values()))
    c[2].metric("Relationships", sum(rels.values()))
    c[3].metric("Sources", ents.get("Source", 0))

    st.subheader("Search")
    text = st.text_input("Find any entity by name, alias or handle", key="overview_search",
                         placeholder="e.g. Twitter, DHS, @ALT_uscis")
    if text.strip():
        rows = data.named("search", text=text.strip(), limit=50).rows
        if rows:
            df = pd.DataFrame([{"name": r["name"], "class": r.get("class") or "",
                                "id": r["id"], "page": ui.entity_url(r["id"])} for r in rows])
            st.dataframe(df, hide_index=True, key="overview_search_results", width="stretch",
                         column_config={"page": ui.OPEN})
            st.caption(f"{len(rows)} match{'es' if len(rows) != 1 else ''}; open one for its facts, sources and relations.")
        else:
            st.caption("Nothing found.")

    facets = data.facets()
    if day:
        held = data.held_ids(day.day, day.mode)
        facets = [r for r in facets if r["id"] in held]
    st.subheader("Conflicts")
    left, mid, right = st.columns(3)
    years = Counter(r["year"] for r in facets if r["year"])
    with left:
        st.markdown("**By start year**")
        if years:
            st.bar_chart(pd.DataFrame({"year": list(years), "conflicts": list(years.values())}).sort_values("year"),
                         x="year", y="conflicts", height=260)
    countries = Counter(c for r in facets for c in r["countries"])
    with mid:
        st.markdown("**By country**")
        if countries:
            st.bar_chart(pd.DataFrame(countries.most_common(20), columns=["country", "conflicts"]),
                         x="country", y="conflicts", height=260, sort="-conflicts")
    platforms = Counter(p for r in facets for p in r["platforms"])
    with right:
        st.markdown("**By platform**")
        if platforms:
            st.bar_chart(pd.DataFrame(platforms.most_common(20), columns=["platform", "conflicts"]),
                         x="platform", y="conflicts", height=260, sort="-conflicts")

    st.markdown("**Most recent conflicts**")
    recent = pd.DataFrame([{"started": ui.cell(r["started"]), "conflict": r["name"], "status": r["status"],
                            "countries": ", ".join(r["countries"]), "platforms": ", ".join(r["platforms"]),
                            "outcome": r["outcome"], "story": ui.entity_url(r["id"], "conflict")} for r in facets[:15]])
    st.dataframe(recent, hide_index=True, key="overview_recent", width="stretch",
                 column_config={"story": st.column_config.LinkColumn("story", display_text="read ↗", width="small")})

    _shutdowns_and_notices()

    st.subheader("What the graph holds")
    a, b = st.columns(2)
    with a:
        df = pd.DataFrame(sorted(ents.items(), key=lambda kv: -kv[1]), columns=["class", "count"])
        st.bar_chart(df, x="class", y="count", horizontal=True, height=520, sort="-count")
    with b:
        df = pd.DataFrame(sorted(rels.items(), key=lambda kv: -kv[1]), columns=["relationship", "count"])
        st.dataframe(df, hide_index=True, key="overview_rel_counts", width="stretch", height=520)

    _what_changed()


def _counts_on(day: "ui.AsOf") -> tuple[Counter, Counter]:
    """Entities per class and relationships per type as of ``day`` (its mode): from the stored
    valid time (graph.derived's ``validity``), a relationship counting when both ends do and its
    own stated valid time, if any, agrees."""
    import numpy as np

    from graph.derived import held, held_edges

    va = data.validity()
    mask = held(va, day.day, day.mode)
    ents = Counter({va["classes"][c]: int(n) for c, n in enumerate(np.bincount(va["cls"][mask],
                                                                                  minlength=len(va["classes"]))) if n})
    e = va["edges"]
    both = held_edges(va, day.day, day.mode, mask)
    rels = Counter({va["types"][t]: int(n) for t, n in enumerate(np.bincount(e[both, 2], minlength=len(va["types"])))
                    if n})
    return ents, rels


def _shutdowns_and_notices() -> None:
    """Event-level sources (KeepItOn STOP, the India tracker, takedown notices): shutdowns per year,
    country and platform cut off, and government demands per country (named queries)."""
    shutdowns = data.named("shutdowns_by_country_year").rows
    demands = data.named("orders_by_agency_and_law").rows
    if not shutdowns and not demands:
        return
    st.subheader("Shutdowns and notices")
    left, mid, right = st.columns(3)
    per_year, per_country, per_platform = Counter(), Counter(), Counter()
    for r in shutdowns:
        if r["year"] is not None:
            per_year[int(r["year"])] += r["shutdowns"]
        per_country[r["country_name"] or r["country"]] += r["shutdowns"]
        for p in r["platforms"] or []:
            per_platform[p] += 1
    with left:
        st.markdown("**Shutdowns by year**")
        if per_year:
            st.bar_chart(pd.DataFrame(sorted(per_year.items()), columns=["year", "shutdowns"]),
                         x="year", y="shutdowns", height=260)
    with mid:
        st.markdown("**Shutdowns by country**")
        if per_country:
            st.bar_chart(pd.DataFrame(per_country.most_common(20), columns=["country", "shutdowns"]),
                         x="country", y="shutdowns", height=260, sort="-shutdowns")
    with right:
        st.markdown("**Platforms cut off** (countries and years with a shutdown that cut them off)")
        if per_platform:
            st.bar_chart(pd.DataFrame(per_platform.most_common(20), columns=["platform", "country-years"]),
                         x="platform", y="country-years", height=260, sort="-country-years")
    by_country = Counter()
    for r in demands:
        by_country[r["country"] or "not stated"] += r["demands"]
    if by_country:
        st.markdown("**Government demands and orders by country of the issuing body** (notices, takedown "
                    "demands, orders; query `orders_by_agency_and_law`: a demand citing two laws counts for each)")
        st.bar_chart(pd.DataFrame(by_country.most_common(25), columns=["country", "demands"]),
                     x="country", y="demands", height=260, sort="-demands")


def _what_changed() -> None:
    """Events, records and relationships that began or ended between two dates, in one country."""
    import datetime as dt

    st.subheader("What changed between two dates")
    bounds = data.date_bounds()
    if not bounds:
        return
    facets = data.facets()
    countries = sorted({c for r in facets for c in r["countries"]})
    qp = st.query_params

    def _day(name: str, default: dt.date) -> dt.date:
        """The URL's date for ``name`` (else ``default``), kept inside the graph's dates."""
        try:
            day = dt.date.fromisoformat(qp.get(name, ""))
        except ValueError:
            day = default
        return min(max(day, bounds[0]), bounds[1])

    c1, c2, c3 = st.columns(3)
    since = c1.date_input("From (after)", _day("changed_from", bounds[1] - dt.timedelta(days=365)),
                          min_value=bounds[0], max_value=bounds[1], key="changed_from")
    until = c2.date_input("To (up to and including)", _day("changed_to", bounds[1]),
                          min_value=bounds[0], max_value=bounds[1], key="changed_to")
    country = c3.selectbox("Conflicts in", ["all countries", *countries], key="changed_country",
                           index=([None, *countries].index(qp.get("changed_country"))
                                  if qp.get("changed_country") in countries else 0))
    qp.update({"changed_from": since.isoformat(), "changed_to": until.isoformat()})
    if country != "all countries":
        qp["changed_country"] = country
    else:
        qp.pop("changed_country", None)
    # From disk when ingest computed it (the default: the last year, all countries); else computed.
    found = data.derived("changes", since=since, until=until,
                         **({"country": country} if country != "all countries" else {}))
    a, b, c = st.columns(3)
    a.metric("Began", len(found["started"]))
    b.metric("Ended", len(found["ended"]))
    c.metric("New relationships", len(found["relations"]))
    for title, rows, key in (("Began (events, conflicts, cases, sources)", found["started"], "changed_started"),
                             ("Ended", found["ended"], "changed_ended"),
                             ("New relationships", found["relations"], "changed_relations")):
        if rows:
            st.markdown(f"**{title}**")
            frame = pd.DataFrame(rows)
            if "id" in frame:
                frame["page"] = [ui.entity_url(i) for i in frame["id"]]
                frame = frame.drop(columns=["id"])
            st.dataframe(frame, hide_index=True, width="stretch", key=key,
                         column_config={"page": ui.OPEN} if "page" in frame else None)


ui.guard(body)
