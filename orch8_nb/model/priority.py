"""Instance priority: an int 0..3 in storage, ``"Low"|"Normal"|"High"|"Critical"`` on the wire."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema


class Priority(IntEnum):
    """Claim order is priority descending, then fire time."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def wire(self) -> str:
        """Orch8's spelling: ``Low``, ``Normal``, ``High``, ``Critical``."""
        return self.name.capitalize()

    @classmethod
    def parse(cls, value: Any) -> Priority:
        """Accept a Priority, an int 0..3, or a name in any letter case."""
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
            return cls(value)
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        raise ValueError(
            f'priority must be "Low", "Normal", "High", "Critical" or 0-3, got {value!r}'
        )


def _wire(priority: Priority) -> str:
    return priority.wire


PriorityField = Annotated[
    Priority,
    PlainValidator(Priority.parse),
    PlainSerializer(_wire, return_type=str, when_used="json"),
    WithJsonSchema({"enum": ["Low", "Normal", "High", "Critical"], "type": "string"}),
]
"""A Priority field: lenient in, ``"Normal"``-style out."""
