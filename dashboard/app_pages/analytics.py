"""Analytics: centrality, Louvain communities, who pressures whom, demands per year by country."""
import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, ui


def body() -> None:
    st.title("Analytics")
    if ui.empty_notice():
        return
    # Every result comes from graph/derived.py: from disk when ingest computed it for this data
    # version (the default settings), else computed over the whole graph once and kept.
    c1, c2, c3 = st.columns(3)
    ui.from_url("an_seed", "seed", 42, parse=lambda s: min(2**31 - 1, max(0, int(s))))
    ui.from_url("an_sources", "documents", False, parse=lambda s: s == "1")
    seed = int(c1.number_input("Random seed", 0, 2**31 - 1, key="an_seed",
                               help="Louvain and sampled betweenness are random; the same seed gives the same result."))
    include_sources = c2.toggle("Include sources and transparency figures", key="an_sources",
                                help="Source documents and RequestStatistic figures are left out by default: they are "
                                     "mostly documents and numbers hanging off a few publishers; leaving them out keeps "
                                     "the measures about actors and events.")
    ui.to_url("seed", seed, 42)
    ui.to_url("documents", "1" if include_sources else None)
    with c3:
        ui.share_link()
    tabs = st.tabs(["Centrality", "Communities", "Who pressures whom", "Demands per year"])

    with tabs[0]:
        st.caption("Degree: share of other entities directly related. Betweenness: how often an entity lies on "
                   "shortest paths between others (sampled on large graphs). PageRank: importance flowing along "
                   "relationships. Click a column header to sort.")
        with st.spinner("Computing centralities…"):
            rows = data.derived("centralities", include_sources=include_sources, seed=seed)
        df = pd.DataFrame(rows, columns=["name", "class", "degree", "degree_centrality", "betweenness", "pagerank", "id"])
        df["page"] = [ui.entity_url(i) for i in df["id"]]
        st.dataframe(df, hide_index=True, key="an_centrality", width="stretch", height=460,
                     column_config={"page": ui.OPEN})
        ui.download_table(df.drop(columns=["page"]), key="an_centrality", name="govplat-centrality")

    with tabs[1]:
        ui.from_url("an_resolution", "resolution", 1.0, parse=lambda s: min(3.0, max(0.2, round(float(s), 1))))
        resolution = c3.slider("Louvain resolution", 0.2, 3.0, step=0.1, key="an_resolution",
                               help="Higher values give more, smaller communities.")
        ui.to_url("resolution", resolution, 1.0)
        with st.spinner("Finding communities…"):
            comms, members = data.derived("communities", include_sources=include_sources, seed=seed,
                                          resolution=resolution)
        st.caption(f"Louvain communities (seed {seed}, resolution {resolution}): {len(comms)} found. "
                   "Relationships count in both directions; parallel ones add weight.")
        cdf = pd.DataFrame(comms, columns=["community", "size", "top_members", "classes"])
        st.dataframe(cdf, hide_index=True, key="an_communities", width="stretch", height=360)
        ui.download_table(cdf, key="an_communities", name="govplat-communities")
        mdf = pd.DataFrame(members, columns=["id", "name", "class", "community"])
        ui.download_table(mdf, key="an_members", name="govplat-community-members", label="Download membership CSV")

    with tabs[2]:
        pairs, bodies, platforms = data.derived("pressure")
        st.caption("Government bodies and the platforms their demands and enforcement actions were aimed at "
                   "(bipartite graph; a company stands for its platform when it runs exactly one).")
        pdf = pd.DataFrame(pairs, columns=["body", "platform", "actions", "body_id", "platform_id"])
        if len(pdf):
            top = pdf.head(40)
            chart = alt.Chart(top).mark_rect().encode(
                x=alt.X("platform:N", title="platform", sort="-color"), y=alt.Y("body:N", title="government body", sort="-color"),
                color=alt.Color("actions:Q", scale=alt.Scale(scheme="reds")),
                tooltip=["body:N", "platform:N", "actions:Q"])
            st.altair_chart(chart, width="stretch", key="an_pressure_chart")
        st.dataframe(pdf, hide_index=True, key="an_pressure", width="stretch", height=320)
        ui.download_table(pdf, key="an_pressure", name="govplat-pressure")
        a, b = st.columns(2)
        with a:
            st.markdown("**Bodies pressuring the same platforms** (projection onto bodies)")
            st.dataframe(pd.DataFrame(bodies, columns=["a", "b", "shared"]), hide_index=True, key="an_bodies",
                         width="stretch", height=280)
        with b:
            st.markdown("**Platforms pressured by the same bodies** (projection onto platforms)")
            st.dataframe(pd.DataFrame(platforms, columns=["a", "b", "shared"]), hide_index=True, key="an_platforms",
                         width="stretch", height=280)

    with tabs[3]:
        st.caption("Dated demands (information and removal requests, blocking orders, other demands) by year and "
                   "country: the demand's own jurisdiction, else its maker's, else its conflict's.")
        ddf = pd.DataFrame(data.derived("demands"), columns=["year", "country", "demands"])
        if len(ddf):
            top = ddf.groupby("country")["demands"].sum().nlargest(12).index
            shown = ddf[ddf["country"].isin(top)]
            chart = alt.Chart(shown).mark_bar().encode(
                x=alt.X("year:O", title="year"), y=alt.Y("demands:Q", title="demands"),
                color=alt.Color("country:N"), tooltip=["year:O", "country:N", "demands:Q"])
            st.altair_chart(chart, width="stretch", key="an_demands_chart")
            st.caption("The chart shows the 12 countries with most demands; the table has all.")
        st.dataframe(ddf, hide_index=True, key="an_demands", width="stretch", height=300)
        ui.download_table(ddf, key="an_demands", name="govplat-demands-per-year")


ui.guard(body)
