"""Resident memory left behind by dates read through the embedded store (EmbeddedStore.run()).

Ladybug's row reader keeps one reference too many to every DATE it returns (32 bytes never
freed per date); graph/stores/ladybug_rows.py gives it back. This reads 100k dates per query
(in a column, and in lists), ``--rounds`` times, and prints the RSS growth per 100k dates read,
with the reader as it is ("ours") and with the reader's give-back switched off ("Ladybug's
reader"), in the same run. Needs no data: the dates are made by the queries, in a fresh store.

    python benchmarks/embedded_dates.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import gc
import tempfile
from pathlib import Path

QUERIES = {
    "column": "UNWIND range(1, 100000) AS i RETURN date('2000-01-01') + to_days(i % 5000) AS d",
    "list": "UNWIND range(1, 50000) AS i "
            "RETURN [date('2000-01-01') + to_days(i % 5000), date('2001-01-01') + to_days(i % 5000)] AS d",
}


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))


def _growth(store, query: str, rounds: int) -> float:
    """KB of resident memory gained per round of 100k dates (after one untimed round)."""
    store.run(query, max_rows=10**6)
    gc.collect()
    before = _rss_kb()
    for _ in range(rounds):
        store.run(query, max_rows=10**6)
    gc.collect()
    return (_rss_kb() - before) / rounds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20, help="queries of 100k dates per measurement")
    args = ap.parse_args()

    from graph.stores import ladybug_rows
    from graph.stores.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "graph.lbdb") as store:
        held = ladybug_rows._held
        print(f"Ladybug's reader holds an extra reference to each date: {'yes' if held else 'no'}")
        for name, query in QUERIES.items():
            ours = _growth(store, query, args.rounds)
            ladybug_rows._held = None  # the reader as Ladybug ships it
            try:
                theirs = _growth(store, query, args.rounds)
            finally:
                ladybug_rows._held = held
            print(f"{name:7s} RSS growth per 100k dates read: ours {ours / 1024:6.2f} MB   "
                  f"Ladybug's reader {theirs / 1024:6.2f} MB   ({args.rounds} rounds)")


if __name__ == "__main__":
    main()
