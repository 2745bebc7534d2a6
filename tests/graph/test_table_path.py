"""The table path (graph.stores.bulk.load_tables: column-wise checks, then COPY FROM) refuses a
bad row with the error the record path gives for it - file, record and field named - and stores
nothing; a good graph loads as the records would (tests/graph/test_synthetic.py)."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from graph.errors import StoreError, ValidationError
from graph.model import Entity, Relation
from graph.stores.bulk import load_tables
from graph.stores.embedded import EmbeddedStore
from graph.synthetic import records_of, tables
from graph.validate import check_entities

WHERE = "test tables"


@pytest.fixture(scope="module")
def graph():
    return tables(300, 900, seed=4)


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "graph.lbdb") as s:
        yield s


def _edited(table: pa.Table, row: int, **values) -> pa.Table:
    rows = table.to_pylist()
    rows[row].update(values)
    schema = pa.schema([f for f in table.schema] + [pa.field(k, pa.array([v]).type) for k, v in values.items()
                                                    if k not in table.column_names])
    return pa.Table.from_pylist(rows, schema=schema)


def _refused(store, entities, relations) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        load_tables(store, entities, relations, WHERE)
    assert store.counts() == {"entities": {}, "relations": {}}  # nothing stored
    assert info.value.where == WHERE
    return info.value


def _as_record(cls: str, row: dict) -> Entity:
    row = {k: v for k, v in row.items() if k != "uri"}
    return Entity(row.pop("id"), cls, {k: v for k, v in row.items() if k != "sources" and v is not None},
                  row["sources"])


def test_the_synthetic_graph_passes_the_record_paths_shapes(graph):
    entities, _ = records_of(graph)
    assert check_entities(entities) == {}


@pytest.mark.parametrize("cls, values, field", [
    ("Conflict", {"startDate": None}, "startDate"),             # a required field missing
    ("Conflict", {"sources": ["syn-source-0"]}, "source"),      # two sources needed
    ("Response", {"kind": "exploded"}, "kind"),                 # not in its vocabulary
    ("Court", {"id": "Court Of Appeal"}, "id"),                 # an id outside the pattern
    ("Source", {"publisher": None}, "publisher"),
])
def test_a_row_breaking_a_shape_gets_the_record_paths_error(graph, store, cls, values, field):
    bad = _edited(graph.entities[cls], 1, **values)
    err = _refused(store, {**graph.entities, cls: bad}, {})
    assert (err.record, err.field) == (bad["id"][1].as_py(), field)
    record = _as_record(cls, bad.to_pylist()[1])
    expected = {(e.reason, e.record, e.field) for e in check_entities([record])[record.id]}
    assert (err.reason, err.record, err.field) in expected


def _upsert_error(tmp_path, entities, relations) -> ValidationError:
    with EmbeddedStore(tmp_path / "records" / "graph.lbdb") as s, pytest.raises(ValidationError) as info:
        s.upsert(entities, relations)
    return info.value


def test_a_relationship_to_an_unknown_entity_is_refused_as_upsert_refuses_it(graph, store, tmp_path):
    key = next(k for k in graph.relations if k[0] == "HEARD_BY")
    bad = _edited(graph.relations[key], 0, to="court-nowhere")
    err = _refused(store, graph.entities, {**graph.relations, key: bad})
    assert (err.record, err.field) == (f"{bad['from'][0].as_py()} HEARD_BY court-nowhere", "to")
    entities, _ = records_of(graph)
    nowhere = Relation("HEARD_BY", bad["from"][0].as_py(), "court-nowhere", {}, ["s"])
    expected = _upsert_error(tmp_path, entities, [nowhere])
    assert (err.reason, err.field) == (expected.reason, expected.field)


def test_a_relationship_between_classes_the_ontology_does_not_join_is_refused(graph, store, tmp_path):
    key = next(k for k in graph.relations if k[0] == "OPERATES")
    table = graph.relations[key].rename_columns(["to", "from", *graph.relations[key].column_names[2:]])
    wrong = ("OPERATES", key[2], key[1])  # a platform operating a company
    err = _refused(store, graph.entities, {wrong: table.select(graph.relations[key].column_names)})
    assert err.field == "type" and err.record.split(" ")[1] == "OPERATES"
    entities, _ = records_of(graph)
    f, t = err.record.split(" OPERATES ")
    assert err.reason == _upsert_error(tmp_path, entities, [Relation("OPERATES", f, t, {}, ["s"])]).reason


def test_unknown_class_column_type_and_date_order_are_refused(graph, store):
    err = _refused(store, {**graph.entities, "Platfrom": graph.entities["Platform"]}, {})
    assert err.field == "class" and "Platfrom" in err.reason
    err = _refused(store, {**graph.entities, "Court": _edited(graph.entities["Court"], 0, colour="red")}, {})
    assert (err.record, err.field) == (graph.entities["Court"]["id"][0].as_py(), "colour")
    ruling = _edited(graph.entities["Ruling"], 2, validFrom=dt.date(2020, 5, 1), validTo=dt.date(2019, 1, 1))
    err = _refused(store, {**graph.entities, "Ruling": ruling}, {})
    assert (err.record, err.field) == (ruling["id"][2].as_py(), "validFrom")
    assert err.reason == "validFrom (2020-05-01) is after validTo (2019-01-01)"
    err = _refused(store, {**graph.entities, "Court": _edited(graph.entities["Court"], 0, datePrecision="week")}, {})
    assert err.field == "datePrecision" and "'week' not in list" in err.reason
    doubled = pa.concat_tables([graph.entities["Law"], graph.entities["Law"].slice(0, 1)])
    err = _refused(store, {**graph.entities, "Law": doubled}, {})
    assert (err.record, err.field) == (graph.entities["Law"]["id"][0].as_py(), "id")


def test_the_table_path_loads_an_empty_store_only(graph, store):
    store.upsert([Entity("x-1", "Platform", {"name": "X"}, ["s"])], [])
    with pytest.raises(StoreError, match="empty store"):
        load_tables(store, graph.entities, graph.relations)
    assert store.counts()["entities"] == {"Platform": 1}


def test_a_load_failing_half_way_leaves_the_store_empty_and_writable(graph, store, monkeypatch):
    """The COPYs commit one by one (graph/stores/bulk.py says why): a failure after the first
    wipes what the earlier ones wrote, and the store takes a load afterwards."""
    from graph.stores import bulk

    real, calls = bulk._copy, []

    def failing(conn, table, rows, options=""):
        calls.append(table)
        if len(calls) == 3:
            raise StoreError(f"the bulk load of {rows.num_rows} rows into {table} failed: disk full")
        real(conn, table, rows, options)

    monkeypatch.setattr(bulk, "_copy", failing)
    with pytest.raises(StoreError, match="disk full"):
        load_tables(store, graph.entities, graph.relations)
    assert store.counts() == {"entities": {}, "relations": {}}
    monkeypatch.setattr(bulk, "_copy", real)
    load_tables(store, graph.entities, graph.relations)
    assert sum(store.counts()["relations"].values()) == graph.n_relations
    assert store._conn.execute("CALL current_setting('auto_checkpoint') RETURN *").get_all() == [["True"]]
