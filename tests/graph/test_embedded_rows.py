"""The embedded store reads every result through one row reader (graph/stores/ladybug_rows.py):
dates come back as ``datetime.date`` wherever they sit, each held by its row only. Ladybug's own
reader keeps one reference too many to every date it returns, so none was ever freed (32 bytes
per date read: a dashboard running for weeks grew by every date it showed)."""
from __future__ import annotations

import sys
from datetime import date

_DATES = ("MATCH (c:Conflict) WHERE c.startDate IS NOT NULL "
          "RETURN c.startDate AS d, [c.startDate] AS l, c AS n, {k: c.startDate} AS m LIMIT 5")


def test_dates_come_back_as_dates_in_columns_lists_maps_and_nodes(embedded_bundled):
    rows = embedded_bundled.run(_DATES).rows
    assert rows
    for row in rows:
        assert type(row["d"]) is date
        assert row["l"] == [row["d"]] and row["m"] == {"k": row["d"]}
        assert row["n"].props["startDate"] == row["d"]


def test_each_date_read_is_held_by_its_row_only(embedded_bundled):
    rows = embedded_bundled.run(_DATES).rows
    plain = {"d": date(2020, 1, 2), "l": [date(2020, 1, 3)]}
    read = rows[-1]
    # the same holders (a dict or a list, a local name, the call's argument): the same count
    assert sys.getrefcount(read["d"]) == sys.getrefcount(plain["d"])
    assert sys.getrefcount(read["l"][0]) == sys.getrefcount(plain["l"][0])
    assert sys.getrefcount(read["n"].props["startDate"]) == sys.getrefcount(plain["d"])


def test_the_dump_gives_dates_held_by_their_records_only(embedded_bundled):
    entities, _ = embedded_bundled.dump()
    dated = [e for e in entities if e.props.get("startDate") is not None]
    assert dated
    plain = {"d": date(2020, 1, 2)}
    assert all(type(e.props["startDate"]) is date for e in dated)
    assert sys.getrefcount(dated[-1].props["startDate"]) == sys.getrefcount(plain["d"])
