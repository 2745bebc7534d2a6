"""The RDF view of the graph: terms, records → triples, writers (N-Triples … JSON-LD), the JSON-LD
context, RDF import back into records, and SPARQL result formats. Imports nothing from graph.sparql."""
