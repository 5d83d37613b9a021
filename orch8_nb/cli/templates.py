"""The files ``orch8-nb init`` writes: a config, a hello-world sequence, a notebook.

The notebook is plain nbformat v4.5 JSON built here, so ``init`` works without the
``notebooks`` extra installed.
"""

from __future__ import annotations

import json
from typing import Any

CONFIG = """\
# orch8-nb settings, read by `orch8-nb run` from the current folder (or --config).
# Every key is optional; the values below are the defaults. See docs/cli.md.

[engine]
# Where instances are stored. A relative SQLite path is relative to this file's folder.
# `orch8-nb run --db URL` overrides it.
database = "sqlite:///orch8.db"
# SQLite durability: "NORMAL" survives a crashed process, "FULL" also a power loss.
synchronous = "NORMAL"
# How often the scheduler looks for due timers and work from other processes (ms).
tick_interval_ms = 100
# Instances this engine runs at once.
max_concurrent_instances = 128
# Most instances claimed per scheduler pass.
batch_size = 200
# Threads for synchronous (def) handlers.
handler_threads = 32
"""

SEQUENCE: dict[str, Any] = {
    "name": "hello",
    "input_schema": {
        "type": "object",
        "properties": {"name": {"type": "string", "description": "Who to greet."}},
    },
    "blocks": [
        {
            "type": "step",
            "id": "greet",
            "handler": "log",
            "params": {"message": "Hello, {{ data.name | default('world') }}!"},
        },
        {
            "type": "step",
            "id": "shout",
            "handler": "transform",
            "params": {
                "loud": "{{ outputs.greet.message | upper }}",
                "letters": "{{ len(outputs.greet.message) }}",
            },
        },
        {
            "type": "step",
            "id": "remember",
            "handler": "set_state",
            "params": {"key": "last_greeting", "value": "{{ outputs.shout.loud }}"},
        },
    ],
}

_CELLS: list[tuple[str, str, list[str]]] = [
    (
        "markdown",
        """\
# Hello, orch8-nb

A durable workflow engine that lives in this kernel. Instances are stored in `orch8.db`
next to this notebook, so they survive a kernel restart: re-run the cells and the engine
picks up where it left off.""",
        [],
    ),
    ("code", 'name = "Ada"', ["parameters"]),
    (
        "code",
        """\
import orch8_nb as o8

engine = o8.Engine()  # SQLite file ./orch8.db; the engine runs in a background thread""",
        [],
    ),
    (
        "markdown",
        "A **handler** is a Python function a step calls. It gets one `StepContext` and "
        "returns the step's output (any JSON value).",
        [],
    ),
    (
        "code",
        """\
@engine.handler("greet")
def greet(ctx: o8.StepContext) -> dict:
    return {"text": f"Hello, {ctx.params['who']}!"}""",
        [],
    ),
    (
        "markdown",
        "A **sequence** lists the steps. `{{ }}` templates read the instance's data and "
        "earlier outputs; `transform` is a built-in handler that returns its params.",
        [],
    ),
    (
        "code",
        """\
hello = o8.sequence(
    "hello-notebook",
    o8.step("greet", "greet", params={"who": "{{ data.name }}"}),
    o8.step("shout", "transform", params={"loud": "{{ outputs.greet.text | upper }}"}),
)
inst = engine.run(hello, {"name": name}, timeout=30)
inst""",
        [],
    ),
    ("code", "inst.outputs", []),
    (
        "markdown",
        "The same engine runs `sequence.json`, the file `orch8-nb run sequence.json` runs "
        "from a terminal:",
        [],
    ),
    (
        "code",
        """\
from pathlib import Path

from_file = engine.run(Path("sequence.json").read_text(), {"name": name}, timeout=30)
from_file.state, from_file.outputs["shout"]""",
        [],
    ),
]


def notebook() -> dict[str, Any]:
    """The starter notebook as nbformat v4.5 JSON, without outputs."""
    cells: list[dict[str, Any]] = []
    for index, (kind, source, tags) in enumerate(_CELLS):
        cell: dict[str, Any] = {
            "id": f"cell-{index}",
            "cell_type": kind,
            "metadata": {"tags": tags} if tags else {},
            "source": source,
        }
        if kind == "code":
            cell |= {"execution_count": None, "outputs": []}
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def files() -> dict[str, str]:
    """File name -> content, in the order ``init`` writes them."""
    return {
        "orch8.toml": CONFIG,
        "sequence.json": json.dumps(SEQUENCE, indent=2) + "\n",
        "hello.ipynb": json.dumps(notebook(), indent=1) + "\n",
    }
