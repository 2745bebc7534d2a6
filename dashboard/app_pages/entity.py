"""Entity: every fact with its sources, relationships grouped by type, a timeline of its events.

Chosen with ?id=<entity id>, so any page (and any bookmark) can link here.
"""
import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, network_view, ui
from graph import analytics
from graph.ontology import ontology


#: The entity page's mini-network draws at most this many related entities.
MINI_NETWORK_MAX = 60


def statistics_chart(stats: list[str]) -> None:
    """Transparency figures linked to the entity as one chart: requests per year and kind, the
    low-high band where a report gives a range (the Statistics page's counting rules)."""
    from graph import country_figures as cf

    G = data.graph()
    keep = set(stats)
    for s_ in stats:
        keep.update(G.successors(s_))
    rows = [r for r in cf.figures(G.subgraph(keep)) if r["measure"] == "transparency requests"]
    if not rows:
        st.caption(f"{len(stats)} transparency figures, none with a year and a count.")
        return
    df = pd.DataFrame(rows).groupby(["year", "kind"], as_index=False)[["low", "high"]].sum(min_count=1)
    df["kind"] = df["kind"].replace("", "requests")
    base = alt.Chart(df).encode(x=alt.X("year:O", title="year"),
                                color=alt.Color("kind:N", title="kind of request"))
    chart = base.mark_line(point=True).encode(
        y=alt.Y("high:Q", title="requests (high end of a range)"),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("kind:N"), alt.Tooltip("low:Q"), alt.Tooltip("high:Q")])
    band = base.mark_area(opacity=0.25).encode(y="low:Q", y2="high:Q")
    st.altair_chart((band + chart).properties(height=260), width="stretch", key=f"entity_stats_{len(stats)}")
    st.caption(f"{len(stats)} transparency figures, summed per year and kind; the Statistics page maps them by country.")


def facts(node) -> list[tuple[str, object]]:
    onto = ontology()
    rows = [("id", node.id)]
    for k, v in sorted(node.props.items(), key=lambda kv: (kv[0] != "name", kv[0])):
        if k in ("sources", "text") or v in (None, "", []):
            continue
        p = onto.properties.get(k)
        rows.append(((p.label if p and p.label else k), v))
    return rows


def body() -> None:
    if ui.empty_notice():
        return
    G = data.graph()
    eid = st.query_params.get("id")
    if not eid or eid not in G:
        st.title("Entity")
        if eid:
            st.warning(f"No entity has the id {ui.md(eid, 80)}.")
        picked = ui.pick_entity("entity_pick", "Find an entity")
        if picked:
            st.query_params["id"] = picked
            st.rerun()
        return
    rows = data.named("entity", id=eid).rows
    if not rows:
        st.warning(f"No entity has the id {ui.md(eid, 80)}.")
        return
    node = rows[0]["entity"]
    info = ontology().classes.get(node.cls)
    st.title(ui.md(node.props.get("name", node.id), 200))
    st.caption(f"{info.label if info else node.cls} — {info.comment if info else ''}")
    links = st.columns(4)
    links[0].page_link("app_pages/network.py", label="Show in the network", icon=":material/hub:",
                       query_params={"id": eid})
    links[1].page_link("app_pages/paths.py", label="Find paths from here", icon=":material/route:",
                       query_params={"source": eid})
    if node.cls == "Conflict":
        links[2].page_link("app_pages/conflict.py", label="Read as a story", icon=":material/gavel:",
                           query_params={"id": eid})
    with links[3]:
        ui.share_link()
    if st.button("Pick another entity", key="entity_change"):
        del st.query_params["id"]
        st.rerun()

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Facts")
        ui.facts_table(facts(node))
        if node.props.get("uncertain"):
            st.warning(f"Uncertain: {ui.md(node.props['uncertain'], 400)}")
    with right:
        st.subheader("Sources")
        st.caption("The documents that support this entity's facts.")
        ui.show_sources(list(node.props.get("sources") or []), key="entity_sources")

    # One actor under several names (Twitter, Inc. -> X Corp.): the ontology's SUCCEEDED_BY, both ways.
    names = analytics.lineage(G, eid)
    members = [eid]
    if len(names) > 1:
        st.info("The same actor under other names, one succeeding the other: "
                + " → ".join(f"**{ui.md(G.nodes[n].get('name', n), 80)}**" for n in names) + ".", icon="🔗")
        ui.from_url("entity_combined", "combined", True, parse=lambda s: s != "0")
        if st.toggle("Combine conflicts, timeline and network across these names", key="entity_combined"):
            members = names
        ui.to_url("combined", None if st.session_state["entity_combined"] else "0")
        cols = st.columns(len(names))
        for c, n in zip(cols, names):
            if n != eid:
                c.page_link("app_pages/entity.py", label=str(G.nodes[n].get("name", n)), icon=":material/badge:",
                            query_params={"id": n})

    st.subheader("Around it")
    actors = G if node.cls in data.DOCUMENT_CLASSES else data.without_documents(G)
    near, cut = analytics.neighbourhood(actors, members, 1, MINI_NETWORK_MAX)
    st.caption(f"{len(near) - len(members)} directly related entities"
               + (f" (the {MINI_NETWORK_MAX} best connected)" if cut else "")
               + ". Click a node to expand it; the Network page shows more.")
    ui.show_network(G.subgraph(near), key="entity_net", signature=f"entity:{','.join(members)}", height=380,
                    highlight=tuple(members), downloads=False, around=actors,
                    heading=str(node.props.get("name", eid)))

    st.subheader("Relationships")
    rels = [r for m in members for r in data.named("relations_of", id=m).rows]
    if not rels:
        st.caption("No relationships.")
    onto = ontology()
    src_idx = data.sources_index()
    by_class: dict[str, list[dict]] = {}
    for r in rels:
        other = r["other_id"]
        by_class.setdefault(G.nodes[other].get("cls", "Entity") if other in G else "Entity", []).append(r)
    for cls in sorted(by_class, key=lambda c: (-len(by_class[c]), c)):
        items = by_class[cls]
        with st.expander(f"{network_view.class_label(cls)} ({len(items)})", expanded=len(by_class) <= 6):
            if cls == "RequestStatistic":
                statistics_chart([r["other_id"] for r in items])
                continue
            df = pd.DataFrame([{
                "other": r["other"] or r["other_id"],
                "page": ui.entity_url(r["other_id"]),
                "relationship": (onto.relations[r["relation"]].label if r["relation"] in onto.relations
                                 and onto.relations[r["relation"]].label else r["relation"]),
                "direction": "this → other" if r["direction"] == "out" else "other → this",
                "role": r.get("role"),
                "sources": "; ".join(src_idx.get(s, {}).get("title") or s for s in (r.get("sources") or []))}
                for r in items])
            st.dataframe(df, hide_index=True, key=f"entity_rel_{cls}", width="stretch",
                         column_config={"page": ui.OPEN})

    conflicts = sorted({c for m in members for c in analytics.conflicts_of(G, m)},
                       key=lambda c: str(G.nodes[c].get("startDate") or ""), reverse=True)
    if conflicts and node.cls != "Conflict":
        st.subheader(f"Conflicts ({len(conflicts)})")
        st.dataframe(pd.DataFrame([{
            "started": ui.cell(G.nodes[c].get("startDate")), "conflict": G.nodes[c].get("name", c),
            "status": G.nodes[c].get("status"), "story": ui.entity_url(c, "conflict")} for c in conflicts]),
            hide_index=True, key="entity_conflicts", width="stretch",
            column_config={"story": st.column_config.LinkColumn("story", display_text="read ↗", width="small")})

    st.subheader("Timeline")
    seen_events: set = set()
    events = []
    for m in members:
        for e in analytics.timeline_of(G, m):
            if e["id"] not in seen_events:
                seen_events.add(e["id"])
                events.append(e)
    if not events:
        st.caption("No dated events are linked to this entity.")
    else:
        df = pd.DataFrame([{**e, "date": pd.Timestamp(e["date"]), "class": network_view.class_label(e["class"])}
                           for e in events]).sort_values("date")
        ui.timeline_chart(df, row="class", row_title="kind of event", color="relation", color_title="linked by",
                          key="entity_timeline_chart",
                          tooltip=[alt.Tooltip("date:T"), alt.Tooltip("name:N"), alt.Tooltip("class:N"),
                                   alt.Tooltip("relation:N")])
        df["date"] = df["date"].dt.date.astype(str)
        df["page"] = [ui.entity_url(i) for i in df["id"]]
        st.dataframe(df[["date", "name", "class", "relation", "page"]], hide_index=True, key="entity_timeline",
                     width="stretch", column_config={"page": ui.OPEN})

    if node.cls == "Source":
        st.subheader("What this source supports")
        cited = [(n, a) for n, a in G.nodes(data=True) if eid in (a.get("sources") or []) and n != eid]
        st.dataframe(pd.DataFrame([{"entity": a.get("name", n), "class": network_view.class_label(a.get("cls", "")),
                                    "page": ui.entity_url(n)} for n, a in cited], columns=["entity", "class", "page"]),
                     hide_index=True, key="entity_cited_by", width="stretch", column_config={"page": ui.OPEN})


ui.guard(body)
