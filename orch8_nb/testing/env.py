"""``EngineEnv``: an engine on a virtual clock that tests drive by hand.

Time moves only when the test says so (``advance``) or when it waits for a result
(``wait``/``result`` jump the clock to each next timer), so days of delays, retry backoff
and sleeps run in milliseconds of real time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from orch8_nb.engine import Engine, Instance, VirtualClock
from orch8_nb.engine.clock import VIRTUAL_EPOCH_MS
from orch8_nb.errors import Orch8Error
from orch8_nb.model import SequenceDefinition, format_duration_ms, parse_duration_ms
from orch8_nb.testing._report import children_can_move, describe, waits
from orch8_nb.testing.mocks import Failure, MockHandler, Outcome, Success

Duration = int | float | str | timedelta
"""Integer milliseconds, float seconds, text such as ``"90m"`` or ``"1h30m"``, a timedelta."""

SequenceRef = SequenceDefinition | Mapping[str, Any] | str

TERMINAL = frozenset({"completed", "failed", "cancelled"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Real seconds to let a just-registered handler take back its worker tasks.


class StuckInstanceError(Orch8Error, TimeoutError):
    """``wait``/``result`` gave up: the instance cannot finish on its own, or not in time.

    ``state`` is the instance state when it gave up and ``waiting_for`` says what its
    waiting blocks wait for (a worker, a person, ...).
    """

    def __init__(self, message: str, *, instance_id: str, state: str, waiting_for: list[str]):
        super().__init__(message)
        self.instance_id = instance_id
        self.state = state
        self.waiting_for = waiting_for


class InstanceFailedError(Orch8Error):
    """``result`` found the instance ``failed`` or ``cancelled``; ``error`` is its error."""

    def __init__(self, message: str, *, instance_id: str, state: str, error: Any):
        super().__init__(message)
        self.instance_id = instance_id
        self.state = state
        self.error = error


class EngineEnv:
    """An :class:`Engine` on a :class:`VirtualClock` with ``autostart=False``.

    Nothing runs until the test calls :meth:`advance`, :meth:`run_until_idle`,
    :meth:`wait` or :meth:`result`. ``url`` defaults to an in-memory database; other
    keyword options go to :class:`Engine`. ``max_duration`` and ``max_ticks`` bound how
    far :meth:`wait` may move virtual time, and how many timers it may fire, before it
    gives up.
    """

    def __init__(
        self,
        url: str = "sqlite://:memory:",
        *,
        start_ms: int = VIRTUAL_EPOCH_MS,
        seed: int | None = None,
        max_duration: Duration = "366d",
        max_ticks: int = 10_000,
        **engine_options: Any,
    ) -> None:
        self.clock = VirtualClock(start_ms, seed=seed)
        self.engine = Engine(url, clock=self.clock, autostart=False, **engine_options)
        self.max_duration_ms = parse_duration_ms(max_duration)
        self.max_ticks = max_ticks
        #: Mocks registered through :meth:`mock`, by handler name.
        self.mocks: dict[str, MockHandler] = {}

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> int:
        """Virtual time in epoch milliseconds."""
        return self.clock.now_ms()

    def now_datetime(self) -> datetime:
        """Virtual time as a timezone-aware UTC datetime."""
        return _EPOCH + timedelta(milliseconds=self.clock.now_ms())

    def advance(self, by: Duration) -> int:
        """Move virtual time forward by ``by`` and run what became due; returns the new time.

        Timers inside the window fire in order, at their own time, so a step that sets a
        new timer inside the window fires it too. Sleeps inside handlers are skipped to
        their end even if that passes the window.
        """
        target = self.clock.now_ms() + parse_duration_ms(by)
        self._drive()
        while (head := self._next_timer()) is not None and head <= target:
            self.clock.set(head)
            self._drive()
        if target > self.clock.now_ms():
            self.clock.set(target)
        self._drive()
        return self.clock.now_ms()

    def run_until_idle(self) -> int:
        """Run everything, jumping through every pending timer (see ``Engine.run_until_idle``).

        Returns the number of instance runs. Instances waiting for a worker stay waiting.
        """
        return self.engine.run_until_idle()

    # -- instances -------------------------------------------------------------------------------

    def start(
        self, sequence: SequenceRef, data: Mapping[str, Any] | None = None, **options: Any
    ) -> Instance:
        """Create an instance (``Engine.create_instance`` options); it runs once time is driven."""
        return self.engine.create_instance(sequence, data, **options)

    def run(
        self, sequence: SequenceRef, data: Mapping[str, Any] | None = None, **options: Any
    ) -> Instance:
        """:meth:`start`, then :meth:`wait`: the instance once completed, failed or cancelled."""
        return self.wait(self.start(sequence, data, **options))

    def wait(
        self,
        inst: Instance | str,
        *,
        max_duration: Duration | None = None,
        max_ticks: int | None = None,
    ) -> Instance:
        """Drive the engine until ``inst`` is completed, failed or cancelled; returns it.

        Virtual time jumps to each next timer (of any instance) while ``inst`` is not done.
        Raises :class:`StuckInstanceError` when nothing can move it on (it waits for a
        worker or a person, is paused, or no timer is left), when its next timer is more
        than ``max_duration`` past the start of the wait, or after ``max_ticks`` jumps.
        """
        handle = inst if isinstance(inst, Instance) else self.engine.get_instance(inst)
        limit = self.max_duration_ms if max_duration is None else parse_duration_ms(max_duration)
        began = self.clock.now_ms()
        ticks = self.max_ticks if max_ticks is None else max_ticks
        for _ in range(ticks):
            self._drive()
            state = handle.state
            if state in TERMINAL:
                return handle
            if state == "paused" or (state == "waiting" and not children_can_move(handle)):
                raise self._stuck(handle, began, _STUCK_REASONS[state])
            head = self._next_timer()
            if head is None:
                raise self._stuck(handle, began, "no timer is pending that could move it on")
            if head - began > limit:
                raise self._stuck(
                    handle,
                    began,
                    f"its next timer is {format_duration_ms(head - began)} after the wait "
                    f"began, past max_duration ({format_duration_ms(limit)})",
                )
            self.clock.set(head)
        raise self._stuck(
            handle, began, f"it is not done after max_ticks ({ticks}) jumps to a timer"
        )

    def result(
        self,
        inst: Instance | str,
        *,
        max_duration: Duration | None = None,
        max_ticks: int | None = None,
    ) -> dict[str, Any]:
        """:meth:`wait`, then the outputs by block id; raises :class:`InstanceFailedError`
        (with the tree and the error) if the instance failed or was cancelled."""
        handle = self.wait(inst, max_duration=max_duration, max_ticks=max_ticks)
        state = handle.state
        if state != "completed":
            raise InstanceFailedError(
                f"instance {handle.id} {state} instead of completing\n{describe(handle)}",
                instance_id=handle.id,
                state=state,
                error=handle.error,
            )
        return handle.outputs

    # -- handlers --------------------------------------------------------------------------------

    def mock(
        self,
        name: str,
        output: Any = None,
        *,
        fail: str | None = None,
        retryable: bool = True,
        details: Any = None,
        code: str | None = None,
        script: Iterable[Outcome | Any] | None = None,
        then: Outcome | Any = None,
    ) -> MockHandler:
        """Register a :class:`MockHandler` as handler ``name`` (replacing any) and return it.

        ``output``: what every call returns. ``fail``: every call fails with this message
        (``retryable``, ``details``, ``code`` as in ``RetryStep``/``FailStep``).
        ``script``: the outcome of attempt 0, 1, ... of each step (``Success(...)``,
        ``Failure(...)`` or a plain output value); after it, ``then``, or else the
        ``output``/``fail`` answer if one was given, or else the script's last outcome.
        """
        if fail is not None and output is not None:
            raise ValueError("give either output= or fail=, not both")
        steps = [_outcome(item) for item in script or ()]
        answer: Outcome | None = None
        if fail is not None:
            answer = Failure(fail, retryable, details, code)
        elif output is not None or not steps:
            answer = Success(output)
        default = _outcome(then) if then is not None else (answer or steps[-1])
        handler = MockHandler(name, default=default, script=steps)
        self.engine.handler(name)(handler)
        self.mocks[name] = handler
        return handler

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.engine.closed

    def close(self, timeout: float = 5.0) -> None:
        """Shut the engine down (idempotent)."""
        self.engine.shutdown(timeout)

    def __enter__(self) -> EngineEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<EngineEnv {self.engine.url} at {self.now_datetime().isoformat()}>"

    # -- internals -------------------------------------------------------------------------------

    def _drive(self) -> int:
        """Tick until a pass moves nothing; returns how many instance runs moved."""
        total = 0
        for _ in range(self.max_ticks):
            moved = self.engine.tick_once()
            if not moved:
                break
            total += moved
        return total

    def _next_timer(self) -> int | None:
        """The earliest fire time after now among scheduled instances, or None."""
        return self.engine.next_timer()

    def _stuck(self, inst: Instance, began: int, reason: str) -> StuckInstanceError:
        state = inst.state
        found = [w.what for w in waits(self.engine, inst)]
        lines = [f"instance {inst.id} cannot finish: it is {state}"]
        lines += [f"  - {what}" for what in found]
        lines.append(f"  {reason}")
        lines.append(f"virtual time waited: {format_duration_ms(self.clock.now_ms() - began)}")
        lines.append(describe(inst))
        return StuckInstanceError(
            "\n".join(lines), instance_id=inst.id, state=state, waiting_for=found
        )


_STUCK_REASONS = {
    "waiting": "nothing here answers it: register the handler (env.mock(...)) or answer "
    "the task (env.engine.poll_tasks(...), then complete_task(...))",
    "paused": "only a resume signal can move it on (inst.resume())",
}


def _outcome(item: Outcome | Any) -> Outcome:
    return item if isinstance(item, Success | Failure) else Success(item)
