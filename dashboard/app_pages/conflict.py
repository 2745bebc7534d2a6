"""Conflict: one dispute as a story — demand, response, lawsuit, ruling or withdrawal — with its
parties, doctrines, sources and network. Chosen with ?id=<conflict id>."""
import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, network_view, ui
from graph import analytics
from graph.ontology import ontology

# Stages of the story, in reading order; an event's stage is the first family its class is in.
STAGES = [("Demand", "Demand"), ("Response", "Response"), ("CourtCase", "Lawsuit"), ("Ruling", "Ruling"),
          ("Withdrawal", "Withdrawal"), ("Settlement", "Settlement"), ("EnforcementAction", "Enforcement"),
          ("LegislativeAction", "Legislation"), ("PublicStatement", "Statement"), ("Event", "Other event")]


def stage(cls: str) -> str:
    onto = ontology()
    for family, name in STAGES:
        if cls in onto.classes and family in onto.classes and onto.is_a(cls, family):
            return name
    return "Other event"


def body() -> None:
    if ui.empty_notice():
        return
    G = data.graph()
    conflicts = data.named("conflicts").rows
    if not conflicts:
        st.title("Conflict")
        st.info("No conflicts are stored yet.")
        return
    ids = [r["id"] for r in conflicts]
    names = {r["id"]: r["name"] for r in conflicts}
    cid = st.query_params.get("id")
    fmt = lambda i: f"{names[i]} ({ui.cell(G.nodes[i].get('startDate', '')) if i in G else ''})"  # noqa: E731
    if cid and cid not in names:
        # Never another conflict in its place: say so, and let the reader choose.
        st.title("Conflict")
        st.warning(f"No conflict has the id {ui.md(cid, 80)}." + (
            " It names an entity: open its entity page below." if cid in G else ""), icon="⚠️")
        if cid in G:
            st.page_link("app_pages/entity.py", label="Open the entity page", icon=":material/badge:",
                         query_params={"id": cid})
        picked = st.selectbox("Conflict", ids, index=None, key="conflict_pick_unknown", format_func=fmt,
                              placeholder="Choose a conflict")
        if picked:
            st.query_params["id"] = picked
            st.rerun()
        return
    if cid not in names:
        cid = ids[0]
    picked = st.selectbox("Conflict", ids, index=ids.index(cid), key=f"conflict_pick_{cid}", format_func=fmt)
    if picked != cid:
        st.query_params["id"] = picked
        st.rerun()
    st.query_params["id"] = cid
    ui.share_link()
    a = G.nodes[cid]
    st.title(ui.md(a.get("name", cid), 200))
    m = st.columns(4)
    m[0].metric("Started", ui.cell(a.get("startDate")) or "?")
    m[1].metric("Ended", ui.cell(a.get("endDate")) or "ongoing")
    m[2].metric("Status", a.get("status") or "?")
    m[3].metric("Countries", ", ".join(sorted(analytics._jurisdictions(G, cid))) or "?")
    if a.get("description"):
        st.markdown(ui.md(a["description"]))
    if a.get("outcome"):
        st.markdown(f"**Outcome:** {ui.md(a['outcome'])}")
    st.page_link("app_pages/entity.py", label="All facts and relationships of this conflict", icon=":material/badge:",
                 query_params={"id": cid})

    st.subheader("The story")
    timeline = data.named("conflict_timeline", conflict=cid).rows
    cases = data.named("conflict_cases", conflict=cid).rows
    events = [{"date": r["date"], "id": r["id"], "what": r["event"] or r["id"],
               "stage": stage(G.nodes[r["id"]].get("cls", "") if r["id"] in G else ""),
               "class": network_view.class_label(G.nodes[r["id"]].get("cls", "")) if r["id"] in G else "",
               "by": ", ".join(x for x in (r["by"] or []) if x)} for r in timeline]
    events += [{"date": c["filed"], "id": c["id"], "what": f"{c['case_name']} filed" + (f" ({c['court']})" if c["court"] else ""),
                "stage": "Lawsuit", "class": "Court case", "by": ""} for c in cases if c["filed"]]
    events.sort(key=lambda e: (str(e["date"] or "9999"), [s for _, s in STAGES].index(e["stage"])))
    if not events:
        st.caption("No dated events recorded for this conflict.")
    else:
        dated = [e for e in events if e["date"]]
        if dated:
            df = pd.DataFrame([{**e, "date": pd.Timestamp(e["date"])} for e in dated])
            order = [s for _, s in STAGES if s in set(df["stage"])]
            ui.timeline_chart(df, row="stage", row_title="stage of the story", color="stage", color_title=None,
                              row_order=order, key="conflict_chart",
                              tooltip=[alt.Tooltip("date:T"), alt.Tooltip("what:N"), alt.Tooltip("by:N")])
        lines = []
        for e in events:
            by = f" — *{ui.md(e['by'])}*" if e["by"] else ""
            lines.append(f"- **{ui.md(ui.cell(e['date']) or 'undated')}** · `{e['stage']}` · {ui.md(e['what'], 240)}{by}")
        st.markdown("\n".join(lines))

    left, right = st.columns(2)
    with left:
        st.subheader("Parties")
        parties = [{"party": G.nodes[v].get("name", v), "page": ui.entity_url(v), "role": d.get("role"),
                    "class": network_view.class_label(G.nodes[v].get("cls", ""))}
                   for _, v, k, d in G.out_edges(cid, keys=True, data=True) if k == "INVOLVES"
                   and G.nodes[v].get("cls") not in ("LegalDoctrine", "Law")]
        st.dataframe(pd.DataFrame(parties, columns=["party", "page", "role", "class"]), hide_index=True,
                     key="conflict_parties", width="stretch", column_config={"page": ui.OPEN})
        st.subheader("Court cases")
        st.dataframe(ui.frame(cases, ["case_name", "court", "docket", "filed", "terminated", "outcome", "doctrines"]),
                     hide_index=True, key="conflict_cases", width="stretch")
    with right:
        st.subheader("Doctrines and laws")
        members = {cid, *analytics._members(G, cid)}
        legal = {}
        for n in members:
            for _, v, k in G.out_edges(n, keys=True):
                if G.nodes[v].get("cls") in ("LegalDoctrine", "Law"):
                    legal.setdefault(v, set()).add(k)
        st.dataframe(pd.DataFrame([{"name": G.nodes[v].get("name", v), "page": ui.entity_url(v),
                                    "class": network_view.class_label(G.nodes[v]["cls"]),
                                    "how": ", ".join(sorted(ks))} for v, ks in legal.items()],
                                  columns=["name", "page", "class", "how"]),
                     hide_index=True, key="conflict_legal", width="stretch", column_config={"page": ui.OPEN})
        st.subheader("Sources")
        srcs = sorted({s for n in members for s in (G.nodes[n].get("sources") or [])})
        ui.show_sources(srcs, key="conflict_sources")

    st.subheader("Network")
    nodes = [n for n in analytics.conflict_scope(G, cid) if G.nodes[n].get("cls") not in data.DOCUMENT_CLASSES]
    st.caption("The conflict, its events and court cases, and everything they touch directly.")
    ui.show_network(G.subgraph(nodes), key="conflict_net", signature=f"conflict:{cid}", height=600, highlight=(cid,),
                    around=data.without_documents(G), heading=str(G.nodes[cid].get("name", cid)))


ui.guard(body)
