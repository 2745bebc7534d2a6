"""The knowledge graph: records and ontology, stores (embedded, Neo4j), named queries, analytics,
validation and the CLI, with rooms for RDF (graph.rdf), SPARQL (graph.sparql) and Cypher (graph.cypher)."""
