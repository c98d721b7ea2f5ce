"""Rows to dataclasses and back, by attribute name.

A table's columns carry the names of its dataclass's fields, so a new field is a field
of the model and a column of the table (and its migration), not two more lines in each
mapper: only a field stored in another form (barcodes as lines of text, an enum as its
value) or a column the model does not have is named here.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


# dataclasses.fields() walks the class every call: a scan maps thousands of rows.
_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


# (kind, prefix, the fields stored otherwise) -> the names read and one getter of them all.
_READERS: dict[tuple[type, str, tuple[str, ...]], tuple[tuple[str, ...], Any]] = {}


def from_row(kind: type[T], row: Any, *, prefix: str = "", **stored_otherwise: Any) -> T:
    """`kind` from a mapped row or a Core row with the same attribute names (`prefix`
    before each, where a join names one table's columns so); `stored_otherwise`: the
    fields read in another form."""
    key = (kind, prefix, tuple(stored_otherwise))
    reader = _READERS.get(key)
    if reader is None:
        names = tuple(name for name in _names(kind) if name not in stored_otherwise)
        getter = attrgetter(*(prefix + name for name in names)) if names else None
        reader = _READERS[key] = (names, getter)
    names, getter = reader
    if getter is None:
        return kind(**stored_otherwise)
    values = getter(row)
    if len(names) == 1:
        values = (values,)
    return kind(**dict(zip(names, values, strict=True)), **stored_otherwise)


def to_values(
    item: Any, *, leave_out: tuple[str, ...] = (), **stored_otherwise: Any
) -> dict[str, Any]:
    """The columns of a dataclass: each field by name, but those left out (an id the
    database gives, a collection of its own table) and those stored in another form."""
    values = {
        f.name: getattr(item, f.name)
        for f in fields(item)
        if f.name not in leave_out and f.name not in stored_otherwise
    }
    return values | stored_otherwise
