"""Live progress of one instance: a line per step state change, retries, ``log`` output.

Lines are printed once, never redrawn, so a CI log reads the same as a terminal (only the
spinner ``run`` adds on a terminal is redrawn). The watcher polls committed data (the tree
and output rows); the caller wakes it on engine events and at least every 100 ms.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from orch8_nb.cli.output import Output
from orch8_nb.engine import Instance
from orch8_nb.model import ExecutionNode, ForEachDef, SequenceDefinition, StepDef, SubSequenceDef
from orch8_nb.model.execution import ERROR_REF, NODE_TERMINAL_STATES, RETRY_REF, NodeState

_STYLES = {
    "running": "yellow",
    "waiting": "yellow",
    "completed": "green",
    "failed": "bold red",
    "cancelled": "magenta",
    "skipped": "dim",
}


class Watcher:
    """Prints what changed in an instance since the last :meth:`poll`."""

    def __init__(
        self,
        inst: Instance,
        definition: SequenceDefinition,
        handlers: list[str],
        output: Output,
        *,
        stderr: bool,
    ) -> None:
        self.inst = inst
        self.output = output
        self.stderr = stderr
        self.handlers = set(handlers)
        blocks = list(definition.iter_blocks())
        #: Step id -> handler (human-input gates left out: a person answers those).
        self.steps: dict[str, str] = {
            ref.block.id: ref.block.handler
            for ref in blocks
            if isinstance(ref.block, StepDef) and ref.block.wait_for_input is None
        }
        #: What a waiting block that no worker serves waits for, by block id.
        self.waits_for: dict[str, str] = {
            ref.block.id: _waits_for(ref.block)
            for ref in blocks
            if isinstance(ref.block, SubSequenceDef | ForEachDef | StepDef)
        }
        self.top_level = [block.id for block in definition.blocks]
        self.width = max(len(ref.block.id) for ref in blocks)
        self._seen: dict[str, str] = {}
        self._retries: dict[str, int] = {}
        self.state = "scheduled"

    def poll(self) -> str:
        """Read the instance, print changes; returns its state."""
        self.state = self.inst.state  # before the rest, so nothing after it is missed
        nodes = self.inst.tree()
        rows = self.inst.output_rows()
        retries: dict[str, list[Any]] = {}
        errors: dict[str, Any] = {}
        for row in rows:
            if row.output_ref == RETRY_REF:
                retries.setdefault(row.block_id, []).append(row.output)
            elif row.output_ref == ERROR_REF:
                errors[row.block_id] = row.output
        for node in nodes:
            self._report_retries(node.block_id, retries.get(node.block_id, []))
            self._report_node(node, errors.get(node.block_id))
        if self.state == "running":
            self._report_current()
        return self.state

    def _report_current(self) -> None:
        # A step's node is written when the step commits, so the one running now has no
        # row yet: top-level blocks run in order, so it is the first one not finished.
        for block_id in self.top_level:
            seen = self._seen.get(block_id)
            if seen not in NODE_TERMINAL_STATES:
                if seen is None:
                    self._seen[block_id] = NodeState.RUNNING
                    self._print(block_id, "running", "")
                return

    def waiting_for_workers(self) -> list[tuple[str, str]]:
        """(step, handler) pairs parked on an external worker no one here will serve."""
        return [
            (block_id, self.steps[block_id])
            for block_id, state in self._seen.items()
            if state == NodeState.WAITING
            and block_id in self.steps
            and self.steps[block_id] not in self.handlers
        ]

    def _report_node(self, node: ExecutionNode, error: Any) -> None:
        state = str(node.state)
        if state == NodeState.PENDING or self._seen.get(node.block_id) == state:
            return
        self._seen[node.block_id] = state
        detail = ""
        if state == NodeState.COMPLETED and node.started_at and node.completed_at:
            ms = (node.completed_at - node.started_at).total_seconds() * 1000
            detail = f"{ms:.0f} ms"
        elif state == NodeState.WAITING:
            handler = self.steps.get(node.block_id)
            if handler is not None and handler not in self.handlers:
                detail = f"for an external worker (handler {handler!r})"
            elif handler is None:
                detail = self.waits_for.get(node.block_id, "")
        elif state == NodeState.FAILED and error is not None:
            detail = first_line(_message(error))
        self._print(node.block_id, state, detail)

    def _report_retries(self, block_id: str, failures: list[Any]) -> None:
        done = self._retries.get(block_id, 0)
        for attempt, failure in enumerate(failures[done:], start=done + 1):
            self._print(block_id, "retrying", f"attempt {attempt} failed: {_message(failure)}")
            self._seen.pop(block_id, None)  # the next attempt reports its own state
        self._retries[block_id] = len(failures)

    def _print(self, block_id: str, state: str, detail: str) -> None:
        text = f"  {block_id:<{self.width}}  {state:<9}  {detail}".rstrip()
        self.output.line(text, _STYLES.get(state, "yellow"), stderr=self.stderr)


def _waits_for(block: Any) -> str:
    if isinstance(block, SubSequenceDef):
        return f"for its child instance (sequence {block.sequence_name!r})"
    if isinstance(block, ForEachDef):
        return "for its items (child instances)"
    return "for human input" if block.wait_for_input is not None else ""


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _message(output: Any) -> str:
    if isinstance(output, dict) and isinstance(output.get("error"), dict):
        output = output["error"]  # a retry marker: {"_retry_marker", "error", "retry_at"}
    if isinstance(output, dict) and "message" in output:
        return first_line(str(output["message"]))
    return first_line(str(output))


class _Bridge(logging.Handler):
    """Engine log records as progress lines: ``log`` steps at INFO, the rest WARNING+."""

    def __init__(self, output: Output, stderr: bool) -> None:
        super().__init__(logging.DEBUG)
        self.output = output
        self.stderr = stderr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.name == "orch8_nb.handlers":
                if record.levelno < logging.INFO:
                    return
                args = record.args
                if isinstance(args, tuple) and len(args) == 3:
                    text = f"  {args[1]}: {args[2]}"  # "[instance/block] message"
                else:
                    text = f"  {record.getMessage()}"
                self.output.line(text, "cyan", stderr=self.stderr)
            elif record.levelno >= logging.WARNING:
                self.output.warn(first_line(record.getMessage()))
        except Exception:  # a progress line must never break the run
            self.handleError(record)


@contextmanager
def engine_logs(output: Output, *, stderr: bool) -> Iterator[None]:
    """Route ``orch8_nb`` log records to the output for the duration of a run."""
    logger = logging.getLogger("orch8_nb")
    bridge = _Bridge(output, stderr)
    previous, propagate = logger.level, logger.propagate
    logger.addHandler(bridge)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(bridge)
        logger.setLevel(previous)
        logger.propagate = propagate
