"""``agent``: a durable ReAct loop in one step.

Each turn sends the conversation to the model; when it asks for tools they run (Python
tools from ``@engine.tool``, or HTTP via ``tool_dispatch``) and their results go back as
``tool`` messages; when it answers without tools, that answer is ``final``. After every
model answer and every tool result the conversation is saved as the step's progress
(committed at once), so a kernel killed in turn 3 resumes in turn 3: turns 1 and 2 are
neither sent to the model again nor their tools run again. Dangerous tools wait for a
person's approval; a rejection is told to the model.

Output (Orch8's shape): ``{final, iterations, stop_reason, tool_calls_made, messages}``
plus ``usage`` (summed over turns, which budgets count) and ``turns`` (a short record of
each turn). ``stop_reason`` is ``completed``, ``max_iterations`` or ``budget_exceeded``
(the instance's budget would be spent by another turn; the engine pauses it next).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from orch8_nb.agents.calling import call_model
from orch8_nb.agents.llm_call import build_request
from orch8_nb.agents.params import LLMParams, ParamProblem, parse_llm_params
from orch8_nb.agents.services import AgentServices, services_of
from orch8_nb.agents.tool_call import run_model_call, tool_message
from orch8_nb.engine.handlers import FailStep, StepContext

DEFAULT_ITERATIONS = 6
MAX_ITERATIONS = 50
#: Budget limits an agent checks between turns, and the usage counter each one limits.
TOKEN_LIMITS = {
    "max_input_tokens": "input_tokens",
    "max_output_tokens": "output_tokens",
    "max_total_tokens": "total_tokens",
    "max_cost_microunits": "cost_microunits",
}
_USAGE_KEYS = ("input_tokens", "output_tokens", "total_tokens", "cost_microunits")


async def agent_handler(ctx: StepContext) -> dict[str, Any]:
    """Run a ReAct loop: think, call tools, observe, until the model answers."""
    kit = services_of(ctx)
    p, limit, dispatch = _params(kit, ctx.params)
    base = build_request(kit, p, "agent")

    state = await _resume(ctx) or {"messages": p.messages, "iterations": 0, "tool_calls_made": 0,
                                   "usage": _zero(), "turns": [], "pending": None}  # fmt: skip
    while True:
        if state["pending"] is not None:
            await _run_tools(kit, ctx, state, dispatch)
        if state.get("final") is not None:
            return _output(state, "completed")
        if state["iterations"] >= limit:
            return _output(state, "max_iterations")
        if _over_budget(ctx, state["usage"]):
            return _output(state, "budget_exceeded")
        turn = state["iterations"] + 1
        request = replace(base, messages=list(state["messages"]))
        result = await call_model(kit, ctx, p.providers, request, total_timeout_s=p.total_timeout_s,
                                  max_retries=p.max_retries, purpose=f"turn {turn}")  # fmt: skip
        answer = result.response
        state["iterations"] = turn
        state["messages"] = [*state["messages"], answer.message]
        for key, value in result.usage_json().items():
            if key in _USAGE_KEYS:
                state["usage"][key] += value
        state["turns"].append({
            "turn": turn, "content": answer.content, "cached": result.cached,
            "tool_calls": [c.get("name") for c in answer.tool_calls],
            "tokens": answer.usage.total_tokens, "cost_microunits": result.cost_microunits,
        })  # fmt: skip
        if answer.tool_calls:
            state["pending"] = {"calls": answer.tool_calls, "results": []}
        else:
            state["final"] = answer.content or ""
        await _save(ctx, state)
        if ctx.emit is not None:
            ctx.emit("agent_turn", dict(state["turns"][-1]))


def _params(kit: AgentServices, raw: Any) -> tuple[LLMParams, int, Mapping[str, Any] | None]:
    """The model params, ``max_iterations`` and ``tool_dispatch``; ``goal`` becomes the
    first user message and, without ``tools``, every registered tool is offered."""
    params = dict(raw) if isinstance(raw, Mapping) else None
    if params is None:
        raise FailStep("agent: params must be an object", code="bad_params")
    goal = params.pop("goal", None)
    if goal is not None:
        if not isinstance(goal, str) or not goal.strip():
            raise ParamProblem("agent", "goal", "must be a non-empty string")
        params["messages"] = [*(params.get("messages") or []), {"role": "user", "content": goal}]
    if not params.get("messages"):
        raise ParamProblem("agent", "goal", "is required (or messages)")
    limit = params.get("max_iterations", DEFAULT_ITERATIONS)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ITERATIONS:
        raise ParamProblem("agent", "max_iterations", f"must be a whole number 1..{MAX_ITERATIONS}")
    dispatch = params.get("tool_dispatch")
    if dispatch is not None and not (isinstance(dispatch, Mapping) and dispatch.get("url")):
        raise ParamProblem("agent", "tool_dispatch", 'must be {"type": "http", "url": ...}')
    p = parse_llm_params(params, "agent", scripted=kit.scripted)
    if p.tool_names is None and not p.tool_specs:
        p = replace(p, tool_names=kit.tools.names())
    return p, limit, dispatch


async def _resume(ctx: StepContext) -> dict[str, Any] | None:
    saved = await ctx.progress.load() if ctx.progress is not None else None
    return dict(saved) if isinstance(saved, dict) and "messages" in saved else None


async def _save(ctx: StepContext, state: dict[str, Any]) -> None:
    if ctx.progress is not None:
        await ctx.progress.save(state)


async def _run_tools(
    kit: AgentServices, ctx: StepContext, state: dict[str, Any], dispatch: Mapping[str, Any] | None
) -> None:
    """Run the tool calls of the last turn that have no result yet, saving after each."""
    pending = state["pending"]
    for call in pending["calls"][len(pending["results"]) :]:
        outcome = await run_model_call(kit, ctx, call, dispatch)  # may ask for approval
        pending["results"].append(outcome)
        state["messages"] = [*state["messages"], tool_message(outcome)]
        state["tool_calls_made"] += 1
        await _save(ctx, state)
    state["pending"] = None
    await _save(ctx, state)


def _over_budget(ctx: StepContext, spent: Mapping[str, int]) -> bool:
    """Whether the instance's budget is used up, counting this agent's turns so far."""
    budget = ctx.budget
    if not budget:
        return False
    for limit, counter in TOKEN_LIMITS.items():
        value = budget.get(limit)
        used = int(ctx.usage.get(counter, 0)) + int(spent.get(counter, 0))
        if isinstance(value, int) and used >= value:
            return True
    return False


def _zero() -> dict[str, int]:
    return dict.fromkeys(_USAGE_KEYS, 0)


def _output(state: dict[str, Any], stop_reason: str) -> dict[str, Any]:
    usage = dict(state["usage"])
    usage["calls"] = len(state["turns"])
    return {
        "final": state.get("final"),
        "iterations": state["iterations"],
        "stop_reason": stop_reason,
        "tool_calls_made": state["tool_calls_made"],
        "messages": state["messages"],
        "usage": usage,
        "turns": state["turns"],
    }
