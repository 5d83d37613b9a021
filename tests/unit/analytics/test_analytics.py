"""``engine.analytics`` on known data: every view and every question, with exact numbers,
on each storage backend (a file is read through its own read-only connection, an
in-memory database on the engine's thread)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.engine.blocks.ab_split import pick_variant
from orch8_nb.storage.rows import AuditRow

MINUTE = 60_000


@pytest.fixture
def engine(make_engine: Callable[..., Engine], backend: str) -> Engine:
    return make_engine(backend, autostart=False)


def add_attempts(
    engine: Engine, handler: str, durations: list[float], outcome: str = "completed"
) -> None:
    """Audit rows of step attempts with known durations (as the engine writes them)."""
    clock = engine.clock
    rows = [
        AuditRow(clock.uuid(), None, "default", "step_attempt", None, None, "b",
                 {"handler": handler, "attempt": 0, "outcome": outcome, "started_at": 0,
                  "duration_ms": d}, clock.now_ms())
        for d in durations
    ]  # fmt: skip
    engine._thread.call(engine.aio.storage.append_audit(rows))


def test_step_latency_percentiles_by_handler(engine: Engine) -> None:
    add_attempts(engine, "fast", [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    add_attempts(engine, "slow", [1000, 3000])
    add_attempts(engine, "slow", [5], outcome="cached")  # replayed: no latency to speak of
    answer = engine.analytics.step_latency()
    assert answer.columns == ["handler", "attempts", "p50_ms", "p95_ms", "p99_ms", "max_ms"]
    assert answer.rows == [("slow", 2, 2000.0, 2900.0, 2980.0, 3000.0),
                           ("fast", 10, 55.0, 95.5, 99.1, 100.0)]  # fmt: skip
    text = answer.text().splitlines()
    assert text[0] == "Step latency by handler (ms)" and text[3].split()[:3] == [
        "slow",
        "2",
        "2,000.0",
    ]
    spec = answer.vega_lite()
    assert spec is not None and spec["data"]["values"][1]["p95_ms"] == 95.5
    bundle = answer._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "application/vnd.vegalite.v5+json"}
    html = answer.html()
    assert html.startswith('<table class="orch8-answer"><thead><tr><th>handler</th>')
    assert "<td>2,000.0</td>" in html


FLAKY_SEQ = o8.sequence(
    "flaky",
    o8.step("ok", "noop"),
    o8.step("wobbly", "wobbly", retry=o8.retry(3, "1s")),
    o8.step("broken", "broken"),
)


def register(engine: Engine) -> None:
    @engine.handler("wobbly")
    def wobbly(ctx: o8.StepContext) -> dict[str, Any]:
        if ctx.attempt < 2:
            raise o8.RetryStep("not yet")
        return {"usage": {"prompt_tokens": 100, "completion_tokens": 20, "cost_microunits": 50}}

    @engine.handler("broken")
    def broken(ctx: o8.StepContext) -> None:
        raise KeyError("missing")


def test_views_hold_instances_steps_transitions_and_signals(engine: Engine) -> None:
    register(engine)
    insts = [engine.create_instance(FLAKY_SEQ) for _ in range(3)]
    insts[0].signal({"custom": "nudge"}, {"why": "test"})
    engine.run_until_idle()
    a = engine.analytics
    states = a.sql("SELECT id, sequence_name, version, state FROM instances ORDER BY id").fetchall()
    assert states == sorted((i.id, "flaky", 1, "failed") for i in insts)
    steps = a.sql(
        "SELECT block_id, handler, outcome, count(*), sum(total_tokens), sum(cost_microunits) "
        "FROM steps GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert steps == [
        ("broken", "broken", "failed", 3, None, None),
        ("ok", "noop", "completed", 3, None, None),
        ("wobbly", "wobbly", "completed", 3, 360, 150),
        ("wobbly", "wobbly", "retrying", 6, None, None),
    ]
    errors = a.sql("SELECT DISTINCT error_class FROM steps WHERE outcome = 'failed'").fetchall()
    assert errors == [("KeyError",)]
    moves = a.sql("SELECT from_state, to_state, count(*) FROM transitions GROUP BY ALL "
                  "ORDER BY ALL").fetchall()  # fmt: skip
    engine_moves = Counter(
        (e.from_state, e.to_state) for i in insts for e in i.audit()
        if e.event_type == "state_transition"
    )  # fmt: skip
    assert {(f, t): n for f, t, n in moves} == dict(engine_moves)
    [signal] = a.sql("SELECT instance_id, signal_type, payload->>'why', delivered FROM signals "
                     "WHERE signal_type LIKE 'custom:%'").fetchall()  # fmt: skip
    [stored] = engine._thread.call(engine.aio.storage.get_signals(insts[0].id))
    assert signal == (insts[0].id, "custom:nudge", "test", stored.delivered)


def test_hot_spots_count_retries_and_failures(engine: Engine) -> None:
    register(engine)
    for _ in range(4):
        engine.create_instance(FLAKY_SEQ)
    engine.run_until_idle()
    answer = engine.analytics.hot_spots()
    assert answer.records() == [
        {"block_id": "wobbly", "attempts": 12, "completed": 4, "retries": 8, "failures": 0,
         "failure_rate": 0.0, "top_error": "handler"},
        {"block_id": "broken", "attempts": 4, "completed": 0, "retries": 0, "failures": 4,
         "failure_rate": 1.0, "top_error": "KeyError"},
    ]  # fmt: skip
    by_handler = engine.analytics.hot_spots(by="handler")
    assert by_handler.column("handler") == ["wobbly", "broken"]


def delayed(name: str, delay: str) -> Any:
    return o8.sequence(name, o8.step("wait", "noop", delay=delay))


def test_throughput_and_the_slowest_instances_on_virtual_time(engine: Engine) -> None:
    quick = [engine.create_instance(delayed("quick", "10s")) for _ in range(2)]
    slow = engine.create_instance(delayed("slow", "90s"))
    engine.run_until_idle()
    assert {i.state for i in [*quick, slow]} == {"completed"}
    answer = engine.analytics.throughput("1m")
    rows = [(str(period), outcome, n) for period, outcome, n in answer.rows]
    assert rows == [
        ("2026-01-01 00:00:00", "completed", 2),
        ("2026-01-01 00:01:00", "completed", 1),
    ]
    top = engine.analytics.slowest_instances(2)
    assert [(r["sequence_name"], r["duration_ms"]) for r in top.records()] == [
        ("slow", 90_000), ("quick", 10_000)]  # fmt: skip
    with pytest.raises(ValueError, match="every must look like"):
        engine.analytics.throughput("fortnightly")
    with pytest.raises(ValueError, match="limit must be a positive"):
        engine.analytics.slowest_instances(0)


def ab_engine(engine: Engine) -> Any:
    @engine.handler("answer")
    def answer(ctx: o8.StepContext) -> dict[str, Any]:
        cost = ctx.params["cost"]
        return {"usage": {"input_tokens": cost, "output_tokens": 0, "cost_microunits": cost},
                "score": ctx.params["score"]}  # fmt: skip

    return o8.sequence(
        "experiment",
        o8.ab_split(
            "prompt",
            o8.variant("short", 1, o8.step("reply_short", "answer",
                                           params={"cost": 10, "score": 2})),
            o8.variant("long", 1, o8.step("reply_long", "answer", delay="2s",
                                          params={"cost": 30, "score": 5})),
        ),
        o8.step("grade", "transform",
                params={"score": "{{ outputs.reply_short.score | outputs.reply_long.score }}"}),
    )  # fmt: skip


def test_ab_outcomes_per_variant_with_intervals(engine: Engine) -> None:
    seq = ab_engine(engine)
    insts = [engine.create_instance(seq) for _ in range(40)]
    engine.run_until_idle()
    chosen = Counter(pick_variant(i.id, "prompt", [1, 1]) for i in insts)
    n_short, n_long = chosen[0], chosen[1]
    assignments = engine.analytics.sql(
        "SELECT variant, count(*) FROM ab_assignments GROUP BY variant ORDER BY variant"
    ).fetchall()
    assert assignments == sorted([("long", n_long), ("short", n_short)])
    answer = engine.analytics.ab_outcomes(metric="grade.score")
    assert answer.title == "A/B outcomes of 'prompt', metric grade.score"
    assert answer.records() == [
        {"variant": "short", "instances": n_short, "completed": n_short, "completion_rate": 1.0,
         "mean_duration_ms": 0.0, "mean_tokens": 10.0, "mean_cost_microunits": 10.0,
         "mean_metric": 2.0},
        {"variant": "long", "instances": n_long, "completed": n_long, "completion_rate": 1.0,
         "mean_duration_ms": 2000.0, "mean_tokens": 30.0, "mean_cost_microunits": 30.0,
         "mean_metric": 5.0},
    ]  # fmt: skip
    assert answer.notes[0].startswith(
        "long - short: completion rate +0 (95% CI +0 to +0); "
        "duration +2e+03 ms (95% CI +2e+03 ms to +2e+03 ms) *"
    )
    spec = answer.vega_lite()
    assert spec is not None and [p["encoding"]["y"]["field"] for p in spec["hconcat"]] == [
        "completion_rate", "mean_duration_ms", "mean_cost_microunits", "mean_metric"]  # fmt: skip


def test_ab_intervals_follow_the_normal_approximation() -> None:
    from orch8_nb.analytics.stats import mean_difference, proportion_difference

    rate = proportion_difference(40, 100, 55, 100)
    assert rate is not None
    assert round(rate.estimate, 4) == 0.15
    assert (round(rate.low, 4), round(rate.high, 4)) == (0.0132, 0.2868)  # 0.15 ± 1.96·0.0698
    mean = mean_difference(10.0, 4.0, 50, 12.0, 9.0, 50)
    assert mean is not None and (round(mean.low, 4), round(mean.high, 4)) == (1.0006, 2.9994)
    assert proportion_difference(1, 1, 1, 5) is None


def test_ab_outcomes_refuse_unclear_requests(engine: Engine) -> None:
    with pytest.raises(ValueError, match="no A/B split has assigned a variant yet"):
        engine.analytics.ab_outcomes()
    seq = ab_engine(engine)
    engine.create_instance(seq)
    engine.run_until_idle()
    with pytest.raises(ValueError, match="no variants recorded for split 'nope'"):
        engine.analytics.ab_outcomes("nope")
    with pytest.raises(ValueError, match=r"metric must be '<block id>\.<path>'"):
        engine.analytics.ab_outcomes(metric="grade")


def test_llm_spend_by_block_model_and_variant(engine: Engine) -> None:
    engine.llm.script(*[{"content": "x", "usage": [100, 20]}] * 2, name="m")
    engine.llm.prices.set("tiny", input=1.0, output=5.0)
    ask = o8.sequence("ask", o8.step("ask", "llm_call", params={
        "provider": "m", "model": "tiny", "messages": "{{ data.q }}"}))  # fmt: skip
    for q in ("a", "b", "a"):  # the second "a" replays the recording
        engine.create_instance(ask, {"q": q})
    engine.run_until_idle()
    answer = engine.analytics.llm_spend()
    assert answer.records() == [
        {"block_id": "ask", "model": "tiny", "calls": 3, "replayed": 1, "input_tokens": 300,
         "output_tokens": 60, "total_tokens": 360, "cost_microunits": 600,
         "mean_latency_ms": answer.records()[0]["mean_latency_ms"]},
    ]  # fmt: skip
    by_variant = engine.analytics.llm_spend(by="variant")
    assert by_variant.rows[0][:2] == (None, 3)  # no split in this sequence
    with pytest.raises(ValueError, match="by must be one of"):
        engine.analytics.llm_spend(by="colour")


def test_refresh_copies_only_what_is_new_and_follows_state_changes(engine: Engine) -> None:
    gated = o8.sequence("gated", o8.step("ask", "noop", wait_for_input=o8.human_input("ok?")))
    inst = engine.create_instance(gated)
    engine.run_until_idle()
    a = engine.analytics
    assert a.sql("SELECT state FROM instances").fetchall() == [("waiting",)]
    first = dict(a._mirror.cursors.rows_copied)
    inst.approve("ask")
    engine.run_until_idle()
    copied = a.refresh()
    assert copied["audit"] > 0 and copied["sequences"] <= 1  # the newest is looked at again
    assert copied["audit"] < first["audit"] + 10
    assert a.sql("SELECT state FROM instances").fetchall() == [("completed",)]
    assert a.sql("SELECT delivered FROM signals").fetchall() == [(True,)]
    assert a.refresh()["audit"] == 0  # nothing new: nothing copied


def test_sql_returns_a_duckdb_relation(engine: Engine) -> None:
    engine.create_instance(o8.sequence("one", o8.step("s", "noop")))
    engine.run_until_idle()
    relation = engine.analytics.sql("SELECT handler, outcome FROM steps")
    assert relation.columns == ["handler", "outcome"]
    assert relation.fetchall() == [("noop", "completed")]
    [(details,)] = engine.analytics.sql("SELECT details FROM audit LIMIT 1").fetchall()
    assert isinstance(json.loads(details), dict)


def test_reading_a_file_never_blocks_the_engine(
    make_engine: Callable[..., Engine], tmp_path: Any
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}", autostart=False)
    engine.create_instance(o8.sequence("one", o8.step("s", "noop")))
    analytics = engine.analytics

    def read_while_the_engine_writes(conn: Any) -> tuple[int, int]:
        count = "SELECT count(*) FROM instances"
        before = conn.execute(count).fetchone()[0]
        engine.create_instance(o8.sequence("one", o8.step("s", "noop")))  # commits meanwhile
        return before, conn.execute(count).fetchone()[0]

    assert analytics._source.read(read_while_the_engine_writes) == (1, 1)  # one snapshot
    assert analytics.sql("SELECT count(*) FROM instances").fetchall() == [(2,)]


def test_without_duckdb_the_error_names_the_extra(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'orch8-nb\[analytics\]'"):
        engine.analytics  # noqa: B018 - the property does the work
