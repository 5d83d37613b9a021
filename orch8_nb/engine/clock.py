"""The only place that reads real time or randomness.

Everything else asks an injected :class:`Clock`, so a :class:`VirtualClock` can make hours
of delays, timeouts and backoff pass in microseconds, deterministically.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Epoch-millisecond time plus the waiting primitives built on it."""

    virtual: bool

    def now_ms(self) -> int: ...

    async def sleep(self, ms: float) -> None: ...

    def random(self) -> float: ...

    def uuid(self) -> str: ...


class _Uuid7:
    """Version-7 UUIDs (RFC 9562): 48-bit millisecond time, then 74 random bits, minted
    monotonically (RFC 9562 method 2: within one millisecond the random part counts up).

    Time-ordered ids keep SQLite's B-trees append-mostly (ids and the instance_id columns
    of every child table), which is measurably cheaper per commit than random v4 ids; being
    monotonic, they also order rows made in the same millisecond (a virtual clock's whole
    run) the way they were made.
    """

    __slots__ = ("_last", "_lock")

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self, ms: int, bits: int) -> str:
        with self._lock:
            payload = max(((ms & 0xFFFF_FFFF_FFFF) << 74) | bits, self._last + 1)
            self._last = payload
        ms, bits = payload >> 74, payload & ((1 << 74) - 1)
        value = ((ms & 0xFFFF_FFFF_FFFF) << 80) | (0x7 << 76) | ((bits >> 62) & 0xFFF) << 64
        value |= (0b10 << 62) | (bits & 0x3FFF_FFFF_FFFF_FFFF)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class RealClock:
    """Wall-clock time; sleeps really wait.

    Ids come from a PRNG seeded from the OS once: ids need uniqueness, not secrecy, and a
    syscall per id (``uuid.uuid4``) costs more than a whole step's bookkeeping here.
    """

    virtual = False

    def __init__(self) -> None:
        self._rng = random.Random(int.from_bytes(os.urandom(32), "big"))
        self._uuid7 = _Uuid7()

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep(self, ms: float) -> None:
        await asyncio.sleep(max(ms, 0) / 1000)

    def random(self) -> float:
        return self._rng.random()

    def uuid(self) -> str:
        return self._uuid7(self.now_ms(), self._rng.getrandbits(74))


def wall_clock_ms() -> int:
    """Real epoch milliseconds, for facts shared across processes (engine heartbeats)."""
    return time.time_ns() // 1_000_000


def perf_counter() -> float:
    """Monotonic seconds, for measuring durations (never for scheduling)."""
    return time.perf_counter()


def real_sleep(seconds: float) -> None:
    """Block the calling (non-engine) thread; used by sync waits that poll."""
    time.sleep(seconds)


async def real_delay(seconds: float) -> None:
    """Wait real time on the loop: outside services (a model provider's ``Retry-After``)
    run on real time, whatever clock the engine uses."""
    await asyncio.sleep(max(seconds, 0.0))


#: 2026-01-01T00:00:00Z: a fixed, readable start for virtual time.
VIRTUAL_EPOCH_MS = 1_767_225_600_000


class VirtualClock:
    """Time that only moves when told to: ``advance(ms)``, ``set(ms)``.

    Sleepers are woken in deadline order as time passes them; it is safe to advance from a
    thread other than the one whose loop sleeps. Give ``seed`` to make ``random``/``uuid``
    repeat exactly; without one they are seeded from the OS, so two engines sharing a
    database never mint the same ids.
    """

    virtual = True

    def __init__(self, start_ms: int = VIRTUAL_EPOCH_MS, *, seed: int | None = None) -> None:
        self._now = int(start_ms)
        self._lock = threading.Lock()
        self._sleepers: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._rng = random.Random(int.from_bytes(os.urandom(32), "big") if seed is None else seed)
        self._listeners: list[Callable[[int], None]] = []
        self._uuid7 = _Uuid7()

    def now_ms(self) -> int:
        return self._now

    def on_advance(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """Call ``listener(now)`` after every move (engines use it to fire due timers)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def sleep(self, ms: float) -> None:
        if ms <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._sleepers.append((self._now + int(ms), loop, fut))
        await fut

    def next_deadline(self) -> int | None:
        """Earliest pending sleep deadline, if any (used to auto-advance)."""
        with self._lock:
            live = [d for d, _, f in self._sleepers if not f.done()]
        return min(live) if live else None

    def advance(self, ms: float) -> int:
        """Move time forward by ``ms`` and wake every sleeper now due; returns the new time."""
        if ms < 0:
            raise ValueError("time cannot go backwards")
        return self.set(self._now + int(ms))

    def set(self, now_ms: int) -> int:
        with self._lock:
            if now_ms < self._now:
                raise ValueError("time cannot go backwards")
            self._now = int(now_ms)
            due = [s for s in self._sleepers if s[0] <= self._now]
            self._sleepers = [s for s in self._sleepers if s[0] > self._now]
        for _, loop, fut in due:
            with contextlib.suppress(RuntimeError):  # its loop is already closed
                loop.call_soon_threadsafe(_wake, fut)
        for listener in list(self._listeners):
            listener(self._now)
        return self._now

    def random(self) -> float:
        return self._rng.random()

    def uuid(self) -> str:
        return self._uuid7(self.now_ms(), self._rng.getrandbits(74))


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
