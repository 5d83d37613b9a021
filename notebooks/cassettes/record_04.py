"""Record ``04-react-agent.json``, the cassette ``04-react-agent.ipynb`` replays offline.

    python notebooks/cassettes/record_04.py          # from a scripted stand-in model
    OPENAI_API_KEY=... python notebooks/cassettes/record_04.py --live   # from gpt-4o-mini

The stand-in follows each system prompt the way a model would (search, read one or two
notes, answer) with answers written in advance, so the notebook and CI need no network
and no key. ``--live`` records the real model instead; the notebook then replays that.
Every conversation the notebook has is recorded: each question under each prompt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from research_tools import PROMPTS, QUESTIONS, llm_params, read_note, search_notes  # noqa: E402

import orch8_nb as o8  # noqa: E402
from orch8_nb.agents import ChatRequest  # noqa: E402

CASSETTE = HERE / "04-react-agent.json"

ANSWERS = {
    ("concise", 0): "Because it commits each step's result before moving on, a restarted "
    "engine continues from the last snapshot; only the step that was running repeats.",
    ("concise", 1): "Use DuckDB for analytical scans and aggregations over many rows; keep "
    "SQLite for many small transactional reads and writes.",
    ("concise", 2): "WAL mode appends each transaction to a separate log, so readers keep the "
    "last committed snapshot while one writer appends.",
    ("thorough", 0): "A durable engine writes every step's result and the instance's new state "
    "in one transaction before continuing (note: durable execution). After a crash the next "
    "process reads that snapshot: committed steps are never repeated and only the step that "
    "was in flight runs again. SQLite's write-ahead log makes each commit cheap and safe "
    "(note: write-ahead log).",
    ("thorough", 1): "Choose DuckDB when the work is analytical: it stores columns and processes "
    "vectors of values, so scans and aggregations over millions of rows are fast, and it "
    "reads Parquet and CSV directly (note: duckdb). Choose SQLite for an application's own "
    "data: many small row reads and writes with full transactions in one file (note: "
    "sqlite).",
    ("thorough", 2): "In WAL mode SQLite appends each transaction to a write-ahead log instead "
    "of rewriting the database, so readers continue on the last committed snapshot while a "
    "single writer appends; a checkpoint later folds the log back (note: write-ahead log). "
    "This is why a durable engine can commit a step while widgets keep reading (note: "
    "durable execution).",
}


def stand_in(request: ChatRequest) -> dict[str, Any]:
    """One turn of the scripted model: search, then read, then answer."""
    variant = next(name for name, text in PROMPTS.items() if text == request.system)
    question = next(m["content"] for m in request.messages if m["role"] == "user")
    tools = [m for m in request.messages if m["role"] == "tool"]
    if not tools:
        return {"tool_calls": [{"name": "search_notes", "arguments": {"query": question}}]}
    if len(tools) == 1:
        titles = json.loads(tools[0]["content"])
        wanted = titles[: 1 if variant == "concise" else 2]
        return {"tool_calls": [{"name": "read_note", "arguments": {"title": t}} for t in wanted]}
    return {"content": ANSWERS[(variant, QUESTIONS.index(question))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="record gpt-4o-mini (needs a key)")
    live = parser.parse_args().live
    CASSETTE.unlink(missing_ok=True)
    engine = o8.Engine("sqlite://:memory:", clock=o8.VirtualClock(seed=4), autostart=False)
    engine.llm.use_cassette(CASSETTE, mode="record")
    engine.tool(search_notes)
    engine.tool(read_note)
    if not live:
        engine.llm.script(*[stand_in] * 40, name="openai")
    for variant, system in PROMPTS.items():
        seq = o8.sequence(f"record-{variant}", o8.step("agent", "agent", params={
            **llm_params(system), "goal": "{{ data.question }}"}))  # fmt: skip
        for question in QUESTIONS:
            inst = engine.create_instance(seq, {"question": question})
            engine.run_until_idle()
            out = inst.outputs["agent"]
            print(f"{variant:9} {inst.state:9} turns={out['iterations']} {question}")
    engine.shutdown()
    entries = len(json.loads(CASSETTE.read_text())["entries"])
    print(f"{entries} recorded answers in {CASSETTE}")


if __name__ == "__main__":
    main()
