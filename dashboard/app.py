"""govplat dashboard: every page declared once here; pages are thin, logic lives in graph/.

Run with ``govplat dashboard`` (or ``python -m streamlit run dashboard/app.py``). How the
dashboard shares the embedded store with ``govplat ingest`` is explained in dashboard/data.py.

The page scripts live in app_pages/, not pages/: Streamlit still treats a folder called
``pages`` beside the entry script as a legacy multipage app, and a first visit to a deep link
(/entity?id=...) would then run the page script without this file (no navigation, no layout).
"""
import time

import streamlit as st

from dashboard import data
from graph.errors import GovplatError

st.set_page_config(page_title="govplat — governments vs platforms", page_icon="⚖️", layout="wide")

PAGES = {
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
        st.Page("app_pages/entity.py", title="Entity", icon=":material/badge:", url_path="entity"),
        st.Page("app_pages/conflict.py", title="Conflict", icon=":material/gavel:", url_path="conflict"),
        st.Page("app_pages/paths.py", title="Paths", icon=":material/route:", url_path="paths"),
    ],
    "Analyse": [
        st.Page("app_pages/statistics.py", title="Statistics", icon=":material/public:", url_path="statistics"),
        st.Page("app_pages/analytics.py", title="Analytics", icon=":material/insights:", url_path="analytics"),
        st.Page("app_pages/queries.py", title="Queries", icon=":material/terminal:", url_path="queries"),
    ],
}

page = st.navigation(PAGES)

with st.sidebar:
    try:
        st.caption(f"Data: {data.describe_store()}")
        at = data.loaded_at()
    except GovplatError as exc:  # a bad GOVPLAT_STORE: the pages say so too
        st.error(str(exc))
        at = None
    if at:
        st.caption(f"Graph loaded at {time.strftime('%H:%M:%S', time.localtime(at))}")
    if st.button("Reload data", key="reload_data", icon=":material/refresh:",
                 help="Read the store again (after `govplat ingest`). The dashboard also notices new data by itself."):
        data.reload()
        st.rerun()

page.run()
