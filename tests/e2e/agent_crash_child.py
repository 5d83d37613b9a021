"""Child process for the agent crash test: one ``agent`` step against a fake OpenAI
server (``base_url``), with a ``search`` tool that logs each run before it returns.

Started again after a SIGKILL it finds the same instance (idempotency key) and the new
engine resumes it.
"""

from __future__ import annotations

import os
import sys

from orch8_nb.engine import Engine


def main(db: str, base_url: str, log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    engine = Engine(f"sqlite:///{db}")
    engine.llm.mode = "live"  # nothing may come from recordings: only the checkpoints

    @engine.tool
    def search(topic: str) -> str:
        """Search the notes for a topic."""
        os.write(fd, f"search {topic}\n".encode())
        return f"{topic}: three notes found"

    seq = engine.upsert_sequence({"name": "research", "blocks": [{
        "type": "step", "id": "agent", "handler": "agent",
        "params": {"provider": "openai", "base_url": base_url, "model": "gpt-4o-mini",
                   "goal": "Compare SQLite and DuckDB", "max_retries": 0, "stream": True},
    }]})  # fmt: skip
    inst = engine.create_instance(seq, idempotency_key="the-agent")
    print("ready", flush=True)
    inst.wait(timeout=60)
    print(inst.state, flush=True)
    engine.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:4])
