"""``SequenceEditor``: edit a sequence visually, checked by the same rules as Python.

The front end edits ``spec`` (plain JSON, possibly invalid mid-edit); every change is
validated here with ``SequenceDefinition.from_json``, so the errors on the canvas are the
ones a cell would raise, with their JSON paths. ``editor.sequence`` is always the last
spec that passed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from orch8_nb.errors import Problem, SequenceValidationError
from orch8_nb.model import SequenceDefinition, sequence_json_schema
from orch8_nb.render.views import sequence_bundle, sequence_json
from orch8_nb.widgets._base import Orch8Widget, error_text

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine
    from orch8_nb.engine.instance import Instance

_SEGMENT = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


class SequenceEditor(Orch8Widget):
    """A visual editor on ``sequence``; with an ``engine`` it registers and runs versions.

    ``editor.sequence`` is the last valid edit (assign to it to load another sequence),
    ``editor.errors`` what is wrong with the current one, ``editor.last_instance`` the
    instance the *Run* button started.
    """

    _kind = traitlets.Unicode("editor").tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    """The sequence JSON being edited (both ways; may be invalid while editing)."""
    errors = traitlets.List(traitlets.Dict()).tag(sync=True)
    """``[{"path": [...], "block_id": str | None, "message": str}]``; empty when valid."""
    handlers = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """The engine's registered handler names, sorted (for the handler picker)."""
    block_schema = traitlets.Dict().tag(sync=True)
    """JSON Schema of a sequence (``sequence_json_schema()``): drives the side form."""
    status = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    """``{"action": "register" | "run", "ok": bool, "message": str}`` after a button."""

    def __init__(
        self,
        sequence: SequenceDefinition | Mapping[str, Any] | str,
        engine: Engine | None = None,
        **kwargs: Any,
    ) -> None:
        valid = (
            sequence
            if isinstance(sequence, SequenceDefinition)
            else SequenceDefinition.from_json(sequence)
        )
        super().__init__(**kwargs)
        self.engine = engine
        self.last_instance: Instance | None = None
        self._valid = valid
        self._problems: tuple[Problem, ...] = ()
        self.block_schema = sequence_json_schema()
        self.handlers = self._handler_names()
        self.observe(self._on_spec, names="spec")
        self.spec = sequence_json(valid, live=True)

    # -- the sequence ----------------------------------------------------------------------------

    @property
    def sequence(self) -> SequenceDefinition:
        """The last valid state of the edit."""
        return self._valid

    @sequence.setter
    def sequence(self, value: SequenceDefinition | Mapping[str, Any] | str) -> None:
        seq = (
            value if isinstance(value, SequenceDefinition) else SequenceDefinition.from_json(value)
        )
        self._valid = seq
        self.spec = sequence_json(seq, live=True)

    def register(self) -> SequenceDefinition:
        """Register the edited sequence on the engine: a new version if its blocks changed
        (the latest one if not). Raises the validation error while the edit is invalid."""
        engine = self._engine()
        if self._problems:
            raise SequenceValidationError(self._problems)
        data = sequence_json(self._valid)
        data.pop("version", None)  # the engine numbers versions
        for key in ("tenant_id", "namespace"):
            if data.get(key) == "default":  # not chosen by the user: the engine's own
                data.pop(key)
        registered = engine.upsert_sequence(data)
        self.sequence = registered
        self.handlers = self._handler_names()
        return registered

    def run(self, data: Mapping[str, Any] | None = None) -> Instance:
        """Register the edit (see ``register``) and start an instance of it with ``data``."""
        registered = self.register()
        self.last_instance = self._engine().create_instance(registered, data)
        return self.last_instance

    def static_bundle(self) -> dict[str, Any]:
        return sequence_bundle(self._valid)

    # -- validation ------------------------------------------------------------------------------

    def _on_spec(self, change: Mapping[str, Any]) -> None:
        spec = change["new"]
        try:
            self._valid = SequenceDefinition.from_json(spec)
        except SequenceValidationError as exc:
            self._problems = exc.problems
        else:
            self._problems = ()
        self.errors = [problem_view(p, spec) for p in self._problems]
        self.handlers = self._handler_names()
        if not self._problems:
            self.publish_static()

    def _handler_names(self) -> list[str]:
        return sorted(self.engine.handlers) if self.engine is not None else []

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError(
                "this editor has no engine: create it with SequenceEditor(seq, engine) "
                "or seq.edit(engine)"
            )
        return self.engine

    # -- buttons ---------------------------------------------------------------------------------

    def _message_handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {"register": self._on_register, "run": self._on_run}

    def _on_register(self, _content: dict[str, Any]) -> None:
        def act() -> str:
            seq = self.register()
            return f"registered {seq.name} v{seq.version}"

        self._button("register", act)

    def _on_run(self, content: dict[str, Any]) -> None:
        data = content.get("input")

        def act() -> str:
            inst = self.run(data if isinstance(data, dict) else None)
            seq = self._valid
            return f"started instance {inst.id} of {seq.name} v{seq.version}"

        self._button("run", act)

    def _button(self, action: str, act: Callable[[], str]) -> None:
        """Run a button's action and report it in ``status``, warnings included (a widget
        user does not see the cell's stderr)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                message = act()
            except Exception as exc:
                self.status = {"action": action, "ok": False, "message": error_text(exc)}
                return
        notes = [str(w.message) for w in caught]
        self.status = {"action": action, "ok": True, "message": "\n".join([message, *notes])}


def problem_view(problem: Problem, spec: Any) -> dict[str, Any]:
    """A validation problem as the front end takes it: the path as a list, and the id of
    the innermost block on that path (the card that shows the error)."""
    path: list[str | int] = [
        int(index) if index else name for index, name in _SEGMENT.findall(problem.path)
    ]
    block_id: str | None = None
    node = spec
    for segment in path:
        fits = (isinstance(node, list) and isinstance(segment, int) and segment < len(node)) or (
            isinstance(node, dict) and segment in node
        )
        if not fits:
            break
        node = node[segment]
        if isinstance(node, dict) and isinstance(node.get("type"), str):
            found = node.get("id")
            block_id = found if isinstance(found, str) else block_id
    return {"path": path, "block_id": block_id, "message": problem.message}
