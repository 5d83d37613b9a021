"""The coalescing throttle on its own: merging, rate, the terminal fast path, closing."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from widgetkit import eventually, quiet_for

from orch8_nb.engine.clock import perf_counter
from orch8_nb.widgets.throttle import Debounce, PatchThrottle, merge_patch


def test_patches_merge_per_block_id_and_instance_key() -> None:
    into: dict[str, Any] = {}
    merge_patch(into, {"nodes": {"a": {"state": "running"}}, "instance": {"state": "running"}})
    merge_patch(
        into, {"nodes": {"a": {"state": "completed", "attempt": 1}, "b": {"state": "running"}}}
    )
    merge_patch(into, {"instance": {"error": None}})
    merge_patch(into, None)
    assert into == {
        "nodes": {"a": {"state": "completed", "attempt": 1}, "b": {"state": "running"}},
        "instance": {"state": "running", "error": None},
    }


def test_a_burst_becomes_one_flush_after_the_interval() -> None:
    sent: list[tuple[float, dict[str, Any]]] = []
    throttle = PatchThrottle(lambda p: sent.append((perf_counter(), p)), interval=0.2)
    start = perf_counter()
    for i in range(100):
        throttle.push({"nodes": {f"b{i % 3}": {"state": "running", "attempt": i}}})
    eventually(lambda: len(sent) == 1)
    quiet_for(0.3)
    ((at, patch),) = sent
    assert at - start >= 0.19
    assert patch == {"instance": {}, "nodes": {
        "b0": {"state": "running", "attempt": 99},
        "b1": {"state": "running", "attempt": 97},
        "b2": {"state": "running", "attempt": 98},
    }}  # fmt: skip
    throttle.close()


def test_steady_pushes_flush_at_most_once_per_interval() -> None:
    sent: list[float] = []
    throttle = PatchThrottle(lambda _p: sent.append(perf_counter()), interval=0.1)
    stop = threading.Event()
    start = perf_counter()
    while perf_counter() - start < 0.55:
        throttle.push({"nodes": {"a": {"state": "running"}}})
        stop.wait(0.005)
    eventually(lambda: perf_counter() - start > 0.7)
    throttle.close()
    assert 2 <= len(sent) <= 7  # ~0.65 s at 10 a second, never one per push
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(gap >= 0.09 for gap in gaps)


def test_a_final_push_flushes_at_once() -> None:
    sent: list[dict[str, Any]] = []
    throttle = PatchThrottle(sent.append, interval=30.0)
    throttle.push({"nodes": {"a": {"state": "running"}}})
    throttle.push({"instance": {"state": "completed"}}, final=True)
    eventually(lambda: len(sent) == 1, timeout=5)
    assert sent == [{"instance": {"state": "completed"}, "nodes": {"a": {"state": "running"}}}]
    throttle.close()


def test_collect_runs_at_flush_time_and_empty_patches_are_not_sent() -> None:
    sent: list[dict[str, Any]] = []
    reads: list[int] = []

    def collect() -> dict[str, Any] | None:
        reads.append(1)
        return None if len(reads) > 1 else {"nodes": {"x": {"state": "completed"}}}

    throttle = PatchThrottle(sent.append, collect=collect, interval=0.05)
    for _ in range(10):
        throttle.push()
    eventually(lambda: len(reads) == 1)
    throttle.push()
    eventually(lambda: len(reads) == 2)
    quiet_for(0.1)
    assert sent == [{"instance": {}, "nodes": {"x": {"state": "completed"}}}]
    throttle.close()


def test_flush_discard_and_close() -> None:
    sent: list[dict[str, Any]] = []
    throttle = PatchThrottle(sent.append, interval=30.0)
    throttle.push({"nodes": {"a": {"state": "running"}}})
    throttle.flush()
    assert sent == [{"instance": {}, "nodes": {"a": {"state": "running"}}}]
    throttle.push({"nodes": {"b": {"state": "running"}}})
    throttle.discard()
    throttle.flush()
    assert len(sent) == 1
    throttle.close()
    throttle.push({"nodes": {"c": {"state": "running"}}}, final=True)
    quiet_for(0.1)
    assert len(sent) == 1


def test_a_failing_flush_is_logged_not_raised_on_the_timer_thread() -> None:
    def boom(_patch: dict[str, Any]) -> None:
        raise RuntimeError("engine gone")

    throttle = PatchThrottle(boom, interval=0.01)
    throttle.push({"nodes": {"a": {"state": "running"}}}, final=True)
    quiet_for(0.1)  # pytest turns an unhandled thread exception into a failure
    throttle.close()


def test_debounce_runs_the_action_once_per_burst() -> None:
    runs: list[int] = []
    debounce = Debounce(lambda: runs.append(1), interval=0.05)
    for _ in range(50):
        debounce.poke()
    eventually(lambda: runs == [1])
    debounce.poke(now=True)
    eventually(lambda: runs == [1, 1])
    debounce.close()
