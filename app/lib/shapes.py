"""Response shapes filled from models: `shape(IncidentRead, incident, url=...)`.

The API's `*Read` structs mostly repeat a model's attribute names; `shape` copies those so a
handler names only what differs. Its one rule: a field without a default is read from the
model's attribute of the same name unless given; a field with a default is never read from
the model, only given. So an extra that must be asked for (a webhook's secret, a new key,
the updates of an incident) appears only where a handler passes it.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def shape(cls: type[S], model: object, /, **given: Any) -> S:
    """A `cls` with the `given` fields, and its other required fields read from `model`."""
    values = {name: getattr(model, name) for name in _required(cls) if name not in given}
    return cls(**values, **given)


@functools.cache
def _required(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(field.name for field in msgspec.structs.fields(cls) if field.required)
