"""How ``run`` reports a finished (or stopped) instance: a summary, outputs, the error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from orch8_nb.cli.output import Output
from orch8_nb.cli.progress import Watcher
from orch8_nb.engine import Instance
from orch8_nb.model import SequenceDefinition


@dataclass(slots=True)
class Outcome:
    instance_id: str
    sequence: SequenceDefinition
    database: str
    state: str
    outputs: dict[str, Any]
    error: dict[str, Any] | None
    #: (step, handler) pairs waiting for an external worker.
    waiting_for: list[tuple[str, str]] = field(default_factory=list)
    timed_out: bool = False
    elapsed_s: float = 0.0

    @classmethod
    def read(
        cls,
        inst: Instance,
        sequence: SequenceDefinition,
        database: str,
        watcher: Watcher,
        timed_out: bool,
    ) -> Outcome:
        state = inst.state
        order = {block_id: n for n, block_id in enumerate(watcher.steps)}
        outputs = dict(sorted(inst.outputs.items(), key=lambda kv: order.get(kv[0], len(order))))
        return cls(
            inst.id, sequence, database, state, outputs, inst.error,
            watcher.waiting_for_workers() if state == "waiting" else [], timed_out,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "sequence": {
                "name": self.sequence.name,
                "version": self.sequence.version,
                "id": str(self.sequence.id),
            },
            "database": self.database,
            "state": self.state,
            "outputs": self.outputs,
            "error": self.error,
            "waiting_for": [{"step": s, "handler": h} for s, h in self.waiting_for],
            "timed_out": self.timed_out,
        }


def print_outcome(outcome: Outcome, output: Output, *, as_json: bool) -> None:
    if as_json:
        output.line(json.dumps(outcome.as_json(), indent=2, ensure_ascii=False))
        if outcome.state != "completed":
            output.line(_headline(outcome), _style(outcome), stderr=True)
        return
    if outcome.outputs:
        output.show(outputs_table(outcome.outputs))
    output.line(_headline(outcome), _style(outcome))
    if outcome.state == "failed" and outcome.error:
        _print_error(outcome.error, output)


def outputs_table(outputs: dict[str, Any]) -> Table:
    table = Table(title="outputs", title_justify="left", show_lines=False)
    table.add_column("step", style="bold", no_wrap=True)
    table.add_column("output", overflow="fold")
    for block_id, value in outputs.items():
        table.add_row(block_id, json.dumps(value, ensure_ascii=False))
    return table


def _headline(outcome: Outcome) -> str:
    state, seconds = outcome.state, f"{outcome.elapsed_s:.2f} s"
    if state == "completed":
        return f"completed in {seconds}"
    if state == "failed":
        step = (outcome.error or {}).get("block_id")
        return f"failed after {seconds}" + (f" at step {step!r}" if step else "")
    if state == "cancelled":
        return f"cancelled after {seconds}"
    if outcome.waiting_for:
        needs = ", ".join(f"step {s!r} needs handler {h!r}" for s, h in outcome.waiting_for)
        return (
            f"waiting for an external worker: {needs}. orch8-nb run only has the built-in "
            "handlers; register the handler in a notebook or run a worker on this database, "
            f"and instance {outcome.instance_id} continues"
        )
    return (
        f"still {state} after {seconds} (--timeout); instance {outcome.instance_id} "
        "continues when an engine next opens this database"
    )


def _style(outcome: Outcome) -> str:
    return {"completed": "bold green", "failed": "bold red"}.get(outcome.state, "bold yellow")


def _print_error(error: dict[str, Any], output: Output) -> None:
    message = str(error.get("message", "")).strip()
    lines = message.splitlines() or [""]
    output.line(f"  error: {lines[0]}", "red")
    for line in lines[1:]:
        output.line(f"    {line}")
    extras = {k: error[k] for k in ("kind", "code", "details") if error.get(k) is not None}
    if extras:
        output.line(f"  {json.dumps(extras, ensure_ascii=False)}", "dim")
