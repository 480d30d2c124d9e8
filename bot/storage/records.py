"""Rows read out as records: a repository returns frozen dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import fields
from typing import TypeVar

R = TypeVar("R")


def as_record(row: object, record: type[R]) -> R:
    """`row` as `record`, field by field by name (a record's fields are columns of its row)."""
    return record(**{f.name: getattr(row, f.name) for f in fields(record)})  # type: ignore[arg-type]
