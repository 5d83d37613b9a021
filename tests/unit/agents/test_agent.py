"""The ``agent`` handler (a durable ReAct loop in one step) and the declarative ReAct
template, with the scripted provider."""

from __future__ import annotations

from typing import Any

import pytest
from agentkit import audit_of, output, run

import orch8_nb as o8
from orch8_nb import ProviderError
from orch8_nb.engine import Engine


def agent(**params: Any) -> Any:
    return o8.sequence("a", o8.step("agent", "agent", params={"provider": "m", **params}))


def lookup_tool(engine: Engine, ran: list[str]) -> None:
    @engine.tool
    def lookup(topic: str) -> str:
        """Look a topic up."""
        ran.append(topic)
        return f"{topic}: found"


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def test_the_loop_stops_when_the_model_answers(engine: Engine) -> None:
    ran: list[str] = []
    lookup_tool(engine, ran)
    engine.llm.script(call("lookup", topic="a"), call("lookup", topic="b"), "Done: a and b.",
                      name="m")  # fmt: skip
    inst = run(engine, agent(goal="look up a and b"))
    out = output(engine, inst, "agent")
    assert out["final"] == "Done: a and b." and out["stop_reason"] == "completed"
    assert out["iterations"] == 3 and out["tool_calls_made"] == 2 and ran == ["a", "b"]
    assert [m["role"] for m in out["messages"]] == [
        "user", "assistant", "tool", "assistant", "tool", "assistant"]  # fmt: skip
    assert [t["tool_calls"] for t in out["turns"]] == [["lookup"], ["lookup"], []]
    assert [c["purpose"] for c in audit_of(engine, inst, "llm_call")] == [
        "turn 1", "turn 2", "turn 3"]  # fmt: skip
    assert not [k for k in inst.kv if k.startswith("_progress:")]  # removed at the end


def test_max_iterations_stops_a_model_that_never_answers(engine: Engine) -> None:
    lookup_tool(engine, [])
    engine.llm.script(*[call("lookup", topic=str(i)) for i in range(5)], name="m")
    out = output(engine, run(engine, agent(goal="loop", max_iterations=3)), "agent")
    assert out["stop_reason"] == "max_iterations" and out["iterations"] == 3
    assert out["final"] is None


def test_tool_errors_go_back_to_the_model_instead_of_failing(engine: Engine) -> None:
    lookup_tool(engine, [])
    scripted = engine.llm.script(call("nope"), call("lookup", subject="x"), "I give up.",
                                 name="m")  # fmt: skip
    inst = run(engine, agent(goal="try"))
    assert inst.state == "completed"
    errors = [m["content"] for m in scripted.requests[2].messages if m["role"] == "tool"]
    assert errors[0] == "Error: there is no tool 'nope'; the tools are: lookup"
    assert errors[1].startswith("Error: lookup: bad arguments: topic: Field required")


def test_a_budget_stops_the_agent_and_then_pauses_the_instance(engine: Engine) -> None:
    lookup_tool(engine, [])
    engine.llm.script(*[{**call("lookup", topic="x"), "usage": [400, 100]}] * 5, name="m")
    seq = o8.sequence("a", o8.step("agent", "agent", params={"provider": "m", "goal": "x"}),
                      o8.step("next", "noop"))  # fmt: skip
    inst = run(engine, seq, budget={"max_total_tokens": 1200})
    out = output(engine, inst, "agent")
    assert out["stop_reason"] == "budget_exceeded" and out["iterations"] == 3
    assert inst.state == "paused"
    assert inst.snapshot().metadata["budget_breach"]["limit"] == "max_total_tokens"


def test_a_rejected_dangerous_tool_is_reported_to_the_model(engine: Engine) -> None:
    ran: list[str] = []

    @engine.tool(dangerous=True)
    def send_email(to: str) -> str:
        """Send an email."""
        ran.append(to)
        return "sent"

    scripted = engine.llm.script(call("send_email", to="boss@example.com"), "Not sent.",
                                 name="m")  # fmt: skip
    inst = run(engine, agent(goal="email the boss"))
    assert inst.state == "waiting" and len(scripted.requests) == 1
    inst.deny("agent", comment="too early")
    engine.run_until_idle()
    assert inst.state == "completed" and ran == []
    assert len(scripted.requests) == 2  # turn 1 was not sent again after the approval wait
    tool_reply = scripted.requests[1].messages[-1]
    rejected = "Error: A person rejected this tool call: too early"
    assert tool_reply == {"role": "tool", "tool_call_id": "call_1_0", "content": rejected}


def test_a_retried_agent_step_resumes_from_its_last_finished_turn(engine: Engine) -> None:
    ran: list[str] = []
    lookup_tool(engine, ran)
    down = ProviderError("overloaded", retryable=True, status=529)
    scripted = engine.llm.script(call("lookup", topic="a"), call("lookup", topic="b"), down,
                                 "Answer.", name="m")  # fmt: skip
    params = {"provider": "m", "goal": "x", "max_retries": 0}
    seq = o8.sequence("a", o8.step("agent", "agent", retry=o8.retry(3, "1s"), params=params))
    inst = run(engine, seq)
    assert inst.state == "completed"
    assert len(scripted.requests) == 4 and ran == ["a", "b"]
    assert scripted.requests[3].messages == scripted.requests[2].messages
    assert [a["outcome"] for a in audit_of(engine, inst, "step_attempt")] == [
        "retrying", "completed"]  # fmt: skip
    assert output(engine, inst, "agent")["iterations"] == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.goal: is required"),
        ({"goal": "x", "max_iterations": 0}, "max_iterations"),
        ({"goal": "x", "tool_dispatch": {"type": "http"}}, "params.tool_dispatch"),
    ],
)
def test_bad_agent_params_fail_clearly(
    engine: Engine, params: dict[str, Any], message: str
) -> None:
    engine.llm.script("x", name="m")
    inst = run(engine, agent(**params))
    assert inst.state == "failed"
    assert message in audit_of(engine, inst, "step_attempt")[-1]["error"]["message"]


def test_the_react_template_stops_as_soon_as_the_model_answers(engine: Engine) -> None:
    ran: list[str] = []
    lookup_tool(engine, ran)
    engine.llm.script(call("lookup", topic="WAL"), "WAL: found.", name="m")
    seq = o8.react_sequence(tools=["lookup"], llm={"provider": "m"}, max_iterations=6)
    inst = run(engine, seq, {"question": "What is WAL?"})
    assert inst.state == "completed" and ran == ["WAL"]
    assert output(engine, inst, "answer") == {"answer": "WAL: found.", "turns": 2}
    assert [m["role"] for m in inst.kv["conversation"]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
    ]


def test_the_react_template_is_bounded_by_max_iterations(engine: Engine) -> None:
    lookup_tool(engine, [])
    engine.llm.script(*[call("lookup", topic="x")] * 4, name="m")
    seq = o8.react_sequence(tools=["lookup"], llm={"provider": "m"}, max_iterations=3)
    inst = run(engine, seq, {"question": "?"})
    assert inst.state == "completed"
    assert output(engine, inst, "answer") == {"answer": None, "turns": 3}
