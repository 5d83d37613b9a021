"""Static HTML of the run views (what a saved notebook shows without its kernel)."""

from __future__ import annotations

import re

from orch8_nb.render.runs_html import instances_table_html, timeline_svg

ROWS = [
    {"id": "0190-aaaa", "sequence_name": "orders<v2>", "version": 2, "state": "failed",
     "created_at": 1_700_000_000_000, "updated_at": 1_700_000_000_500, "dlq": True},
    {"id": "0190-bbbb", "sequence_name": "orders", "version": 1, "state": "completed",
     "created_at": 1_700_000_000_000, "updated_at": 1_700_000_000_100, "dlq": False},
]  # fmt: skip


def test_the_table_lists_rows_without_ids_or_times() -> None:
    out = instances_table_html(ROWS)
    assert out.count("<tr>") == 3  # the header and one row per instance, in the given order
    assert out.index("orders&lt;v2&gt;") < out.index(">orders<")  # escaped, order kept
    assert "✗ failed" in out and "✓ completed" in out and out.count("DLQ") == 1
    for volatile in ("0190-aaaa", "0190-bbbb", "1700000000"):
        assert volatile not in out


def test_an_empty_table_says_so() -> None:
    assert "no instances" in instances_table_html([])


BARS = [
    {"instance": "…0000aaaa", "block_id": "fetch", "attempt": 1, "start_ms": 0,
     "end_ms": 250, "outcome": "retried"},
    {"instance": "…0000aaaa", "block_id": "fetch", "attempt": 2, "start_ms": 1250,
     "end_ms": 1500, "outcome": "completed"},
    {"instance": "…0000bbbb", "block_id": "<x>", "attempt": 1, "start_ms": 500,
     "end_ms": 2000, "outcome": "failed"},
]  # fmt: skip


def test_the_timeline_draws_a_bar_per_attempt_on_one_row_per_instance() -> None:
    out = timeline_svg(BARS)
    rects = re.findall(r'<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"', out)
    # 560 px for 2000 ms: 0.28 px per ms, after the 120 px of labels.
    assert rects == [("120.0", "0", "70.0"), ("470.0", "0", "70.0"), ("260.0", "20", "420.0")]
    assert "fetch attempt 1: retried, 250ms" in out and "&lt;x&gt; attempt 1: failed" in out
    assert "…0000aaaa" in out and "…0000bbbb" in out and ">2s</text>" in out
    assert timeline_svg(BARS) == out  # deterministic


def test_an_empty_timeline_says_so() -> None:
    assert "no attempts yet" in timeline_svg([])
