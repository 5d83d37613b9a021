"""Driving one case's instance to its end: ticks, virtual time, signals and limits.

The loop ticks while the instance is due. When it parks (waiting, paused, or scheduled
on a future timer) the next ``when_parked`` signal is sent; with none left, the clock
jumps to the timer. An instance waiting for child instances that can still move on
follows their ticks and timers. ``max_ticks`` and ``max_logical_duration_ms`` stop the
loop with a failure; so does an instance parked with nothing left to wake it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from orch8_nb.engine import Engine, Instance, VirtualClock
from orch8_nb.engine.instance import TERMINAL
from orch8_nb.model import TaskInstance
from orch8_nb.testing._report import children_can_move
from orch8_nb.testing.contracts.model import ContractCase, SignalFixture

DEFAULT_MAX_TICKS = 5_000


@dataclass
class Drive:
    """How the run went: ticks used, virtual time passed, and what stopped it early."""

    ticks: int = 0
    logical_ms: int = 0
    failures: list[str] = field(default_factory=list)


def drive(engine: Engine, inst: Instance, case: ContractCase, clock: VirtualClock) -> Drive:
    """Run ``inst`` until it ends or a limit stops it; sends ``case.signals`` on the way."""
    start = clock.now_ms()
    result = Drive()
    max_ticks = case.max_ticks or DEFAULT_MAX_TICKS
    limit = case.max_logical_duration_ms
    for sig in case.signals:
        if sig.deliver == "at_start":
            _send(inst, sig)
    pending = deque((i, s) for i, s in enumerate(case.signals) if s.deliver == "when_parked")
    while True:
        snap = inst.snapshot()
        state = str(snap.state)
        if state in TERMINAL:
            break
        fire = _fire_ms(snap)
        if _parked(state, fire, clock) and pending:
            _send(inst, pending.popleft()[1])
        elif state == "scheduled" and fire is not None and fire > clock.now_ms():
            if limit is not None and fire - start > limit:
                result.failures.append(
                    f"max_logical_duration_ms: the instance's next timer is {fire - start} ms "
                    f"in, beyond the case's limit of {limit} ms"
                )
                break
            clock.set(fire)
            continue
        elif state == "waiting" and children_can_move(inst):
            if not _follow_children(engine, clock, (start, limit, max_ticks), result):
                break
            continue
        elif state != "scheduled":
            result.failures.append(
                f"the instance did not finish: it is {state!r} with nothing left to wake it "
                f"(after {_ticks(result.ticks)})"
            )
            break
        if result.ticks >= max_ticks:
            result.failures.append(
                f"max_ticks: the instance was still {state!r} after {_ticks(result.ticks)} "
                "(the case's limit)"
            )
            break
        engine.tick_once()
        result.ticks += 1
        elapsed = clock.now_ms() - start
        if limit is not None and elapsed > limit:
            result.failures.append(
                f"max_logical_duration_ms: {elapsed} ms of virtual time passed, beyond the "
                f"case's limit of {limit} ms"
            )
            break
    result.logical_ms = clock.now_ms() - start
    final = inst.state
    for i, sig in pending:
        result.failures.append(
            f"signals[{i}] ({sig.label}) was never sent: the instance ended {final!r} before "
            "it parked again"
            if final in TERMINAL
            else f"signals[{i}] ({sig.label}) was never sent"
        )
    return result


def _follow_children(
    engine: Engine, clock: VirtualClock, limits: tuple[int, int | None, int], result: Drive
) -> bool:
    """One tick for a parent waiting on children; jump to their next timer when none is
    due. False (with a failure recorded) once a limit is reached. ``limits`` holds the
    start time, ``max_logical_duration_ms`` and ``max_ticks``."""
    start, limit, max_ticks = limits
    if result.ticks >= max_ticks:
        result.failures.append(
            f"max_ticks: the instance was still waiting for child instances after "
            f"{_ticks(result.ticks)} (the case's limit)"
        )
        return False
    head = engine.next_timer()
    if engine.tick_once() == 0 and head is not None:
        if limit is not None and head - start > limit:
            result.failures.append(
                f"max_logical_duration_ms: a child instance's next timer is {head - start} ms "
                f"in, beyond the case's limit of {limit} ms"
            )
            return False
        clock.set(head)
    result.ticks += 1
    return True


def _ticks(n: int) -> str:
    return f"{n} tick" if n == 1 else f"{n} ticks"


def _send(inst: Instance, sig: SignalFixture) -> None:
    inst.signal(sig.signal_type, sig.payload)


def _fire_ms(snap: TaskInstance) -> int | None:
    at = snap.next_fire_at
    if at is None:
        return None
    return round(at.timestamp() * 1000) if isinstance(at, datetime) else int(at)


def _parked(state: str, fire: int | None, clock: VirtualClock) -> bool:
    if state in ("waiting", "paused"):
        return True
    return state == "scheduled" and fire is not None and fire > clock.now_ms()
