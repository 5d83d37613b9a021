"""Python tools (``@engine.tool``): schemas from signatures, argument checks, the
``tool_call`` step (Python and HTTP tools), and approvals before dangerous tools."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any, Literal

import pytest
from agentkit import audit_of, output, run
from pydantic import Field

import orch8_nb as o8
from orch8_nb.agents.tools import ToolArgumentsError, make_tool
from orch8_nb.engine import Engine


def test_the_schema_comes_from_the_signature_and_the_docstring() -> None:
    def search(
        query: Annotated[str, Field(description="What to look for")],
        limit: int = 5,
        kind: Literal["web", "notes"] = "notes",
    ) -> list[str]:
        """Search the notes.

        Longer text that the model does not need.
        """
        return []

    tool = make_tool(search)
    assert tool.spec.name == "search" and tool.spec.description == "Search the notes."
    assert tool.spec.parameters == {
        "type": "object",
        "additionalProperties": False,
        "required": ["query"],
        "properties": {
            "query": {"type": "string", "description": "What to look for"},
            "limit": {"type": "integer", "default": 5},
            "kind": {"type": "string", "enum": ["web", "notes"], "default": "notes"},
        },
    }


def test_arguments_are_checked_before_the_function_runs() -> None:
    ran: list[int] = []

    def double(n: int) -> int:
        ran.append(n)
        return n * 2

    tool = make_tool(double)
    assert asyncio.run(tool.call({"n": "4"})) == 8  # lax numeric strings, as pydantic does
    with pytest.raises(ToolArgumentsError, match=r"double: bad arguments: n: Input should be"):
        asyncio.run(tool.call({"n": "four"}))
    with pytest.raises(ToolArgumentsError, match="extra: Extra inputs are not permitted"):
        asyncio.run(tool.call({"n": 1, "extra": True}))
    assert ran == [4]  # the refused calls never ran


def test_tools_that_cannot_be_described_are_refused() -> None:
    def anything(*args: Any) -> None: ...

    with pytest.raises(ValueError, match=r"\*args and \*\*kwargs"):
        make_tool(anything)
    with pytest.raises(ValueError, match="must be letters"):
        make_tool(lambda: None, name="has space")


def test_a_tool_call_step_runs_a_python_tool(engine: Engine) -> None:
    @engine.tool
    async def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    params = {"tool_name": "add", "arguments": {"a": 2, "b": 3}}
    seq = o8.sequence("t", o8.step("t", "tool_call", params=params))
    inst = run(engine, seq)
    assert output(engine, inst, "t") == {"tool_name": "add", "result": 5}


def test_an_unknown_tool_fails_naming_the_registered_ones(engine: Engine) -> None:
    engine.tool(lambda q: q, name="echo")
    seq = o8.sequence("t", o8.step("t", "tool_call", params={"tool_name": "ech"}))
    inst = run(engine, seq)
    error = audit_of(engine, inst, "step_attempt")[-1]["error"]
    assert "unknown tool 'ech' (registered: echo)" in error["message"]


class _ToolServer(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append(body)  # type: ignore[attr-defined]
        status = 503 if body["arguments"].get("fail") else 200
        data = json.dumps({"result": {"echo": body["arguments"]}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tool_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ToolServer)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_http_tool_gets_orch8s_request_and_a_5xx_is_retryable(
    engine: Engine, tool_server: ThreadingHTTPServer
) -> None:
    url = f"http://127.0.0.1:{tool_server.server_address[1]}/tools"
    ok = o8.sequence("h", o8.step("h", "tool_call", params={
        "url": url, "tool_name": "echo", "arguments": {"x": 1}}))  # fmt: skip
    inst = run(engine, ok)
    assert output(engine, inst, "h") == {"tool_name": "echo", "result": {"echo": {"x": 1}}}
    [sent] = tool_server.seen  # type: ignore[attr-defined]
    assert sent["tool_name"] == "echo" and sent["context"]["instance_id"] == inst.id
    assert sent["context"]["block_id"] == "h"
    bad = o8.sequence("b", o8.step("b", "tool_call", params={
        "url": url, "tool_name": "echo", "arguments": {"fail": True}}))  # fmt: skip
    failed = run(engine, bad)
    error = audit_of(engine, failed, "step_attempt")[-1]["error"]
    assert "HTTP 503" in error["message"] and error["retryable"] is True


def dangerous_engine(engine: Engine, ran: list[str]) -> Any:
    @engine.tool(dangerous=True)
    def wipe(path: str) -> str:
        """Delete everything under a path."""
        ran.append(path)
        return f"wiped {path}"

    return o8.sequence("w", o8.step("w", "tool_call", params={
        "tool_name": "wipe", "arguments": {"path": "/data"}}))  # fmt: skip


@pytest.mark.parametrize("answer", ["approve", "deny"])
def test_a_dangerous_tool_waits_for_a_person(engine: Engine, answer: str) -> None:
    ran: list[str] = []
    inst = run(engine, dangerous_engine(engine, ran))
    assert inst.state == "waiting" and ran == []
    [item] = engine.pending_approvals()
    assert item["block_id"] == "w" and "wipe" in item["prompt"]
    assert item["details"] == {"tool_name": "wipe", "arguments": {"path": "/data"}}
    assert [c["value"] for c in item["choices"]] == ["yes", "no"]
    if answer == "approve":
        inst.approve("w")
    else:
        inst.deny("w", comment="not today")
    engine.run_until_idle()
    assert inst.state == "completed" and engine.pending_approvals() == []
    out = output(engine, inst, "w")
    if answer == "approve":
        assert ran == ["/data"] and out == {"tool_name": "wipe", "result": "wiped /data"}
    else:
        assert ran == [] and out["rejected"] is True
        assert out["result"] == "A person rejected this tool call: not today"
    outcomes = [a["outcome"] for a in audit_of(engine, inst, "step_attempt")]
    assert outcomes == ["awaiting_approval", "completed"]
    assert "_approval:w" not in inst.snapshot().metadata


def test_an_answer_that_is_not_a_choice_is_refused(engine: Engine) -> None:
    inst = run(engine, dangerous_engine(engine, []))
    with pytest.raises(o8.SignalValidationError, match="not a choice"):
        inst.approve("w", "maybe")


def test_a_second_engine_on_the_file_keeps_the_tools_and_scripted_models(
    make_engine: Any, tmp_path: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'same.db'}"
    first = make_engine(url, autostart=False)
    first.tool(lambda text: text.upper(), name="shout")
    first.llm.script("hi", name="m")
    second = make_engine(url, autostart=False)  # the setup cell ran again
    assert first.closed and second.llm.tools.names() == ["shout"]
    assert second.llm.scripted["m"].remaining == 1


def test_a_second_answer_does_not_approve_the_next_dangerous_call(engine: Engine) -> None:
    ran: list[str] = []

    @engine.tool(dangerous=True)
    def wipe(path: str) -> str:
        """Delete a path."""
        ran.append(path)
        return "gone"

    engine.llm.script({"tool_calls": [{"name": "wipe", "arguments": {"path": "/a"}}]},
                      {"tool_calls": [{"name": "wipe", "arguments": {"path": "/b"}}]},
                      "done", name="m")  # fmt: skip
    seq = o8.sequence("w", o8.step("agent", "agent", params={"provider": "m", "goal": "x"}))
    inst = run(engine, seq)
    inst.approve("agent")
    inst.approve("agent")  # a double click
    engine.run_until_idle()
    assert ran == ["/a"] and inst.state == "waiting"  # the call on /b still asks
    [item] = engine.pending_approvals()
    assert item["details"]["arguments"] == {"path": "/b"}
    ignored = [a["reason"] for a in audit_of(engine, inst, "signal_ignored")]
    assert "the approval was already answered" in ignored


def test_model_calls_resumed_after_an_approval_leave_no_progress_behind(engine: Engine) -> None:
    ran: list[str] = []
    engine.tool(lambda topic: ran.append(topic) or topic, name="note")

    @engine.tool(dangerous=True)
    def wipe(path: str) -> str:
        """Delete a path."""
        ran.append(path)
        return "gone"

    calls = [{"id": "1", "name": "note", "arguments": {"topic": "a"}},
             {"id": "2", "name": "wipe", "arguments": {"path": "/b"}}]  # fmt: skip
    seq = o8.sequence("m", o8.step("act", "tool_call", params={"calls": calls}))
    inst = run(engine, seq)
    assert inst.state == "waiting" and ran == ["a"]
    inst.approve("act")
    engine.run_until_idle()
    assert inst.state == "completed" and ran == ["a", "/b"]  # "a" did not run twice
    assert [r["result"] for r in output(engine, inst, "act")["results"]] == ["a", "gone"]
    assert "_progress:act" not in inst.kv
