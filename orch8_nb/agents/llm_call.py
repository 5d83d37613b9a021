"""``llm_call``: one chat completion as a durable step.

Output (Orch8's shape): ``{provider, model, message: {role, content, tool_calls?},
finish_reason, usage}``, plus ``latency_ms`` and ``cached``. ``usage`` holds tokens and
``cost_microunits``, which instance budgets count. With ``response_format`` JSON the
answer is parsed: its top-level keys are merged into the output (as in Orch8) and the
whole value is under ``parsed``. With ``response_schema`` an answer that does not
validate is sent back to the model with the validation error, up to
``max_repair_attempts`` times, before the step fails.

``conversation`` (ours) names an instance state key holding the message list: the first
call seeds it with ``messages``, every call sends it and appends the model's answer, and
``tool_call`` appends tool results, so a ``loop`` can carry a ReAct conversation.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import jsonschema

from orch8_nb.agents.calling import CallResult, call_model
from orch8_nb.agents.chat import ChatRequest, ToolSpec
from orch8_nb.agents.params import LLMParams, ParamProblem, parse_llm_params
from orch8_nb.agents.services import AgentServices, services_of
from orch8_nb.engine.handlers import FailStep, StepContext

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
#: Output keys a parsed JSON answer may not overwrite when merged.
RESERVED = frozenset({"provider", "model", "message", "finish_reason", "usage", "latency_ms",
                      "cached", "parsed", "repairs"})  # fmt: skip


async def llm_call_handler(ctx: StepContext) -> dict[str, Any]:
    """Call a chat model (OpenAI-compatible, Anthropic, or scripted), with failover."""
    kit = services_of(ctx)
    key = ctx.params.get("conversation") if isinstance(ctx.params, dict) else None
    if key is not None and (not isinstance(key, str) or not key):
        raise FailStep("llm_call: params.conversation must be a state key name", code="bad_params")
    history = ctx.state.get(key) if key else None
    ongoing = isinstance(history, list) and bool(history)
    p = parse_llm_params(ctx.params, "llm_call", scripted=kit.scripted, need_messages=not ongoing)
    if ongoing:
        assert isinstance(history, list)
        p = replace(p, messages=list(history))
    request = build_request(kit, p, "llm_call")
    result = await call_model(kit, ctx, p.providers, request, total_timeout_s=p.total_timeout_s,
                              max_retries=p.max_retries)  # fmt: skip
    usage = [result]
    parsed: Any = None
    repairs = 0
    if p.response_format is not None:
        parsed, result, repairs = await _parse_with_repair(kit, ctx, p, request, result, usage)
    out: dict[str, Any] = {
        "provider": result.provider,
        "model": result.model,
        "message": result.response.message,
        "finish_reason": result.response.finish_reason,
        "usage": total_usage(usage),
        "latency_ms": round(sum(r.latency_ms for r in usage), 3),
        "cached": all(r.cached for r in usage),
    }
    if key:
        ctx.state[key] = [*p.messages, result.response.message]
    if p.response_format is not None:
        out["parsed"] = parsed
        out["repairs"] = repairs
        if isinstance(parsed, dict):
            out.update({k: v for k, v in parsed.items() if k not in RESERVED})
    return out


def build_request(kit: AgentServices, p: LLMParams, handler: str) -> ChatRequest:
    return ChatRequest(
        model=p.model,
        messages=p.messages,
        system=p.system,
        temperature=p.temperature,
        max_tokens=p.max_tokens,
        tools=tool_specs(kit, p, handler),
        tool_choice=p.tool_choice,
        response_format=p.response_format,
        stream=p.stream,
    )


def tool_specs(kit: AgentServices, p: LLMParams, handler: str) -> list[ToolSpec]:
    try:
        named = kit.tools.specs(p.tool_names) if p.tool_names else []
    except KeyError as exc:
        raise ParamProblem(handler, "tools", str(exc.args[0])) from None
    return named + p.tool_specs


def total_usage(results: list[CallResult]) -> dict[str, Any]:
    total: dict[str, Any] = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0,
                             "cost_microunits": 0}  # fmt: skip
    for r in results:
        for key, value in r.usage_json().items():
            if key in total:
                total[key] += value
    total["priced"] = all(r.priced for r in results)
    total["calls"] = len(results)
    return total


def parse_json_answer(text: str | None) -> Any:
    """The JSON in a model's answer (code fences allowed); ValueError when there is none."""
    if text is None or not text.strip():
        raise ValueError("the answer is empty")
    match = _FENCE.match(text)
    body = match.group(1) if match else text.strip()
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        start, end = body.find("{"), body.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(body[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise ValueError(f"the answer is not JSON ({exc.msg} at character {exc.pos})") from None


def check_answer(text: str | None, schema: dict[str, Any] | None) -> Any:
    value = parse_json_answer(text)
    if schema is not None:
        try:
            jsonschema.validate(value, schema)
        except jsonschema.ValidationError as exc:
            where = "".join(f"[{p!r}]" for p in exc.absolute_path) or " (top level)"
            raise ValueError(
                f"the answer does not match the schema at{where}: {exc.message}"
            ) from None
    elif not isinstance(value, dict):
        raise ValueError("the answer must be a JSON object")
    return value


async def _parse_with_repair(
    kit: AgentServices,
    ctx: StepContext,
    p: LLMParams,
    request: ChatRequest,
    result: CallResult,
    usage: list[CallResult],
) -> tuple[Any, CallResult, int]:
    messages = list(request.messages)
    for repair in range(p.max_repair_attempts + 1):
        try:
            return check_answer(result.response.content, p.response_schema), result, repair
        except ValueError as problem:
            if repair == p.max_repair_attempts:
                raise FailStep(
                    f"llm_call: the model's answer is still invalid after {repair} repair "
                    f"attempt(s): {problem}",
                    code="invalid_model_output",
                    details={"content": result.response.content},
                ) from None
            messages += [
                {"role": "assistant", "content": result.response.content or ""},
                {"role": "user", "content": _repair_prompt(str(problem), p.response_schema)},
            ]
            result = await call_model(
                kit, ctx, p.providers, replace(request, messages=list(messages)),
                total_timeout_s=p.total_timeout_s, max_retries=p.max_retries, purpose="repair",
            )  # fmt: skip
            usage.append(result)
    raise AssertionError("unreachable")


def _repair_prompt(problem: str, schema: dict[str, Any] | None) -> str:
    text = f"That answer cannot be used: {problem}. Reply with only one JSON object"
    if schema is not None:
        text += " matching this JSON Schema:\n" + json.dumps(schema, sort_keys=True)
    return text + "\nNo explanations, no code fences."
