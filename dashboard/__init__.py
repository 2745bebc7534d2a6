"""The Streamlit dashboard for researchers: pages over the store through graph.analytics and the
named queries, a network view, a world map and a SPARQL console."""
