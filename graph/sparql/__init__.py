"""The read-only SPARQL endpoint: query checks and evaluation (engine), the Endpoint and its worker
pool, the Starlette HTTP app, entity pages, bundled examples, and the no-network sandbox."""
