"""Reading ``llm_call`` / ``agent`` params (Orch8's names and defaults), each problem named
with its path so a typo in a sequence is a clear, permanent step failure."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orch8_nb.agents.chat import ToolSpec
from orch8_nb.agents.providers import KNOWN, ProviderConfig
from orch8_nb.engine.handlers import FailStep

ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True, slots=True)
class LLMParams:
    providers: list[ProviderConfig]
    model: str
    messages: list[dict[str, Any]]
    system: str | None
    temperature: float | None
    max_tokens: int
    tool_names: list[str] | None
    tool_specs: list[ToolSpec]
    tool_choice: Any
    response_format: dict[str, Any] | None
    response_schema: dict[str, Any] | None
    max_repair_attempts: int
    stream: bool
    total_timeout_s: float
    max_retries: int


class ParamProblem(FailStep):
    def __init__(self, handler: str, path: str, message: str) -> None:
        super().__init__(f"{handler}: params.{path}: {message}", code="bad_params")


def parse_llm_params(
    params: Any,
    handler: str,
    *,
    scripted: Mapping[str, Any],
    need_messages: bool = True,
) -> LLMParams:
    if not isinstance(params, Mapping):
        raise FailStep(f"{handler}: params must be an object", code="bad_params")
    p = dict(params)
    per_provider = _number(p, "per_provider_timeout_secs", 60.0, handler, positive=True)
    providers = _providers(p, handler, per_provider, scripted)
    model = p.get("model")
    if model is not None and (not isinstance(model, str) or not model):
        raise ParamProblem(handler, "model", "must be a non-empty string")
    if model is None:
        model = next((c.model for c in providers if c.model), None)
    if model is None:
        if all(c.kind == "scripted" for c in providers):
            model = "scripted"
        else:
            raise ParamProblem(handler, "model", 'is required (e.g. "gpt-4o-mini")')
    messages = _messages(p.get("messages"), handler) if need_messages or "messages" in p else []
    system = p.get("system")
    if system is not None and not isinstance(system, str):
        raise ParamProblem(handler, "system", "must be a string")
    temperature = p.get("temperature")
    if temperature is not None:
        temperature = _number(p, "temperature", 0.0, handler)
        if not 0 <= temperature <= 2:
            raise ParamProblem(handler, "temperature", "must be between 0 and 2")
    max_tokens = int(_number(p, "max_tokens", 4096, handler, positive=True, integer=True))
    tool_names, tool_specs = _tools(p.get("tools"), handler)
    response_format, schema = _response_format(p, handler)
    stream = p.get("stream", False)
    if not isinstance(stream, bool):
        raise ParamProblem(handler, "stream", "must be true or false")
    tool_choice = p.get("tool_choice")
    if (
        tool_choice is not None
        and tool_choice not in ("auto", "none", "required")
        and not (isinstance(tool_choice, Mapping) and isinstance(tool_choice.get("name"), str))
    ):
        raise ParamProblem(
            handler, "tool_choice", 'must be "auto", "none", "required" or {"name": <tool>}'
        )
    return LLMParams(
        providers=providers,
        model=model,
        messages=messages,
        system=system,
        temperature=temperature,
        max_tokens=max_tokens,
        tool_names=tool_names,
        tool_specs=tool_specs,
        tool_choice=dict(tool_choice) if isinstance(tool_choice, Mapping) else tool_choice,
        response_format=response_format,
        response_schema=schema,
        max_repair_attempts=int(
            _number(p, "max_repair_attempts", 2, handler, integer=True, minimum=0)
        ),
        stream=stream,
        total_timeout_s=_number(p, "total_timeout_secs", 120.0, handler, positive=True),
        max_retries=int(_number(p, "max_retries", 2, handler, integer=True, minimum=0)),
    )


def _response_format(
    p: Mapping[str, Any], handler: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(response_format, response_schema)``: a schema alone implies JSON-schema format."""
    fmt = p.get("response_format")
    if fmt is not None and (
        not isinstance(fmt, Mapping)
        or fmt.get("type") not in ("text", "json_object", "json_schema")
    ):
        raise ParamProblem(
            handler, "response_format", 'must be {"type": "text" | "json_object" | "json_schema"}'
        )
    schema = p.get("response_schema")
    if schema is not None and not isinstance(schema, Mapping):
        raise ParamProblem(handler, "response_schema", "must be a JSON Schema object")
    if fmt is not None and fmt.get("type") == "json_schema":
        schema = schema or fmt.get("schema")
    if fmt is not None and fmt.get("type") == "text":
        fmt = None
    if schema is not None and fmt is None:
        fmt = {"type": "json_schema", "schema": dict(schema)}
    return (dict(fmt) if fmt is not None else None), (dict(schema) if schema is not None else None)


def _number(
    p: Mapping[str, Any],
    key: str,
    default: float,
    handler: str,
    *,
    positive: bool = False,
    integer: bool = False,
    minimum: float | None = None,
) -> float:
    value = p.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamProblem(handler, key, f"must be a number, got {type(value).__name__}")
    if integer and value != int(value):
        raise ParamProblem(handler, key, "must be a whole number")
    if positive and value <= 0:
        raise ParamProblem(handler, key, "must be greater than 0")
    if minimum is not None and value < minimum:
        raise ParamProblem(handler, key, f"must be at least {minimum:g}")
    return float(value)


def _providers(
    p: Mapping[str, Any], handler: str, timeout_s: float, scripted: Mapping[str, Any]
) -> list[ProviderConfig]:
    listed = p.get("providers")
    if listed is None:
        entries: list[tuple[str, Mapping[str, Any]]] = [("", p)]
    elif isinstance(listed, list) and listed:
        entries = []
        for i, item in enumerate(listed):
            entry = {"provider": item} if isinstance(item, str) else item
            if not isinstance(entry, Mapping):
                raise ParamProblem(handler, f"providers[{i}]", "must be a name or an object")
            entries.append((f"providers[{i}].", entry))
    else:
        raise ParamProblem(handler, "providers", "must be a non-empty list")
    return [_provider(prefix, e, p, handler, timeout_s, scripted) for prefix, e in entries]


def _provider(
    prefix: str,
    entry: Mapping[str, Any],
    top: Mapping[str, Any],
    handler: str,
    timeout_s: float,
    scripted: Mapping[str, Any],
) -> ProviderConfig:
    name = entry.get("provider", top.get("provider", "openai") if not prefix else None)
    if not isinstance(name, str) or not name:
        raise ParamProblem(handler, prefix + "provider", "must be a provider name")
    model = entry.get("model") if prefix else None
    if model is not None and not isinstance(model, str):
        raise ParamProblem(handler, prefix + "model", "must be a string")
    if name in scripted:
        return ProviderConfig(name, "scripted", "scripted://" + name, model=model)
    base_url = entry.get("base_url", top.get("base_url") if not prefix else None)
    known = KNOWN.get(name)
    if base_url is None and known is None:
        raise ParamProblem(
            handler,
            prefix + "provider",
            f"unknown provider {name!r}: give a base_url (any OpenAI-compatible server) or "
            f"use one of {', '.join(sorted(KNOWN))}",
        )
    if base_url is not None and (not isinstance(base_url, str) or "://" not in base_url):
        raise ParamProblem(handler, prefix + "base_url", "must be a URL like http://host:port/v1")
    kind = known.kind if known is not None else "openai"
    key, wanted = _api_key(prefix, entry, top, handler, known)
    timeout = entry.get("timeout_secs", timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ParamProblem(handler, prefix + "timeout_secs", "must be a positive number")
    url = base_url if base_url is not None else known.base_url  # type: ignore[union-attr]
    # A hosted provider at its own address needs a key; a base_url of yours may not.
    missing = wanted if key is None and base_url is None else None
    return ProviderConfig(name, kind, url.rstrip("/"), key, model, float(timeout), missing)


def _api_key(
    prefix: str,
    entry: Mapping[str, Any],
    top: Mapping[str, Any],
    handler: str,
    known: Any,
) -> tuple[str | None, str | None]:
    """``(key, the variable it should be in)``: a literal ``api_key``, else the value of
    ``api_key_env`` or of the provider's usual variable."""
    literal = entry.get("api_key", top.get("api_key") if not prefix else None)
    if literal is not None:
        if not isinstance(literal, str):
            raise ParamProblem(handler, prefix + "api_key", "must be a string")
        return literal, None
    env = entry.get("api_key_env", top.get("api_key_env") if not prefix else None)
    if env is not None and not isinstance(env, str):
        raise ParamProblem(handler, prefix + "api_key_env", "must be an environment variable name")
    env = env or (known.key_env if known is not None else None)
    return (os.environ.get(env) if env else None), env


def _messages(value: Any, handler: str) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise ParamProblem(handler, "messages", "must be a non-empty list of {role, content}")
    out: list[dict[str, Any]] = []
    for i, message in enumerate(value):
        if not isinstance(message, Mapping):
            raise ParamProblem(handler, f"messages[{i}]", "must be an object {role, content}")
        role = message.get("role")
        if role not in ROLES:
            raise ParamProblem(
                handler, f"messages[{i}].role", f"must be one of {', '.join(ROLES)}, got {role!r}"
            )
        if role == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise ParamProblem(handler, f"messages[{i}].tool_call_id", "is required for role tool")
        out.append(dict(message))
    return out


def _tools(value: Any, handler: str) -> tuple[list[str] | None, list[ToolSpec]]:
    """Registered tool names, and inline specs ``{name, description, parameters}``."""
    if value is None:
        return None, []
    if not isinstance(value, list):
        raise ParamProblem(handler, "tools", "must be a list of tool names or tool specs")
    names: list[str] = []
    specs: list[ToolSpec] = []
    for i, tool in enumerate(value):
        if isinstance(tool, str):
            names.append(tool)
        elif isinstance(tool, Mapping) and isinstance(_function(tool).get("name"), str):
            fn = _function(tool)
            parameters = fn.get("parameters", {"type": "object", "properties": {}})
            if not isinstance(parameters, Mapping):
                raise ParamProblem(handler, f"tools[{i}].parameters", "must be a JSON Schema")
            specs.append(
                ToolSpec(str(fn["name"]), str(fn.get("description", "")), dict(parameters))
            )
        else:
            raise ParamProblem(handler, f"tools[{i}]", "must be a tool name or {name, parameters}")
    return names, specs


def _function(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tool spec in our shape, or OpenAI's ``{type: function, function: {...}}``."""
    inner = tool.get("function")
    return inner if isinstance(inner, Mapping) else tool
