"""JSON shapes of the REST API, from the engine's wire models.

The models already follow Orch8's JSON; what the API changes is decided here once:
priority goes out as a number (the published Python SDK validates an int) and is taken
as a name or a number.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

#: Orch8's priority names, and the numbers the API sends and also accepts.
PRIORITIES = {"Low": 0, "Normal": 1, "High": 2, "Critical": 3}


def instance_json(model: BaseModel) -> dict[str, Any]:
    body = model.model_dump(mode="json")
    priority = body.get("priority")
    if isinstance(priority, str):
        body["priority"] = PRIORITIES.get(priority, 1)
    return body


def sequence_json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def plain(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def priority_in(value: Any) -> Any:
    """A priority as the engine takes it: a name, or one of the numbers above."""
    if isinstance(value, int) and not isinstance(value, bool):
        for name, number in PRIORITIES.items():
            if number == value:
                return name
        raise ValueError(f"priority must be 0..3 or one of {', '.join(PRIORITIES)}")
    return value
