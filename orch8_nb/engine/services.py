"""The shared parts a runner needs from its engine, passed as one object."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.engine.breakers import CircuitBreakers
from orch8_nb.engine.clock import Clock
from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.events import EventBus
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.storage.base import Storage


@dataclass(slots=True)
class Services:
    storage: Storage
    registry: HandlerRegistry
    clock: Clock
    pool: Executor
    bus: EventBus
    node_id: str
    #: Called after an instance reaches a terminal state (wakes waiters).
    on_terminal: Callable[[str, str], None]
    #: Called when an instance gets a timer or becomes due again (wakes the scheduler).
    on_reschedule: Callable[[int | None], None]
    #: Called when an instance parks waiting on workers whose handlers are registered here
    #: (registered while it ran): the engine brings those steps back in-process.
    on_waiting_local: Callable[[set[str]], None]
    #: Called after a commit queued a signal for another instance (``id``, ``kind``).
    on_signal: Callable[[str, str], None]
    #: Looks up a sequence version by name (``name``, ``version``, ``namespace``).
    find_sequence: Callable[[str, int | None, str], Awaitable[CompiledSequence]]
    #: Circuit breakers per handler (see ``engine/breakers.py``).
    breakers: CircuitBreakers
    #: Services of packages above the engine, by name (see ``engine/extensions.py``).
    extensions: dict[str, Any] = field(default_factory=dict)
