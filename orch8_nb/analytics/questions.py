"""The ready-made questions, each one SQL over the views and a chart of the answer."""

from __future__ import annotations

import re
from typing import Any

from orch8_nb.analytics import charts
from orch8_nb.analytics.answer import Answer
from orch8_nb.analytics.stats import mean_difference, proportion_difference

STEP_KEYS = {"handler": "handler", "block": "block_id", "block_id": "block_id"}
SPEND_KEYS = ("block_id", "model", "provider", "variant", "purpose", "handler")
_EVERY = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def answer(duck: Any, title: str, query: str, params: list[Any] | None = None,
           chart: dict[str, Any] | None = None) -> Answer:  # fmt: skip
    relation = duck.sql(query, params=params) if params else duck.sql(query)
    return Answer(title, list(relation.columns), relation.fetchall(), chart, relation)


def step_latency(duck: Any, by: str = "handler") -> Answer:
    key = _choice("by", by, STEP_KEYS)
    return answer(
        duck,
        f"Step latency by {key} (ms)",
        f"""SELECT {key}, count(*) AS attempts,
                   round(quantile_cont(duration_ms, 0.5), 3) AS p50_ms,
                   round(quantile_cont(duration_ms, 0.95), 3) AS p95_ms,
                   round(quantile_cont(duration_ms, 0.99), 3) AS p99_ms,
                   round(max(duration_ms), 3) AS max_ms
            FROM steps WHERE outcome <> 'cached' AND duration_ms IS NOT NULL
            GROUP BY {key} ORDER BY p95_ms DESC, {key}""",
        chart=charts.ranged_bars(key, "p50_ms", "p50_ms", "p95_ms", "ms"),
    )


def hot_spots(duck: Any, by: str = "block") -> Answer:
    key = _choice("by", by, STEP_KEYS)
    return answer(
        duck,
        f"Retries and failures by {key}",
        f"""SELECT {key}, count(*) AS attempts,
                   count(*) FILTER (WHERE outcome IN ('completed', 'cached')) AS completed,
                   count(*) FILTER (WHERE outcome = 'retrying') AS retries,
                   count(*) FILTER (WHERE outcome = 'failed') AS failures,
                   round(count(*) FILTER (WHERE outcome = 'failed') / count(*), 4)
                       AS failure_rate,
                   mode(error_class) FILTER (WHERE error_class IS NOT NULL) AS top_error
            FROM steps GROUP BY {key}
            HAVING count(*) FILTER (WHERE outcome IN ('retrying', 'failed')) > 0
            ORDER BY failures + retries DESC, {key}""",
        chart=charts.stacked_outcomes(
            key, {"completed": "completed", "retries": "retrying", "failures": "failed"}
        ),
    )


def throughput(duck: Any, every: str = "1m") -> Answer:
    interval = _interval(every)
    return answer(
        duck,
        f"Instances finished per {every.strip()}",
        f"""SELECT time_bucket(INTERVAL '{interval}', make_timestamp(created_at * 1000)) AS period,
                   to_state AS outcome, count(*) AS instances
            FROM transitions WHERE to_state IN ('completed', 'failed', 'cancelled')
            GROUP BY ALL ORDER BY period, outcome""",
        chart=charts.timeline("period", "instances", "outcome"),
    )


def slowest_instances(duck: Any, limit: int = 10) -> Answer:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive whole number, got {limit!r}")
    return answer(
        duck,
        f"The {limit} slowest finished instances",
        """SELECT i.id, i.sequence_name, i.version, i.state, i.duration_ms,
                  count(s.seq) AS attempts,
                  count(s.seq) FILTER (WHERE s.outcome = 'retrying') AS retries,
                  coalesce(sum(s.cost_microunits), 0) AS cost_microunits
           FROM instances i LEFT JOIN steps s ON s.instance_id = i.id
           WHERE i.finished_at IS NOT NULL
           GROUP BY ALL ORDER BY i.duration_ms DESC, i.id LIMIT ?""",
        [limit],
        chart=charts.bars("id", "duration_ms", "duration (ms)", colour="sequence_name"),
    )


def llm_spend(duck: Any, by: tuple[str, ...] | list[str] | str = ("block_id", "model")) -> Answer:
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        _choice("by", key, {k: k for k in SPEND_KEYS})
    if not keys:
        raise ValueError(f"by must name at least one of {', '.join(SPEND_KEYS)}")
    cols = ", ".join(f"c.{k}" if k != "variant" else "a.variant" for k in keys)
    # Joined only when grouped by: an instance in two splits would count its calls twice.
    variant_join = "LEFT JOIN ab_assignments a ON a.instance_id = c.instance_id"
    handler_join = (
        "LEFT JOIN (SELECT DISTINCT instance_id, block_id, handler FROM steps) h "
        "ON h.instance_id = c.instance_id AND h.block_id = c.block_id"
    )
    cols = cols.replace("c.handler", "h.handler")
    label = " / ".join(keys)
    result = answer(
        duck,
        f"LLM spend by {label}",
        f"""SELECT {cols}, count(*) AS calls,
                   count(*) FILTER (WHERE c.cached) AS replayed,
                   sum(c.input_tokens) AS input_tokens, sum(c.output_tokens) AS output_tokens,
                   sum(c.total_tokens) AS total_tokens,
                   sum(c.cost_microunits) AS cost_microunits,
                   round(avg(c.latency_ms) FILTER (WHERE NOT c.cached), 3) AS mean_latency_ms
            FROM llm_calls c
            {variant_join if "variant" in keys else ""}
            {handler_join if "handler" in keys else ""}
            WHERE c.ok GROUP BY ALL ORDER BY cost_microunits DESC, total_tokens DESC""",
        chart=charts.bars(keys[0], "cost_microunits", "cost (µ$)",
                          colour=keys[1] if len(keys) > 1 else None),
    )  # fmt: skip
    return result


def ab_outcomes(duck: Any, split: str | None, *, with_metric: bool = False) -> Answer:
    """Per variant of ``split``: runs, completion rate, duration, tokens, cost and, with
    ``with_metric``, the mean of the temp table ``metric``; the notes compare each variant
    with the first one."""
    split = _split(duck, split)
    metric_sql = ""
    if with_metric:
        metric_sql = ", round(avg(m.value), 4) AS mean_metric, var_samp(m.value) AS var_metric"
    rel = duck.sql(
        f"""WITH spent AS (
                SELECT instance_id, sum(total_tokens) AS tokens, sum(cost_microunits) AS cost
                FROM steps GROUP BY instance_id)
            SELECT a.variant, count(*) AS instances,
                   count(*) FILTER (WHERE i.state = 'completed') AS completed,
                   round(count(*) FILTER (WHERE i.state = 'completed') / count(*), 4)
                       AS completion_rate,
                   round(avg(i.duration_ms), 3) AS mean_duration_ms,
                   var_samp(i.duration_ms) AS var_duration,
                   round(avg(coalesce(sp.tokens, 0)), 3) AS mean_tokens,
                   round(avg(coalesce(sp.cost, 0)), 3) AS mean_cost_microunits,
                   var_samp(coalesce(sp.cost, 0)) AS var_cost,
                   count(i.duration_ms) AS finished
                   {metric_sql}
            FROM ab_assignments a
            JOIN instances i ON i.id = a.instance_id
            LEFT JOIN spent sp ON sp.instance_id = a.instance_id
            {"LEFT JOIN metric m ON m.instance_id = a.instance_id" if metric_sql else ""}
            WHERE a.split = ?
            GROUP BY a.variant ORDER BY min(a.variant_index), a.variant""",
        params=[split],
    )
    rows = rel.fetchall()
    cols = list(rel.columns)
    shown = [c for c in cols if not c.startswith("var_") and c != "finished"]
    result = Answer(
        f"A/B outcomes of {split!r}",
        shown,
        [tuple(r[cols.index(c)] for c in shown) for r in rows],
        charts.variant_panels(
            ["completion_rate", "mean_duration_ms", "mean_cost_microunits"]
            + (["mean_metric"] if metric_sql else [])
        ),
        rel,
    )
    result.notes = _differences([dict(zip(cols, r, strict=True)) for r in rows], bool(metric_sql))
    return result


def _differences(rows: list[dict[str, Any]], with_metric: bool) -> list[str]:
    if len(rows) < 2:
        return []
    base = rows[0]
    notes = []
    for other in rows[1:]:
        parts = []
        rate = proportion_difference(base["completed"], base["instances"],
                                     other["completed"], other["instances"])  # fmt: skip
        measures = [("completion rate", rate, "")]
        measures.append(
            (
                "duration",
                mean_difference(
                    base["mean_duration_ms"],
                    base["var_duration"],
                    base["finished"],
                    other["mean_duration_ms"],
                    other["var_duration"],
                    other["finished"],
                ),
                " ms",
            )
        )
        measures.append(
            (
                "cost",
                mean_difference(
                    base["mean_cost_microunits"],
                    base["var_cost"],
                    base["instances"],
                    other["mean_cost_microunits"],
                    other["var_cost"],
                    other["instances"],
                ),
                " µ$",
            )
        )
        if with_metric:
            measures.append(
                (
                    "metric",
                    mean_difference(
                        base["mean_metric"],
                        base["var_metric"],
                        base["instances"],
                        other["mean_metric"],
                        other["var_metric"],
                        other["instances"],
                    ),
                    "",
                )
            )
        for name, interval, unit in measures:
            if interval is not None:
                mark = " *" if interval.excludes_zero else ""
                parts.append(f"{name} {interval.text(unit)}{mark}")
        if parts:
            notes.append(f"{other['variant']} - {base['variant']}: " + "; ".join(parts))
    if notes:
        notes.append("* the 95% interval excludes zero (normal approximation)")
    return notes  # fmt: skip


def _split(duck: Any, split: str | None) -> str:
    found = [r[0] for r in duck.execute(
        "SELECT DISTINCT split FROM ab_assignments ORDER BY split").fetchall()]  # fmt: skip
    if split is None:
        if len(found) == 1:
            return str(found[0])
        if not found:
            raise ValueError("no A/B split has assigned a variant yet")
        raise ValueError(f"several A/B splits ran ({', '.join(found)}): pass split=<block id>")
    if split not in found:
        raise ValueError(
            f"no variants recorded for split {split!r} (splits: {', '.join(found) or 'none'})"
        )
    return split


def _choice(name: str, value: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return allowed[value]


def _interval(every: str) -> str:
    match = _EVERY.match(every) if isinstance(every, str) else None
    if match is None:
        raise ValueError(f"every must look like '30s', '5m', '1h' or '1d', got {every!r}")
    return f"{int(match.group(1))} {_UNITS[match.group(2)]}"
