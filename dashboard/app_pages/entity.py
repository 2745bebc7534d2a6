"""Entity: every fact with its sources, relationships grouped by type, a timeline of its events.

Chosen with ?id=<entity id>, so any page (and any bookmark) can link here.
"""
import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, network_view, ui
from graph import analytics
from graph.ontology import ontology


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

    st.subheader("Relationships")
    rels = data.named("relations_of", id=eid).rows
    if not rels:
        st.caption("No relationships.")
    onto = ontology()
    src_idx = data.sources_index()
    by_type: dict[str, list[dict]] = {}
    for r in rels:
        by_type.setdefault(r["relation"], []).append(r)
    for rtype in sorted(by_type, key=lambda t: (-len(by_type[t]), t)):
        rel = onto.relations.get(rtype)
        items = by_type[rtype]
        with st.expander(f"{rtype} · {rel.label if rel else ''} ({len(items)})", expanded=len(by_type) <= 6):
            if rel:
                st.caption(rel.comment)
            df = pd.DataFrame([{
                "other": r["other"] or r["other_id"],
                "page": ui.entity_url(r["other_id"]),
                "class": network_view.class_label(G.nodes[r["other_id"]].get("cls", "")) if r["other_id"] in G else "",
                "direction": "this → other" if r["direction"] == "out" else "other → this",
                "role": r.get("role"),
                "sources": "; ".join(src_idx.get(s, {}).get("title") or s for s in (r.get("sources") or []))}
                for r in items])
            st.dataframe(df, hide_index=True, key=f"entity_rel_{rtype}", width="stretch",
                         column_config={"page": ui.OPEN})

    conflicts = analytics.conflicts_of(G, eid)
    if conflicts and node.cls != "Conflict":
        st.subheader(f"Conflicts ({len(conflicts)})")
        st.dataframe(pd.DataFrame([{
            "started": ui.cell(G.nodes[c].get("startDate")), "conflict": G.nodes[c].get("name", c),
            "status": G.nodes[c].get("status"), "story": ui.entity_url(c, "conflict")} for c in conflicts]),
            hide_index=True, key="entity_conflicts", width="stretch",
            column_config={"story": st.column_config.LinkColumn("story", display_text="read ↗", width="small")})

    st.subheader("Timeline")
    events = analytics.timeline_of(G, eid)
    if not events:
        st.caption("No dated events are linked to this entity.")
    else:
        df = pd.DataFrame([{**e, "date": pd.Timestamp(e["date"]), "class": network_view.class_label(e["class"])}
                           for e in events])
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
