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
        G = data.graph()
        if rows:
            df = pd.DataFrame([{"name": r["name"], "class": G.nodes[r["id"]].get("cls") if r["id"] in G else "",
                                "id": r["id"], "page": ui.entity_url(r["id"])} for r in rows])
            st.dataframe(df, hide_index=True, key="overview_search_results", width="stretch",
                         column_config={"page": ui.OPEN})
            st.caption(f"{len(rows)} match{'es' if len(rows) != 1 else ''}; open one for its facts, sources and relations.")
        else:
            st.caption("Nothing found.")

    facets = data.facets()
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

    st.subheader("What the graph holds")
    a, b = st.columns(2)
    with a:
        df = pd.DataFrame(sorted(ents.items(), key=lambda kv: -kv[1]), columns=["class", "count"])
        st.bar_chart(df, x="class", y="count", horizontal=True, height=520, sort="-count")
    with b:
        df = pd.DataFrame(sorted(rels.items(), key=lambda kv: -kv[1]), columns=["relationship", "count"])
        st.dataframe(df, hide_index=True, key="overview_rel_counts", width="stretch", height=520)


ui.guard(body)
