"""When a row of SFLC.in's India tracker (shutdowns_india) and a KeepItOn STOP order (keepiton)
are one shutdown, whichever of the two sources is ingested second.

The rule: same start date in India, and the STOP order's area is the tracker row's state or
names one of its districts as a word; a row joins only when exactly one STOP order of that day
qualifies. The tracker's area is written "district, district, ..., state" (shutdowns_india), so
both sides apply the rule to the same stored text:

- tracker second: the row is added to the STOP order (reportedIn, sources), no node of its own;
- STOP second: the tracker's order is folded into the STOP order the same way and then deleted,
  so the graph is the same in either order.
"""
from __future__ import annotations

import datetime as dt
import re

from ingest.resolve import normalise

__all__ = ["STOP_PREFIX", "SFLC_PREFIX", "same_area", "joins", "stored_orders", "delete_orders"]

STOP_PREFIX = "keepiton-"
SFLC_PREFIX = "sflcin-"
INDIA = "country-in"


def same_area(stop_area: str, tracker_area: str) -> bool:
    """The STOP area is the tracker's state (its last part) or names one of its districts."""
    parts = [p for p in (tracker_area or "").split(", ") if p]
    if not parts:
        return False
    area = normalise(stop_area or "")
    if area == normalise(parts[-1]):
        return True
    return any(k and re.search(rf"\b{re.escape(k)}\b", area) for k in map(normalise, parts[:-1]))


def joins(stop_orders: list[dict], tracker_area: str) -> list[dict]:
    """The STOP orders of one day that qualify for a tracker row (it joins when there is one)."""
    return [o for o in stop_orders if same_area(o.get("area") or "", tracker_area)]


def stored_orders(store, prefix: str) -> dict[dt.date, list[dict]]:
    """India's BlockingOrders of one source already stored (or staged by the bulk path), by start date."""
    import pyarrow.compute as pc

    out: dict[dt.date, list[dict]] = {}
    if store is None or not hasattr(store, "node_table"):
        return out
    orders = store.node_table("BlockingOrder", ["name", "date", "area", "reportedIn", "sources"])
    orders = orders.filter(pc.starts_with(orders["id"], prefix))
    if not orders.num_rows:
        return out
    india = store.link_table("IN_JURISDICTION", "BlockingOrder", "Country")
    india = set(india.filter(pc.equal(india["to"], INDIA))["from"].to_pylist())
    for r in sorted(orders.to_pylist(), key=lambda r: r["id"]):
        if r["id"] in india:
            out.setdefault(r["date"], []).append(r)
    return out


def delete_orders(store, ids: list[str]) -> None:
    """Delete folded tracker orders (and their IN_JURISDICTION links) once the STOP orders hold them."""
    if ids and store is not None and hasattr(store, "run"):
        store.run("UNWIND $ids AS i MATCH (o:BlockingOrder {id: i}) DETACH DELETE o", {"ids": sorted(ids)},
                  read_only=False)
