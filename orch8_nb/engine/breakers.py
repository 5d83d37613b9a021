"""Circuit breakers per handler: stop calling a dependency that keeps failing.

``closed``: calls go through; ``threshold`` (5) failures in a row open the breaker.
``open``: calls are held back for ``cooldown_ms`` (60 s): a step with a
``fallback_handler`` runs that handler instead, any other step waits (durably: the wait
is a timer in instance metadata, ``_breaker_wait:<block>``). After the cooldown the
breaker is ``half_open``: one call probes the dependency; success closes the breaker,
failure opens it again. Failures that are not the dependency's (bad templates, output
schema mismatches) do not count, and built-ins that call nothing are not tracked.

State lives in the engine process (it describes how the dependency behaves right now);
a restarted engine starts with every breaker closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orch8_nb.engine.clock import Clock

if TYPE_CHECKING:
    from orch8_nb.engine.evaluator import Ready
    from orch8_nb.engine.handlers import HandlerRegistry
    from orch8_nb.engine.run import Run

#: Built-in handlers that call nothing external, as in Orch8.
UNTRACKED = frozenset(
    {"noop", "log", "sleep", "fail", "transform", "assert", "set_state", "get_state",
     "delete_state", "merge_state", "self_modify", "emit_event", "send_signal",
     "query_instance", "human_review"}
)  # fmt: skip
#: Error kinds that say something about the dependency (others are our own mistakes).
COUNTED_KINDS = frozenset({"handler", "timeout", "worker"})
#: How long a call waits while another probes a half-open breaker.
PROBE_WAIT_MS = 1_000


@dataclass(slots=True)
class Breaker:
    handler: str
    state: str = "closed"  # closed | open | half_open
    failures: int = 0  # in a row
    opened_at: int | None = None
    probing: bool = False
    probe_at: int = 0
    trips: int = 0  # times it opened

    def to_json(self, cooldown_ms: int) -> dict[str, Any]:
        until = None if self.opened_at is None else self.opened_at + cooldown_ms
        return {"handler": self.handler, "state": self.state, "failures": self.failures,
                "opened_at": self.opened_at, "open_until": until if self.state == "open" else None,
                "trips": self.trips}  # fmt: skip


class CircuitBreakers:
    def __init__(self, clock: Clock, *, threshold: int = 5, cooldown_ms: int = 60_000) -> None:
        self.clock = clock
        self.threshold = threshold
        self.cooldown_ms = cooldown_ms
        self._by_handler: dict[str, Breaker] = {}

    def _get(self, handler: str) -> Breaker:
        found = self._by_handler.get(handler)
        if found is None:
            found = self._by_handler[handler] = Breaker(handler)
        return found

    def admit(self, handler: str) -> int | None:
        """``None`` if a call to ``handler`` may go now, else when to try again (epoch ms)."""
        if handler in UNTRACKED:
            return None
        b = self._by_handler.get(handler)
        if b is None or b.state == "closed":
            return None
        now = self.clock.now_ms()
        if b.state == "open":
            assert b.opened_at is not None
            if now < b.opened_at + self.cooldown_ms:
                return b.opened_at + self.cooldown_ms
            b.state = "half_open"
        if b.probing and now < b.probe_at + self.cooldown_ms:
            return now + PROBE_WAIT_MS  # (a probe that never reported does not block forever)
        b.probing, b.probe_at = True, now  # this call is the probe
        return None

    def record(self, handler: str, ok: bool, error_kind: str | None = None) -> str | None:
        """Feed a finished call; returns the new state when it changed."""
        if handler in UNTRACKED or (not ok and error_kind not in COUNTED_KINDS):
            return None
        b = self._get(handler)
        before = b.state
        b.probing = False
        if ok:
            b.failures, b.state, b.opened_at = 0, "closed", None
        else:
            b.failures += 1
            if b.state == "half_open" or b.failures >= self.threshold:
                b.state, b.opened_at = "open", self.clock.now_ms()
                b.trips += 1
        return b.state if b.state != before else None

    def states(self) -> list[dict[str, Any]]:
        return [b.to_json(self.cooldown_ms) for b in sorted(self._by_handler.values(),
                                                             key=lambda b: b.handler)]  # fmt: skip

    def reset(self, handler: str) -> None:
        self._by_handler.pop(handler, None)


#: Instance-metadata key ``<prefix><block_id>``: a step held back by an open breaker.
WAIT_PREFIX = "_breaker_wait:"


def through_breaker(
    breakers: CircuitBreakers, registry: HandlerRegistry, run: Run, ready: Ready, handler: Any
) -> Any:
    """The handler to call for ``ready`` (its own, or its ``fallback_handler`` while the
    breaker is open), or ``None`` when the step must wait for the breaker."""
    block = ready.block
    until = breakers.admit(block.handler)
    if until is None:
        return handler
    fallback = registry.get(block.fallback_handler) if block.fallback_handler else None
    details = {"handler": block.handler, "open_until": until}
    if fallback is not None:
        run.audit("breaker_fallback", {**details, "fallback": block.fallback_handler},
                  block_id=block.id)  # fmt: skip
        return fallback
    run.set_metadata(WAIT_PREFIX + block.id, until)
    run.audit("breaker_wait", details, block_id=block.id)
    return None


def record_call(
    breakers: CircuitBreakers, run: Run, ready: Ready, ok: bool, kind: str | None
) -> None:
    """Feed a finished call to its handler's breaker; audit a change of state."""
    changed = breakers.record(ready.block.handler, ok, kind)
    if changed is not None:
        run.audit(f"breaker_{changed}", {"handler": ready.block.handler}, block_id=ready.block.id)
