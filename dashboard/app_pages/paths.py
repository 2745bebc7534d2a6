"""Paths: how two entities are connected — the shortest chain and every chain up to a length."""
import pandas as pd
import streamlit as st

from dashboard import data, ui
from graph import analytics


def body() -> None:
    st.title("Paths between two entities")
    if ui.empty_notice():
        return
    G = data.graph()
    qp = st.query_params
    a, b = st.columns(2)
    with a:
        source = ui.pick_entity("paths_source", "From", default=qp.get("source") if qp.get("source") in G else None)
    with b:
        target = ui.pick_entity("paths_target", "To", default=qp.get("target") if qp.get("target") in G else None)
    c1, c2 = st.columns(2)
    ui.from_url("paths_len", "length", 3, parse=lambda s: min(4, max(1, int(s))))
    ui.from_url("paths_limit", "limit", 50, parse=lambda s: min(500, max(1, int(s))))
    max_len = c1.slider("Longest path", 1, 4, key="paths_len",
                        help="Relationships are followed in either direction; no relationship is used twice.")
    limit = c2.number_input("Most paths to list", 1, 500, step=10, key="paths_limit")
    for param, value, default in (("source", source, None), ("target", target, None), ("length", max_len, 3),
                                  ("limit", int(limit), 50)):
        ui.to_url(param, value, default)
    ui.share_link()
    if not (source and target):
        st.info("Pick two entities: type part of a name, alias or handle in each box.")
        return
    if source == target:
        st.warning("Pick two different entities.")
        return

    shortest = data.named("shortest_path", source=source, target=target, max_length=10).rows
    st.subheader("Shortest path")
    if shortest:
        p = shortest[0]["path"]
        st.markdown(f"**{shortest[0]['length']}** relationship{'s' if shortest[0]['length'] != 1 else ''}: "
                    f"{ui.md(ui.path_text(p), 2000)}")
    else:
        st.caption("These two entities are not connected within 10 relationships.")

    with st.spinner("Finding every path…"):
        rows = data.named("all_paths", source=source, target=target, max_length=max_len, limit=int(limit)).rows
    st.subheader(f"All paths up to {max_len} relationships")
    if not rows:
        st.caption("No path that short.")
    else:
        st.caption(f"{len(rows)} path{'s' if len(rows) != 1 else ''}, shortest first"
                   + (" (the list stops at the limit)." if len(rows) >= limit else "."))
        df = pd.DataFrame([{"length": r["length"], "path": ui.path_text(r["path"])} for r in rows])
        st.dataframe(df, hide_index=True, key="paths_table", width="stretch")
        ui.download_table(df, key="paths_table", name="govplat-paths")
    view = analytics.result_graph([r["path"] for r in rows] + [r["path"] for r in shortest], base=G)
    if view.number_of_nodes():
        st.subheader("Drawn")
        ui.show_network(view, key="paths_net", height=550,
                        signature=f"paths:{source}:{target}:{max_len}:{limit}", highlight=(source, target))


ui.guard(body)
