"""The Arrow type of each ontology property kind, shared by the bulk paths (staged rows, table
checks, synthetic tables) and the neo4j-import writer."""
from __future__ import annotations

import pyarrow as pa

__all__ = ["ARROW_TYPES", "arrow_type"]

ARROW_TYPES = {"string": pa.string(), "date": pa.date32(), "int": pa.int64(), "float": pa.float64(),
               "bool": pa.bool_()}


def arrow_type(prop) -> pa.DataType:
    """The Arrow type of an ontology property (a list type for a multi-valued one)."""
    t = ARROW_TYPES[prop.kind]
    return pa.list_(t) if prop.multi else t
