"""Tools a model may call: Python functions registered with ``@engine.tool``, and HTTP
tools (Orch8's ``tool_call``: POST ``{tool_name, arguments, context}`` to a URL).

A Python tool's JSON Schema comes from its signature (pydantic builds it from the type
hints; ``Annotated[str, Field(description=...)]`` documents a parameter) and its
description from the docstring. Arguments from the model are validated against the
signature before the function runs, so a model that sends the wrong shape gets a
readable error back instead of crashing the step. ``dangerous=True`` makes every call
wait for a person's approval first.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

import httpx
import pydantic

from orch8_nb.agents.chat import ToolSpec


class ToolArgumentsError(Exception):
    """The model's arguments do not fit the tool's signature."""


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    fn: Callable[..., Any]
    spec: ToolSpec
    arguments: type[pydantic.BaseModel]
    dangerous: bool = False

    async def call(self, arguments: Mapping[str, Any]) -> Any:
        """Validate ``arguments`` and run the function (sync ones off the loop)."""
        try:
            parsed = self.arguments.model_validate(dict(arguments))
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ToolArgumentsError(f"{self.name}: bad arguments: {problems}") from None
        values = {name: getattr(parsed, name) for name in type(parsed).model_fields}
        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(**values)
        return await asyncio.to_thread(self.fn, **values)


def make_tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    dangerous: bool = False,
) -> Tool:
    """A :class:`Tool` from a function's name, docstring and type hints."""
    tool_name = name or getattr(fn, "__name__", "")
    if not tool_name or not tool_name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(
            f"tool name {tool_name!r} must be letters, digits, '_' or '-' (models reject others)"
        )
    signature = inspect.signature(fn)
    hints = get_type_hints(fn, include_extras=True)
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ValueError(
                f"tool {tool_name!r}: *args and **kwargs cannot be described to a model"
            )
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, default)
    model = pydantic.create_model(
        f"{tool_name}_arguments", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)
    doc = description if description is not None else inspect.getdoc(fn) or ""
    summary = doc.strip().split("\n\n", 1)[0].replace("\n", " ")
    return Tool(tool_name, fn, ToolSpec(tool_name, summary, schema), model, dangerous)


class ToolRegistry:
    """The engine's Python tools by name; re-registering a name replaces it (cells re-run)."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._lock = threading.Lock()

    def add(self, tool: Tool) -> Tool:
        with self._lock:
            self._tools[tool.name] = tool
        return tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return sorted(self._tools)

    def specs(self, names: list[str] | None = None) -> list[ToolSpec]:
        """Specs of the named tools (all when ``None``); an unknown name raises KeyError."""
        if names is None:
            return [self._tools[n].spec for n in self.names()]
        missing = [n for n in names if n not in self._tools]
        if missing:
            known = ", ".join(self.names()) or "none registered"
            raise KeyError(f"unknown tool {missing[0]!r} (registered: {known})")
        return [self._tools[n].spec for n in names]


def result_text(result: Any) -> str:
    """A tool result as the text a model reads."""
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(result)


async def call_http_tool(
    url: str,
    tool_name: str,
    arguments: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 30.0,
) -> Any:
    """Orch8's HTTP tool protocol: send ``{tool_name, arguments, context}``, get a result.

    A JSON answer is the result (its ``result`` field when it has one); any other body is
    returned as text. 5xx, timeouts and connection errors raise ``httpx.HTTPError`` kinds
    the caller treats as retryable; 4xx raises :class:`ToolCallRejected`.
    """
    body = {"tool_name": tool_name, "arguments": dict(arguments), "context": dict(context)}
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        response = await client.request(method, url, json=body, headers=dict(headers or {}))
    if response.status_code >= 500:
        raise httpx.HTTPStatusError(
            f"tool {tool_name!r} at {url}: HTTP {response.status_code}",
            request=response.request,
            response=response,
        )
    if response.status_code >= 400:
        raise ToolCallRejected(
            f"tool {tool_name!r} at {url}: HTTP {response.status_code}: {response.text[:300]}"
        )
    try:
        data = response.json()
    except ValueError:
        return response.text
    if isinstance(data, dict) and "result" in data:
        return data["result"]
    return data


class ToolCallRejected(Exception):
    """The tool's server answered 4xx: retrying will not help."""
