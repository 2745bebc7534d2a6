"""An analyst's Cypher made safe and portable: the read-only plan guard (read_plans.yaml), the
Neo4j → Ladybug dialect translation (dialect.yaml), and the Landlock no-files sandbox."""
