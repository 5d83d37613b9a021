"""What a handler receives: one frozen object, so adding a field never breaks handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orch8_nb.engine.clock import Clock
    from orch8_nb.engine.handlers.progress import Emit, StepProgress
    from orch8_nb.expr import Scope

_MISSING = object()


class InstanceState(MutableMapping[str, Any]):
    """The instance's key-value state as a handler sees it.

    Writes are buffered and committed in the same transaction as the step's output, so a
    step that fails or crashes leaves no half-written state behind.
    """

    def __init__(self, current: Mapping[str, Any]) -> None:
        self._base = current
        self._set: dict[str, Any] = {}
        self._deleted: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key in self._set:
            return self._set[key]
        if key in self._deleted:
            raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key:
            raise KeyError("state keys are non-empty strings")
        self._deleted.discard(key)
        self._set[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._set.pop(key, None)
        self._deleted.add(key)

    def __iter__(self) -> Iterator[str]:
        keys = [k for k in self._base if k not in self._deleted and k not in self._set]
        return iter([*keys, *self._set])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        if key in self._set:
            return True
        return key not in self._deleted and key in self._base

    @property
    def changes(self) -> tuple[dict[str, Any], list[str]]:
        """``(values to set, keys to delete)`` accumulated by the handler."""
        return dict(self._set), sorted(self._deleted)


@dataclass(frozen=True, slots=True)
class StepContext:
    """Everything a handler may know about the step it runs."""

    instance_id: str
    tenant_id: str
    block_id: str
    handler: str
    #: Step params with every ``{{ }}`` template resolved.
    params: Any
    #: The instance context filtered by the step's ``context_access``.
    context: Mapping[str, Any]
    #: 0 for the first try, 1 for the first retry, ...
    attempt: int
    #: Stable per (instance, block, attempt): pass it to external APIs to dedupe side effects.
    idempotency_key: str
    #: Instance key-value state; writes commit with the step's output.
    state: InstanceState = field(default_factory=lambda: InstanceState({}))
    clock: Clock | None = None
    #: Builds the expression scope on demand (most handlers never need it).
    scope_factory: Callable[[], Scope] | None = field(default=None, repr=False)
    #: Durable mid-step progress and audit rows (``None`` outside an engine).
    progress: StepProgress | None = field(default=None, repr=False)
    #: Publishes a live event about this step (streamed model text); ``None`` when unused.
    emit: Emit | None = field(default=None, repr=False)
    #: The answer to this step's last :class:`AwaitApproval`, once a person gave it.
    approval: Mapping[str, Any] | None = None
    #: The instance's budget limits (``max_total_tokens``...) and what it used so far.
    budget: Mapping[str, Any] | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)
    #: Engine-wide services by name (``"agents"``: models, tools, cassettes).
    extensions: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def scope(self) -> Scope | None:
        """The expression scope (context, outputs, state), for handlers that evaluate
        expressions; ``None`` outside an engine."""
        return None if self.scope_factory is None else self.scope_factory()

    @property
    def data(self) -> Mapping[str, Any]:
        """Shortcut for ``context["data"]``."""
        data = self.context.get("data", {})
        return data if isinstance(data, Mapping) else {}
