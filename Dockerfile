# The govplat image used by docker-compose.yml (dashboard, ingest, SPARQL endpoint).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ontology.ttl shapes.ttl ./
COPY graph ./graph
COPY ingest ./ingest
COPY dashboard ./dashboard
RUN pip install --no-cache-dir -e .
ENV GOVPLAT_HOME=/data/govplat
EXPOSE 8501 7878
CMD ["govplat", "--help"]
