"""The tree's controls: one ``control`` message in, one ``Instance`` call, one answer out.

Each action is the same call a cell would make (``inst.pause()``, ``inst.approve(...)``),
so the widget can do nothing a user could not do from Python, and a refusal reaches the
front end with the very text Python would raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from orch8_nb.model.signal import CUSTOM_PREFIX, BuiltinSignal

if TYPE_CHECKING:
    from orch8_nb.engine.instance import Instance

_BUILTINS = frozenset(s.value for s in BuiltinSignal)


def control(instance: Instance, message: Mapping[str, Any]) -> tuple[str, str]:
    """Run the action of a ``control`` message; returns ``(action, what happened)``.

    Raises what the ``Instance`` method raises (an invalid signal, a gate that is not
    waiting, an instance in the wrong state) or ``ValueError`` for an unknown action.
    """
    action = str(message.get("action", ""))
    run = _ACTIONS.get(action)
    if run is None:
        raise ValueError(
            f"unknown control action {action!r}; expected one of: {', '.join(_ACTIONS)}"
        )
    return action, run(instance, message)


def signal_type(name: Any) -> Any:
    """A built-in name (``pause``...) or ``custom:<name>`` as is; any other name is a
    custom signal. Non-strings pass through for the engine to refuse with its message."""
    if not isinstance(name, str) or name in _BUILTINS or name.startswith(CUSTOM_PREFIX):
        return name
    return {"custom": name}


def _pause(instance: Instance, _message: Mapping[str, Any]) -> str:
    instance.pause()
    return "paused"


def _resume(instance: Instance, _message: Mapping[str, Any]) -> str:
    instance.resume()
    return "resumed"


def _cancel(instance: Instance, _message: Mapping[str, Any]) -> str:
    instance.cancel()
    return "cancelled"


def _retry(instance: Instance, _message: Mapping[str, Any]) -> str:
    instance.retry()
    return "retrying from the failed block"


def _signal(instance: Instance, message: Mapping[str, Any]) -> str:
    name = message.get("name")
    instance.signal(signal_type(name), message.get("payload"))
    return f"signal {name} sent"


def _approve(instance: Instance, message: Mapping[str, Any]) -> str:
    block_id = str(message.get("block_id", ""))
    value = message.get("value", "yes")
    comment = message.get("comment") or None  # an empty comment box is no comment
    instance.approve(block_id, value, comment=comment)
    return f"answered {block_id}: {value}"


_ACTIONS: dict[str, Callable[[Instance, Mapping[str, Any]], str]] = {
    "pause": _pause,
    "resume": _resume,
    "cancel": _cancel,
    "retry": _retry,
    "signal": _signal,
    "approve": _approve,
}
