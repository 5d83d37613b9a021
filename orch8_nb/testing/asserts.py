"""Assertions on instances and mocks whose failure messages show what happened.

Each helper raises ``AssertionError`` with the expectation, what was found, the instance
tree with node states and the instance error, and returns what it checked so a test can
look further.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orch8_nb.engine import Instance
from orch8_nb.model import AuditEntry, ExecutionNode
from orch8_nb.testing._report import describe, short_json
from orch8_nb.testing.mocks import Call, MockHandler

_MISSING: Any = object()
_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]|\[(?:\"([^\"]*)\"|'([^']*)')\]")


def _fail(expected: str, found: str, inst: Instance | None = None) -> AssertionError:
    lines = [f"expected {expected}", f"     got {found}"]
    if inst is not None:
        lines.append(describe(inst))
    return AssertionError("\n".join(lines))


def assert_state(inst: Instance, state: str) -> Instance:
    """The instance is in ``state`` (``completed``, ``waiting``, ...)."""
    found = inst.state
    if found != str(state):
        raise _fail(f"instance {inst.id} to be {state}", found, inst)
    return inst


def assert_completed(inst: Instance) -> Instance:
    """The instance completed."""
    return assert_state(inst, "completed")


def assert_failed(
    inst: Instance, message: str | None = None, *, block_id: str | None = None
) -> dict[str, Any]:
    """The instance failed; ``message`` must occur in its error message, and ``block_id``
    (if given) is the block that failed. Returns the error."""
    assert_state(inst, "failed")
    error = inst.error or {}
    if message is not None and message not in str(error.get("message", "")):
        raise _fail(f"an error message containing {message!r}", short_json(error), inst)
    if block_id is not None and error.get("block_id") != block_id:
        raise _fail(f"block {block_id!r} to have failed", short_json(error), inst)
    return error


def assert_output(
    inst: Instance,
    block_id: str,
    expected: Any = _MISSING,
    *,
    path: str | Sequence[str | int] | None = None,
) -> Any:
    """Block ``block_id`` has an output (at ``path``, such as ``"a.b[0]"``); if
    ``expected`` is given, it equals that. Returns the value found."""
    outputs = inst.outputs
    if block_id not in outputs:
        raise _fail(f"an output of block {block_id!r}", f"outputs for {sorted(outputs)}", inst)
    value = outputs[block_id]
    where = f"output of {block_id!r}"
    if path is not None:
        where += f" at {path!r}"
        try:
            value = select(value, path)
        except (KeyError, IndexError, TypeError) as exc:
            found = f"no such path ({exc!r}) in {short_json(outputs[block_id])}"
            raise _fail(where, found, inst) from None
    if expected is not _MISSING and value != expected:
        raise _fail(f"{where} == {short_json(expected)}", short_json(value), inst)
    return value


def select(value: Any, path: str | Sequence[str | int]) -> Any:
    """``value`` at ``path``: ``"a.b[0]"``, ``'a["x.y"]'`` or a list of keys and indexes."""
    for part in _parse_path(path) if isinstance(path, str) else path:
        key: str | int = part
        if isinstance(value, list) and isinstance(part, str) and part.lstrip("-").isdigit():
            key = int(part)
        if isinstance(value, Mapping):
            if key not in value:
                raise KeyError(key)
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int):
            value = value[key]
        else:
            raise TypeError(f"cannot take {key!r} of {type(value).__name__}")
    return value


def _parse_path(path: str) -> list[str | int]:
    keys: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read path {path!r} at position {pos}")
        name, index, dq, sq = match.groups()
        keys.append(
            int(index) if index is not None else next(k for k in (name, dq, sq) if k is not None)
        )
        pos = match.end()
    return keys


def completed_path(inst: Instance) -> list[str]:
    """Block ids whose node completed, in completion order."""
    rank: dict[str, int] = {}
    for i, entry in enumerate(inst.audit()):
        if entry.event_type == "step_attempt" and entry.block_id is not None:
            rank[entry.block_id] = i
    nodes = [(pos, n) for pos, n in enumerate(inst.tree()) if n.state == "completed"]
    nodes.sort(key=lambda item: _completion_key(item[0], item[1], rank))
    return [n.block_id for _, n in nodes]


def _completion_key(pos: int, node: ExecutionNode, rank: Mapping[str, int]) -> tuple[Any, ...]:
    done = node.completed_at.timestamp() if node.completed_at is not None else float("inf")
    # Same-millisecond ties (virtual time) go by the audit log: a block's last attempt row,
    # blocks without one (composites) after those that have one.
    return (done, rank.get(node.block_id, float("inf")), pos)


def assert_path(inst: Instance, blocks: Iterable[str], *, ordered: bool = True) -> list[str]:
    """The blocks whose node completed are exactly ``blocks``: in this order of completion
    with ``ordered=True``, in any order otherwise. Returns the completed blocks."""
    expected = list(blocks)
    found = completed_path(inst)
    same = found == expected if ordered else sorted(found) == sorted(expected)
    if not same:
        how = "in this order" if ordered else "in any order"
        raise _fail(f"completed blocks {expected} ({how})", str(found), inst)
    return found


def assert_skipped(inst: Instance, blocks: Iterable[str]) -> list[str]:
    """Each of ``blocks`` was skipped (its ``when`` was falsy, or its branch not taken).

    Other blocks may be skipped too; returns every skipped block."""
    states = {n.block_id: str(n.state) for n in inst.tree()}
    skipped = [b for b, s in states.items() if s == "skipped"]
    wrong = {b: states.get(b, "not reached") for b in blocks if states.get(b) != "skipped"}
    if wrong:
        raise _fail(f"skipped blocks {sorted(wrong)}", f"{wrong} (skipped: {skipped})", inst)
    return skipped


def assert_audit(
    inst: Instance,
    event_type: str,
    /,
    *,
    block_id: str | None = None,
    times: int | None = None,
    **details: Any,
) -> list[AuditEntry]:
    """The audit log has an ``event_type`` entry (for ``block_id``) whose details include
    ``details`` (a dict value matches a subset); with ``times``, exactly that many.
    Returns the matching entries."""
    log = inst.audit()
    same_type = [e for e in log if e.event_type == event_type]
    matches = [
        e
        for e in same_type
        if (block_id is None or e.block_id == block_id) and _subset(details, e.details)
    ]
    if (times is None and not matches) or (times is not None and len(matches) != times):
        want = (
            f"{'an' if times is None else times} audit entr{'y' if times in (None, 1) else 'ies'}"
        )
        want += f" {event_type!r}"
        if block_id is not None:
            want += f" for block {block_id!r}"
        if details:
            want += f" with details including {short_json(details)}"
        seen = "\n".join(f"    {_audit_line(e)}" for e in same_type) or "    (none)"
        found = f"{len(matches)} matching; {event_type!r} entries:\n{seen}"
        raise _fail(want, found, inst)
    return matches


def _audit_line(entry: AuditEntry) -> str:
    parts = [entry.event_type]
    if entry.block_id is not None:
        parts.append(f"block={entry.block_id}")
    if entry.from_state is not None or entry.to_state is not None:
        parts.append(f"{entry.from_state} -> {entry.to_state}")
    parts.append(short_json(entry.details, 300))
    return " ".join(parts)


def _subset(expected: Any, found: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(found, Mapping) and all(
            k in found and _subset(v, found[k]) for k, v in expected.items()
        )
    return bool(expected == found)


def assert_called(
    mock: MockHandler,
    times: int | None = None,
    *,
    min: int | None = None,
    max: int | None = None,
    block_id: str | None = None,
) -> list[Call]:
    """The mock was called exactly ``times`` (or between ``min`` and ``max``) times, for
    ``block_id`` if given; with no bound, at least once. Returns the calls counted."""
    calls = mock.calls_for(block_id) if block_id is not None else list(mock.calls)
    count = len(calls)
    if times is None and min is None and max is None:
        min = 1
    problems = []
    if times is not None and count != times:
        problems.append(f"exactly {times}")
    if min is not None and count < min:
        problems.append(f"at least {min}")
    if max is not None and count > max:
        problems.append(f"at most {max}")
    if problems:
        target = f"mock {mock.name!r}" + (f" for block {block_id!r}" if block_id else "")
        listing = "\n".join(
            f"    {c.block_id} attempt {c.attempt} of {c.instance_id}: {short_json(c.params, 200)}"
            for c in calls
        )
        raise _fail(
            f"{target} to be called {' and '.join(problems)} time(s)",
            f"{count} call(s)" + (f":\n{listing}" if listing else ""),
        )
    return calls
