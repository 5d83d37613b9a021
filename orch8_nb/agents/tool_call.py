"""``tool_call``: run a tool as a step.

Three ways to say which tool:

- ``url`` (+ ``tool_name``, ``arguments``): Orch8's HTTP tool; POSTs ``{tool_name,
  arguments, context: {instance_id, block_id}}`` and outputs ``{tool_name, result}``.
- ``tool_name`` + ``arguments``: a Python tool registered with ``@engine.tool``.
- ``call`` / ``calls``: tool calls straight from a model's answer (``{{
  outputs.think.message.tool_calls }}``). Each result goes back as a ``tool`` message;
  bad arguments or a failing tool become an error the model reads, not a failed step.
  With ``conversation`` (a state key, as in ``llm_call``) the messages are appended to
  the conversation for the model's next turn.

A tool registered with ``dangerous=True`` waits for a person's approval before it runs
(``inst.approve(block_id)`` or ``inst.deny(block_id, comment=...)``); a rejection is reported
to the model (or, for a direct call, in the output) instead of running the tool.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import httpx

from orch8_nb.agents.services import AgentServices, services_of
from orch8_nb.agents.tools import (
    ToolArgumentsError,
    ToolCallRejected,
    call_http_tool,
    result_text,
)
from orch8_nb.engine.handlers import FailStep, RetryStep, StepContext
from orch8_nb.engine.handlers.outcomes import AwaitApproval


async def tool_call_handler(ctx: StepContext) -> dict[str, Any]:
    """Run a tool: HTTP (``url``), a registered Python tool, or a model's tool calls."""
    p = ctx.params if isinstance(ctx.params, Mapping) else None
    if p is None:
        raise FailStep("tool_call: params must be an object", code="bad_params")
    kit = services_of(ctx)
    if "call" in p or "calls" in p:
        return await _model_calls(kit, ctx, p)
    name = p.get("tool_name", "unknown" if "url" in p else None)
    if not isinstance(name, str) or not name:
        raise FailStep("tool_call: params.tool_name is required (or url, call, calls)",
                       code="bad_params")  # fmt: skip
    arguments = p.get("arguments", {})
    if not isinstance(arguments, Mapping):
        raise FailStep("tool_call: params.arguments must be an object", code="bad_params")
    if "url" in p:
        return {"tool_name": name, "result": await _http(ctx, p, name, arguments)}
    tool = kit.tools.get(name)
    if tool is None:
        known = ", ".join(kit.tools.names()) or "none registered"
        raise FailStep(f"tool_call: unknown tool {name!r} (registered: {known})",
                       code="unknown_tool")  # fmt: skip
    if tool.dangerous:
        verdict = approval(ctx, _key(name, arguments), name, arguments)
        if verdict is not None:
            return {"tool_name": name, "rejected": True, "result": verdict}
    try:
        return {"tool_name": name, "result": await tool.call(arguments)}
    except ToolArgumentsError as exc:
        raise FailStep(f"tool_call: {exc}", code="bad_arguments") from None


def approval(ctx: StepContext, key: str, name: str, arguments: Mapping[str, Any]) -> str | None:
    """``None`` when the call is approved; the rejection text when a person said no.
    Asks (raising :class:`AwaitApproval`) when nobody has answered yet."""
    answer = ctx.approval
    if answer is None or answer.get("key") != key:
        shown = json.dumps(dict(arguments), ensure_ascii=False, sort_keys=True)[:500]
        raise AwaitApproval(
            f"Allow the dangerous tool {name!r} with arguments {shown}?",
            key=key,
            details={"tool_name": name, "arguments": dict(arguments)},
        )
    if answer.get("value") == "yes":
        return None
    comment = answer.get("comment")
    return "A person rejected this tool call" + (f": {comment}" if comment else ".")


def _key(name: str, arguments: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(dict(arguments), sort_keys=True, default=str).encode())
    return f"{name}:{digest.hexdigest()[:16]}"


async def _http(ctx: StepContext, p: Mapping[str, Any], name: str, arguments: Any) -> Any:
    url = p["url"]
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise FailStep("tool_call: params.url must be an http(s) URL", code="bad_params")
    timeout_ms = p.get("timeout_ms", 30_000)
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int | float) or timeout_ms <= 0:
        raise FailStep("tool_call: params.timeout_ms must be a positive number", code="bad_params")
    context = {"instance_id": ctx.instance_id, "block_id": ctx.block_id,
               "idempotency_key": ctx.idempotency_key}  # fmt: skip
    try:
        return await call_http_tool(
            url, name, arguments, context, method=str(p.get("method", "POST")).upper(),
            headers=p.get("headers") or {}, timeout_s=timeout_ms / 1000,
        )  # fmt: skip
    except ToolCallRejected as exc:
        raise FailStep(str(exc), code="tool_rejected") from None
    except httpx.HTTPError as exc:
        raise RetryStep(f"tool {name!r} at {url}: {type(exc).__name__}: {exc}",
                        code="tool_unavailable") from None  # fmt: skip


async def run_model_call(
    kit: AgentServices,
    ctx: StepContext,
    call: Mapping[str, Any],
    dispatch: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One tool call from a model, as ``{tool_call_id, tool_name, result | error}``.

    Errors the model can act on (unknown tool, bad arguments, a tool that raised, an HTTP
    tool answering 4xx/5xx) come back as ``error``; the caller shows them to the model.
    """
    call_id = str(call.get("id") or "")
    name = call.get("name")
    raw = call.get("arguments")
    arguments: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    out: dict[str, Any] = {"tool_call_id": call_id, "tool_name": name}
    if not isinstance(name, str):
        return {**out, "error": "the tool call has no tool name"}
    tool = kit.tools.get(name)
    if tool is None and dispatch is not None and dispatch.get("type", "http") == "http":
        try:
            url = str(dispatch["url"])
            context = {"instance_id": ctx.instance_id, "block_id": ctx.block_id}
            result = await call_http_tool(url, name, arguments, context,
                                          headers=dispatch.get("headers") or {})  # fmt: skip
        except (ToolCallRejected, httpx.HTTPError) as exc:
            return {**out, "error": str(exc)}
        return {**out, "result": result}
    if tool is None:
        known = ", ".join(kit.tools.names()) or "none"
        return {**out, "error": f"there is no tool {name!r}; the tools are: {known}"}
    if tool.dangerous:
        rejected = approval(ctx, call_id or _key(name, arguments), name, arguments)
        if rejected is not None:
            return {**out, "error": rejected, "rejected": True}
    try:
        return {**out, "result": await tool.call(arguments)}
    except ToolArgumentsError as exc:
        return {**out, "error": str(exc)}
    except Exception as exc:
        return {**out, "error": f"{type(exc).__name__}: {exc}"}


def tool_message(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """The ``tool`` message that tells the model what a call returned."""
    if "error" in outcome:
        content = f"Error: {outcome['error']}"
    else:
        content = result_text(outcome.get("result"))
    return {"role": "tool", "tool_call_id": outcome.get("tool_call_id", ""), "content": content}


async def _model_calls(
    kit: AgentServices, ctx: StepContext, p: Mapping[str, Any]
) -> dict[str, Any]:
    calls = p.get("calls", [p.get("call")] if "call" in p else [])
    if calls is None:
        calls = []
    if not isinstance(calls, list) or not all(isinstance(c, Mapping) for c in calls):
        raise FailStep("tool_call: params.calls must be a list of tool calls {id, name, arguments}",
                       code="bad_params")  # fmt: skip
    dispatch = p.get("tool_dispatch") if isinstance(p.get("tool_dispatch"), Mapping) else None
    saved = await ctx.progress.load() if ctx.progress is not None else None
    results: list[dict[str, Any]] = list(saved or [])
    for call in calls[len(results) :]:
        try:
            results.append(await run_model_call(kit, ctx, call, dispatch))
        except AwaitApproval:
            if ctx.progress is not None and results:
                await ctx.progress.save(results)  # done calls are not repeated after approval
            raise
    messages = [tool_message(r) for r in results]
    key = p.get("conversation")
    if isinstance(key, str) and key:
        history = ctx.state.get(key)
        ctx.state[key] = [*(history if isinstance(history, list) else []), *messages]
    first = results[0] if results else {}
    return {"tool_name": first.get("tool_name"), "result": first.get("result"),
            "results": results, "messages": messages}  # fmt: skip
