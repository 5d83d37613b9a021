"""The research agent's tools for ``04-react-agent.ipynb``: a tiny offline library of
notes, searched by keyword. Plain functions: the notebook registers them with
``engine.tool``, which derives each one's JSON Schema from its signature."""

from __future__ import annotations

import re

NOTES = {
    "durable execution": (
        "A durable workflow engine commits every step's result, with the instance's new "
        "state, in one transaction before it moves on. After a crash the next process reads "
        "that snapshot and continues: committed steps never run again, and only the step "
        "that was running when the process died runs a second time."
    ),
    "write-ahead log": (
        "In WAL mode SQLite appends each transaction to a separate write-ahead log instead "
        "of rewriting the database file. Readers keep reading the last committed snapshot "
        "while one writer appends, so reads never wait for writes; a checkpoint later "
        "copies the log back into the database."
    ),
    "duckdb": (
        "DuckDB is an in-process analytical database. It stores tables by column and "
        "processes vectors of values at a time, which makes scans and aggregations over "
        "millions of rows fast. It reads Parquet, CSV and JSON files directly."
    ),
    "sqlite": (
        "SQLite is an in-process transactional database in a single file. It is built for "
        "many small reads and writes of whole rows, with full ACID transactions, and needs "
        "no server."
    ),
    "react agents": (
        "A ReAct agent alternates between reasoning and acting: the model either calls a "
        "tool or answers. Each tool result goes back into the conversation for the next turn."
    ),
}

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "is",
        "how",
        "why",
        "what",
        "when",
        "does",
        "do",
        "i",
        "should",
        "use",
        "instead",
        "at",
        "once",
        "let",
    ]
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def search_notes(query: str, limit: int = 3) -> list[str]:
    """Find the titles of the notes that best match a query (most shared words first)."""
    wanted = _words(query)
    scored = [(len(wanted & _words(f"{title} {text}")), title) for title, text in NOTES.items()]
    return [title for score, title in sorted(scored, key=lambda s: (-s[0], s[1])) if score][:limit]


def read_note(title: str) -> str:
    """Read one note by its exact title (as search_notes returns it)."""
    if title not in NOTES:
        raise KeyError(f"no note titled {title!r}; search first")
    return NOTES[title]


QUESTIONS = [
    "Why does a durable engine survive a crash?",
    "When should I use DuckDB instead of SQLite?",
    "How does WAL mode let readers and a writer work at once?",
]

#: The two system prompts the notebook's A/B split compares.
PROMPTS = {
    "concise": "You are a research assistant. Search the notes, read the single best one, "
    "then answer in one or two sentences.",
    "thorough": "You are a research assistant. Search the notes, read the two best ones, "
    "then answer in a short paragraph that cites the notes you read.",
}

TOOLS = ["search_notes", "read_note"]


def llm_params(system: str) -> dict[str, object]:
    """The model params every agent in the notebook uses (the recordings match them)."""
    return {"provider": "openai", "model": "gpt-4o-mini", "system": system, "temperature": 0,
            "tools": TOOLS, "stream": True}  # fmt: skip
