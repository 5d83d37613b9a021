"""The web dashboard (``/dashboard``) in a real headless Chromium against a real server.

One engine serves the API with a key; the browser logs in with it, follows an instance
whose external worker step is completed over the worker protocol while the page watches
(the tree moves on from the event stream alone), answers its human-input gate from the
inspector, finds the worker and its task, and retries a dead-letter group.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import orch8_nb as o8
from orch8_nb.server import Server

KEY = "dashboard-test-key"
TIMEOUT_MS = 15_000


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[o8.Engine, Server]]:
    engine = o8.Engine(f"sqlite:///{tmp_path}/dash.db")
    attempts = {"n": 0}

    @engine.handler("prepare")
    def prepare(ctx: o8.StepContext) -> dict[str, Any]:
        return {"prepared": True}

    @engine.handler("charge")
    def charge(ctx: o8.StepContext) -> dict[str, Any]:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise o8.FailStep("card declined for order 1234")
        return {"charged": True}

    with pytest.warns(o8.UnregisteredHandlerWarning):
        engine.upsert_sequence(o8.sequence(
            "orders",
            o8.step("prepare", "prepare"),
            o8.step("send", "send_email"),
            o8.step("review", "noop", wait_for_input=o8.human_input("Ship it?")),
        ))  # fmt: skip
    engine.upsert_sequence(o8.sequence("payments", o8.step("charge", "charge")))
    server = engine.serve(port=0, api_key=KEY)
    try:
        yield engine, server
    finally:
        server.stop()
        engine.shutdown()


def _wait(engine: o8.Engine, inst: o8.Instance, state: str) -> None:
    from orch8_nb.engine.clock import perf_counter, real_sleep

    started = perf_counter()
    while inst.state != state:
        assert perf_counter() - started < 10, f"{inst.id} stayed {inst.state}, not {state}"
        real_sleep(0.05)


def test_dashboard_end_to_end(served: tuple[o8.Engine, Server], browser: Any, shot: Any) -> None:
    engine, server = served
    order = engine.create_instance("orders")
    payment = engine.create_instance("payments")
    _wait(engine, order, "waiting")
    _wait(engine, payment, "failed")

    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server.url}/dashboard")
        # The key is asked for; a wrong one is refused and asked again.
        page.fill("[data-testid=orch8-dash-key-input]", "wrong")
        page.click("[data-testid=orch8-dash-key-submit]")
        page.get_by_text("The server refused that key.").wait_for(timeout=TIMEOUT_MS)
        page.fill("[data-testid=orch8-dash-key-input]", KEY)
        page.click("[data-testid=orch8-dash-key-submit]")

        # Instances: both rows, then the order's live tree, waiting on its worker step.
        row = page.locator(f"[data-testid=orch8-table-row-{order.id}]")
        row.wait_for(timeout=TIMEOUT_MS)
        assert "failed" in page.locator(f"[data-testid=orch8-table-row-{payment.id}]").inner_text()
        row.click()
        state = page.locator("[data-testid=orch8-instance-state]")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=orch8-instance-state]')"
            "?.dataset.state === 'waiting'", timeout=TIMEOUT_MS)  # fmt: skip
        page.get_by_text("worker: send_email").wait_for(timeout=TIMEOUT_MS)
        shot(page, "instance-waiting-worker")

        # An external worker completes the step over the API; the open tree follows.
        api = httpx.Client(base_url=f"{server.url}/api/v1", headers={"x-api-key": KEY})
        poll = {"handler_name": "send_email", "worker_id": "mailer-1"}
        tasks = api.post("/workers/tasks/poll", json=poll).json()
        page.on("close", lambda _: api.close())
        assert len(tasks) == 1
        assert page.get_by_text("human input: Ship it?").count() == 0
        done = api.post(f"/workers/tasks/{tasks[0]['id']}/complete",
                        json={"worker_id": "mailer-1", "output": {"sent": True}})  # fmt: skip
        assert done.status_code == 200, done.text
        page.get_by_text("human input: Ship it?").wait_for(timeout=TIMEOUT_MS)

        # The gate is answered from the inspector, as in a notebook.
        page.locator(".react-flow__node", has_text="review").first.click()
        page.locator("[data-testid=orch8-inspector]").wait_for(timeout=TIMEOUT_MS)
        page.click("[data-testid=orch8-gate-choice-yes]")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=orch8-instance-state]')"
            "?.dataset.state === 'completed'", timeout=TIMEOUT_MS)  # fmt: skip
        assert state.inner_text().strip().endswith("completed")
        _wait(engine, order, "completed")
        shot(page, "instance-completed")

        # Workers: the worker that polled, and its completed task linking to the instance.
        page.click("[data-testid=orch8-dash-tab-workers]")
        page.locator("[data-testid=orch8-dash-worker-mailer-1]").wait_for(timeout=TIMEOUT_MS)
        task_row = page.locator(f"[data-testid=orch8-dash-task-{tasks[0]['id']}]")
        task_row.wait_for(timeout=TIMEOUT_MS)
        assert "completed" in task_row.inner_text()
        assert "send_email" in task_row.inner_text()
        shot(page, "workers")

        # Dead letters: the failed payment's group, retried after one confirmation.
        page.click("[data-testid=orch8-dash-tab-dlq]")
        group = engine.dlq_groups()[0]
        fp = group["fingerprint"]
        page.locator(f"[data-testid=orch8-dash-group-{fp}]").wait_for(timeout=TIMEOUT_MS)
        assert (
            "card declined for order"
            in page.locator(f"[data-testid=orch8-dash-group-{fp}]").inner_text()
        )
        page.locator(f"[data-testid=orch8-dash-dlq-{payment.id}]").wait_for(timeout=TIMEOUT_MS)
        shot(page, "dead-letters")
        page.click(f"[data-testid=orch8-dash-group-retry-{fp}]")
        assert payment.state == "failed"  # nothing happens before the confirmation
        page.click(f"[data-testid=orch8-dash-group-retry-{fp}-confirm]")
        notice = page.locator("[data-testid=orch8-dash-dlq-notice]")
        notice.wait_for(timeout=TIMEOUT_MS)
        assert notice.inner_text().strip() == "✓ 1 instance retried"
        _wait(engine, payment, "completed")
        page.get_by_text("The dead-letter queue is empty.").wait_for(timeout=TIMEOUT_MS)
    finally:
        page.close()
    assert errors == []


def test_dashboard_refusals_are_shown(served: tuple[o8.Engine, Server], browser: Any) -> None:
    """A control the engine refuses says why, with Python's message; an unknown instance
    in the URL says it is not there."""
    engine, server = served
    order = engine.create_instance("orders")
    _wait(engine, order, "waiting")
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/dashboard#/instances/{order.id}")
        page.fill("[data-testid=orch8-dash-key-input]", KEY)
        page.click("[data-testid=orch8-dash-key-submit]")
        page.locator("[data-testid=orch8-tree]").wait_for(timeout=TIMEOUT_MS)
        page.click("[data-testid=orch8-control-signal]")
        page.fill("[data-testid=orch8-signal-name]", "update_context")
        page.fill("[data-testid=orch8-signal-payload]", '{"data": [1]}')
        page.click("[data-testid=orch8-control-signal-send]")
        refused = page.locator("[data-testid=orch8-result][data-ok=false]")
        refused.wait_for(timeout=TIMEOUT_MS)
        assert "update_context needs an object at payload.data" in refused.inner_text()
        order.cancel()
        _wait(engine, order, "cancelled")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=orch8-instance-state]')"
            "?.dataset.state === 'cancelled'", timeout=TIMEOUT_MS)  # fmt: skip

        page.goto(f"{server.url}/dashboard#/instances/00000000-0000-0000-0000-000000000000")
        page.reload()  # the key is kept for the tab
        page.get_by_role("alert").filter(has_text="not found").wait_for(timeout=TIMEOUT_MS)
    finally:
        page.close()
