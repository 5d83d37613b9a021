"""A handle on a session: instances grouped under a key, sharing data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orch8_nb.engine.instance import Instance
from orch8_nb.storage.rows import SessionRow

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine


class Session:
    """Create with ``engine.create_session(key)``; find with ``engine.session(key)``.

    Start instances in it with ``engine.create_instance(..., session=session)``; their
    sub-sequence children join it too.
    """

    __slots__ = ("_engine", "id")

    def __init__(self, engine: Engine, session_id: str) -> None:
        self._engine = engine
        self.id = session_id

    def _row(self) -> SessionRow:
        engine = self._engine._live()
        return engine._thread.call(engine.aio.records.session(self.id))

    def snapshot(self) -> dict[str, Any]:
        """The session as stored now (the REST shape), read once."""
        row = self._row()
        return {"id": row.id, "tenant_id": row.tenant_id, "session_key": row.session_key,
                "data": row.data, "state": row.state, "created_at": row.created_at,
                "updated_at": row.updated_at, "expires_at": row.expires_at}  # fmt: skip

    @property
    def key(self) -> str:
        return self._row().session_key

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._row().data)

    @property
    def state(self) -> str:
        """``active``, ``paused``, ``completed`` or ``expired``."""
        return self._row().state

    @property
    def expires_at(self) -> int | None:
        return self._row().expires_at

    def update(self, data: Mapping[str, Any]) -> Session:
        """Merge ``data`` into the session's data, key by key."""
        engine = self._engine._live()
        engine._thread.call(engine.aio.records.update_session(self.id, data=data))
        return self

    def set_state(self, state: str) -> Session:
        engine = self._engine._live()
        engine._thread.call(engine.aio.records.update_session(self.id, state=state))
        return self

    def instances(self) -> list[Instance]:
        """Every instance in the session, newest first."""
        engine = self._engine._live()
        ids = engine._thread.call(engine.aio.records.session_instances(self.id))
        return [Instance(engine, iid) for iid in ids]

    def cancel_all(self) -> int:
        """Send ``cancel`` to every unfinished instance of the session; returns how many."""
        engine = self._engine._live()
        ids = engine._thread.call(engine.aio.records.unfinished_in_session(self.id))
        for iid in ids:
            engine.send_signal(iid, "cancel")
        return len(ids)

    def __repr__(self) -> str:
        row = self._row()
        return f"<Session {row.session_key!r} {row.state} data={row.data!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Session) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
