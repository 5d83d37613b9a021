"""Checkpoints and sessions from a cell: save, list, prune; create, share data, cancel all."""

from __future__ import annotations

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.errors import ConflictError, InputValidationError, NotFoundError


def test_checkpoints_are_kept_listed_and_pruned(engine: Engine) -> None:
    inst = engine.create_instance(o8.sequence("cp", o8.step("a", "noop")))
    engine.run_until_idle()
    assert inst.latest_checkpoint() is None
    saved = [inst.save_checkpoint({"turn": n}) for n in range(4)]
    assert [c["checkpoint_data"] for c in inst.checkpoints()] == [{"turn": n} for n in range(4)]
    assert inst.latest_checkpoint() == saved[-1]
    assert inst.prune_checkpoints(1) == 3
    assert [c["id"] for c in inst.checkpoints()] == [saved[-1]["id"]]
    events = [a.event_type for a in inst.audit()]
    assert events.count("checkpoint_saved") == 4 and events[-1] == "checkpoints_pruned"
    with pytest.raises(InputValidationError, match="checkpoint_data: is not JSON"):
        inst.save_checkpoint({"bad": {1, 2}})
    with pytest.raises(InputValidationError, match="keep: must be an integer >= 0"):
        inst.prune_checkpoints(-1)
    with pytest.raises(NotFoundError, match="instance nope not found"):
        o8.Instance(engine, "nope").save_checkpoint({})


def test_sessions_group_instances_and_share_data(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        engine.upsert_sequence(o8.sequence("kid", o8.step("w", "remote")))
    chat = engine.create_session("chat-42", {"user": "ada"})
    assert (chat.key, chat.state, chat.data) == ("chat-42", "active", {"user": "ada"})
    assert engine.session("chat-42") == chat and engine.sessions() == [chat]
    with pytest.raises(ConflictError, match="chat-42"):
        engine.create_session("chat-42")
    with pytest.raises(NotFoundError, match="no session has key 'other'"):
        engine.session("other")
    seq = o8.sequence("turn", o8.sub_sequence("call", "kid"))
    first = engine.create_instance(seq, session=chat)
    second = engine.create_instance(seq, session=chat.id)
    engine.create_instance(o8.sequence("alone", o8.step("a", "noop")))
    engine.run_until_idle()
    members = chat.instances()
    assert {first, second} <= set(members) and len(members) == 4  # the children joined too
    chat.update({"topic": "refunds"}).set_state("paused")
    assert (chat.data, chat.state) == ({"user": "ada", "topic": "refunds"}, "paused")
    assert chat.cancel_all() == 4
    engine.run_until_idle()
    assert {m.state for m in chat.instances()} == {"cancelled"}
    with pytest.raises(InputValidationError, match="state: must be one of active, paused"):
        chat.set_state("done")
    with pytest.raises(NotFoundError, match="session nope not found"):
        engine.create_instance(seq, session="nope")
