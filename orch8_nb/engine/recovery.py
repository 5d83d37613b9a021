"""Finding instances whose engine died, and giving them back to the scheduler.

Each engine registers a node row (host, pid, heartbeat). An instance ``running`` under a
node that is gone is returned to ``scheduled``: immediately when the node was a process on
this host that no longer exists (a killed kernel), otherwise once its heartbeat is stale.
Steps that were in flight run again: delivery is at-least-once; a step whose output
committed never runs again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.engine.clock import Clock, wall_clock_ms
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import NodeInfo

log = logging.getLogger("orch8_nb.recovery")

#: Heartbeat cadence of a live engine, and how stale a heartbeat must be to count as dead.
HEARTBEAT_MS = 10_000
STALE_MS = 60_000

HOSTNAME = socket.gethostname()

#: Node ids of engines alive in this process (a second Engine on the same file must not
#: mistake the first for a dead one just because they share a pid).
LOCAL_NODES: set[str] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process its parent has not reaped yet still answers ``kill(pid, 0)``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def is_dead(node: NodeInfo, now: int) -> bool:
    if node.id in LOCAL_NODES:
        return False
    if node.hostname == HOSTNAME:
        if node.pid == os.getpid():
            return True  # an engine of this process that was never shut down
        if not _pid_alive(node.pid):
            return True
    return now - node.heartbeat_at > STALE_MS


async def recover(storage: Storage, my_node: str, now: int) -> list[str]:
    """Release instances held by dead engines (and by no known engine); returns their ids.

    Liveness is judged in wall-clock time, whatever clock the engine runs on; ``now`` (the
    engine's time) stamps the released instances and their audit rows.
    """
    wall = wall_clock_ms()
    nodes = await storage.list_nodes()
    live = [n.id for n in nodes if n.id == my_node or not is_dead(n, wall)]
    for node in nodes:
        if node.id not in live:
            await storage.remove_node(node.id)
    return await storage.release_instances(now, "recovered", except_owners=live)


async def heartbeat_forever(
    storage: Storage,
    node_id: str,
    clock: Clock,
    stopping: asyncio.Event,
    *,
    on_released: Callable[[list[str]], None],
    also: Callable[[], Awaitable[Any]] | None = None,
) -> None:
    """Every ``HEARTBEAT_MS``: tell other engines we are alive, release what dead ones held.

    Runs in real time until ``stopping`` is set, with or without the scheduler loop and
    whatever clock the engine uses.
    """
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), HEARTBEAT_MS / 1000)
        if stopping.is_set():
            return
        try:
            await storage.heartbeat_node(node_id, wall_clock_ms())
            released = await recover(storage, node_id, clock.now_ms())
            if also is not None:
                await also()
        except Exception:
            log.exception("engine heartbeat failed")
            continue
        if released:
            log.warning("recovered %d instance(s) from dead engines", len(released))
            on_released(released)
