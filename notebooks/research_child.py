"""The research agent in a process of its own, for ``04-react-agent.ipynb``. It plays a
kernel that gets killed: ``read_note`` sends this process SIGKILL, so it dies while the
agent's second turn runs its tools, after two model turns have committed.

    python research_child.py <database file> <cassette file>
"""

from __future__ import annotations

import inspect
import os
import signal
import sys

from research_tools import PROMPTS, QUESTIONS, llm_params, read_note, search_notes

import orch8_nb as o8


def main(db: str, cassette: str) -> None:
    engine = o8.Engine(f"sqlite:///{db}")
    engine.llm.use_cassette(cassette, mode="strict")
    engine.tool(search_notes)

    def dies(title: str) -> str:
        os.kill(os.getpid(), signal.SIGKILL)  # as a kernel killed from the outside
        return title

    # The same name, description and arguments as the real tool: the model sees no change.
    engine.tool(dies, name="read_note", description=inspect.getdoc(read_note))
    seq = engine.upsert_sequence(o8.sequence("research", o8.step("agent", "agent", params={
        **llm_params(PROMPTS["thorough"]), "goal": "{{ data.question }}"})))  # fmt: skip
    inst = engine.create_instance(seq, {"question": QUESTIONS[1]}, idempotency_key="crash-demo")
    inst.wait(timeout=60)
    print("the agent finished: this line is never reached", inst.state)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
