"""End to end with the published Orch8 Python SDK (``orch8-io-sdk``) as the real client
and worker: it registers a sequence and creates instances through its client, its
``Orch8Worker`` runs a handler this engine does not have, and the client reads outputs,
tree and audit, follows the event stream and sends signals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from orch8 import Orch8Client, Orch8Worker

from orch8_nb.engine import Engine

pytestmark = pytest.mark.slow


def test_the_python_sdk_drives_sequences_instances_and_a_worker(
    make_engine: Callable[..., Engine], tmp_path: Any
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'api.db'}", virtual=False)
    with engine.serve(port=0) as server:
        asyncio.run(scenario(server.url))


async def scenario(url: str) -> None:
    async with Orch8Client(url, tenant_id="default") as client:
        seq = await client.create_sequence({"name": "greet", "blocks": [
            {"type": "step", "id": "hello", "handler": "say_hello",
             "params": {"name": "{{ data.who }}"}},
            {"type": "step", "id": "wait", "handler": "noop",
             "wait_for_input": {"prompt": "Send it?"}},
        ]})  # fmt: skip
        assert seq.name == "greet" and seq.version == 1
        made = await client.create_instance({"sequence_id": seq.id,
                                             "context": {"data": {"who": "ada"}}})  # fmt: skip
        assert made.state in ("scheduled", "running", "waiting")

        seen: list[str] = []

        async def say_hello(task: Any) -> dict[str, str]:
            seen.append(task.params["name"])
            return {"text": f"hello {task.params['name']}"}

        streamed: list[dict[str, Any]] = []

        async def follow() -> None:
            async for event in client.stream_instance(made.id):
                streamed.append(event)

        watching = asyncio.create_task(follow())
        worker = Orch8Worker(client, "sdk-worker", {"say_hello": say_hello}, poll_interval=0.05)
        running = asyncio.create_task(worker.start())
        try:
            tree = await until(client, made.id, lambda nodes: nodes.get("wait") == "waiting")
            assert tree == {"hello": "completed", "wait": "waiting"} and seen == ["ada"]
            await client.send_signal(made.id, {"signal_type": {"custom": "human_input:wait"},
                                               "payload": {"value": "yes"}})  # fmt: skip
            await until(client, made.id, lambda nodes: nodes.get("wait") == "completed")
        finally:
            await worker.stop(timeout=5)
            running.cancel()
        await asyncio.wait_for(watching, 10)  # the stream ends with the instance
        kinds = [e["event"] for e in streamed]
        assert kinds[-1] == "done" and streamed[-1]["state"] == "completed"
        outputs = {e["block_id"]: e["output"] for e in streamed if e["event"] == "output"}
        assert outputs["hello"] == {"text": "hello ada"}, streamed
        got = await client.get_instance(made.id)
        assert got.state == "completed" and got.context.data["who"] == "ada"
        outputs = await client.get_outputs(made.id)
        assert (outputs[0].block_id, outputs[0].output) == ("hello", {"text": "hello ada"})
        events = [entry.event for entry in await client.list_audit_log(made.id)]
        assert "worker_task_created" in events and events.count("state_transition") >= 3


async def until(
    client: Orch8Client, instance_id: str, done: Callable[[dict[str, str]], bool]
) -> dict[str, str]:
    for _ in range(200):
        nodes = {n.block_id: n.state for n in await client.get_execution_tree(instance_id)}
        if done(nodes):
            return nodes
        await asyncio.sleep(0.05)
    raise AssertionError(f"the instance did not get there: {nodes}")
