import pytest

from graph.errors import ReadOnlyViolation
from graph.guard import check_read_only

HOSTILE = [
    "CREATE (n:Agency {id: 'x'})",
    "match (n) detach delete n",
    "MATCH (n) SET n.name = 'x'",
    "MATCH (n) REMOVE n.name",
    "MERGE (n:Agency {id: 'x'})",
    "DROP TABLE Agency",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "MATCH (n) FOREACH (x IN [1] | SET n.a = 1)",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "CALL { MATCH (n) DELETE n }",
    "MATCH (n) CALL { WITH n DETACH DELETE n } RETURN 1",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL db.clearQueryCaches()",
    "MATCH (n) RETURN n /* harmless */ ; CREATE (m)",
    "MATCH (n) //\nDELETE n",
    "MaTcH (n) DeLeTe n",
    "MATCH (n) WITH n DELETE n",
    "COPY Agency FROM 'x.csv'",
    "ALTER TABLE Agency ADD x STRING",
    "CREATE INDEX i FOR (n:Agency) ON (n.name)",
    "SHOW USERS",
    "GRANT ALL ON DATABASE * TO x",
    "START DATABASE neo4j",
    "INSTALL httpfs",
    "ATTACH 'x.db' AS y",
    "CALL `apoc`.`cypher`.`runWrite`('CREATE (n)', {})",
    "USE system MATCH (n) RETURN n",
    "MATCH (n) RETURN n; MATCH (m) DELETE m",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_refused(query):
    with pytest.raises(ReadOnlyViolation) as info:
        check_read_only(query)
    assert str(info.value).startswith("refused")


@pytest.mark.parametrize("query", [
    "MATCH (n:Agency) RETURN n.name AS name",
    "MATCH (n) WHERE n.name = 'CREATE something; DELETE' RETURN n.id AS id",
    "MATCH (n) WHERE n.description CONTAINS \"set\" RETURN count(n) AS n",
    "MATCH (n:`Agency`) RETURN n.`name` AS name // delete nothing",
    "MATCH (a)-[:PART_OF]->(b) RETURN a.id AS a, b.id AS b;",
    "CALL db.labels() YIELD label RETURN label",
    "MATCH (n) RETURN n.set AS s, n.create AS c",
])
def test_read_queries_pass(query):
    check_read_only(query)
