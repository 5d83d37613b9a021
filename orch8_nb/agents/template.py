"""A ReAct agent written as a plain sequence: ``loop`` + ``llm_call`` + ``router`` +
``tool_call``, every turn its own durable steps (visible one by one in the live tree),
stopping as soon as the model answers without asking for a tool.

The conversation lives in instance state (``conversation``): ``llm_call`` sends it and
appends the model's answer, ``tool_call`` appends the tool results. Compared with the
single-step ``agent`` handler, this form shows each turn as nodes, can be edited in the
visual editor, and lets you put your own steps (a check, a human gate) inside the loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orch8_nb.dsl import loop, route, router, sequence, step
from orch8_nb.model import SequenceDefinition

CONVERSATION = "conversation"


def react_sequence(
    name: str = "react_agent",
    *,
    tools: Iterable[str],
    system: str = "You are a careful research assistant. Use the tools when they help; "
    "answer plainly when you know enough.",
    question: str = "{{ data.question }}",
    max_iterations: int = 8,
    llm: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> SequenceDefinition:
    """The ReAct template. ``llm`` holds the model params (``provider``, ``model``,
    ``temperature``, ``stream``...); ``question`` is a template for the first message.
    The output of step ``answer`` is ``{answer, turns}``."""
    think = {**dict(llm or {}), "system": system, "tools": list(tools),
             "conversation": CONVERSATION}  # fmt: skip
    fields: dict[str, Any] = {} if version is None else {"version": version}
    return sequence(
        name,
        step("start", "set_state", params={
            "key": CONVERSATION, "value": [{"role": "user", "content": question}]}),
        loop(
            "react",
            "state.answer == null",
            [
                step("think", "llm_call", params=think),
                router(
                    "decide",
                    [route('outputs.think.finish_reason == "tool_calls"',
                           step("act", "tool_call", params={
                               "calls": "{{ outputs.think.message.tool_calls }}",
                               "conversation": CONVERSATION}))],
                    default=step("finish", "set_state", params={
                        "key": "answer", "value": "{{ outputs.think.message.content }}"}),
                ),
            ],
            max_iterations=max_iterations,
        ),
        step("answer", "transform", params={
            "answer": "{{ state.answer }}", "turns": "{{ outputs.react._iterations }}"}),
        **fields,
    )  # fmt: skip
