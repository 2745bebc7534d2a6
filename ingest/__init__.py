"""Ingest: reads each source (ingest/sources, ingest/data) into ontology records with provenance,
resolves entities, and writes them to the configured store. Never imports dashboard."""
