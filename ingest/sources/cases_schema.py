"""The documented schema of curated case files (see ingest/data/README.md).

pydantic checks the structure; property names and value types come from ontology.ttl, so
adding a property to the ontology makes it usable here without touching this file.
``python -m ingest.sources.cases_schema`` prints the JSON Schema.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["SourceRecord", "ConflictRecord", "EntityRecord", "Involvement", "CaseFile", "ID_PATTERN"]

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceRecord(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    kind: str = Field(description="court_filing, news, report, press_release, official_document, data_file, reference")
    publisher: str
    title: str
    url: str | None = None
    docketNumber: str | None = None
    publishedDate: dt.date | None = None
    retrievedDate: dt.date | None = None
    datePrecision: str | None = None
    uncertain: str | None = None
    secondary: bool | None = None
    quality: str | None = Field(None, description="primary, major, secondary or aggregator (gp:SourceQualities); "
                                                  "only where the domain table does not decide it")


class Involvement(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    role: str | None = None


class ConflictRecord(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    description: str | None = None
    aliases: list[str] = []
    startDate: dt.date
    endDate: dt.date | None = None
    datePrecision: str | None = None
    status: str | None = None
    statusAsOf: dt.date | None = Field(None, description="when an ongoing status was last verified")
    outcome: str | None = None
    uncertain: str | None = None
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes")
    involves: list[Union[str, Involvement]] = []
    sources: list[str] = Field(min_length=2)

    @field_validator("countries")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        for code in v:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code (two capital letters)")
        return v


class EntityRecord(BaseModel):
    """id, class and sources; every other key is a datatype property of the class."""
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str = Field(pattern=ID_PATTERN)
    cls: str = Field(alias="class")
    sources: list[str] = Field(min_length=1)
    heldBy: dict[str, Union[str, int]] | None = Field(
        None, description="the event-level source holding this event and its natural key there, e.g. "
                          "{lumen: 12345}; the node takes that source's id, and `id` names it in this file")

    @field_validator("heldBy")
    @classmethod
    def _one_source(cls, v):
        if v is not None and len(v) != 1:
            raise ValueError("names one event-level source and its key, e.g. {lumen: 12345}")
        return v

    @property
    def props(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class CaseFile(_Strict):
    conflict: dict | None = None
    sources: list[dict] = []
    entities: list[dict] = []
    relations: list[Any] = []


if __name__ == "__main__":
    print(json.dumps({"file": CaseFile.model_json_schema(), "conflict": ConflictRecord.model_json_schema(),
                      "source": SourceRecord.model_json_schema(), "entity": EntityRecord.model_json_schema()},
                     indent=2, default=str))
