"""``engine.analytics``: SQL and ready-made questions over the engine's history.

See ``mirror.py`` for how the DuckDB copy is made and kept current, and
``docs/analytics.md`` for the views and questions.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

from orch8_nb.analytics import questions
from orch8_nb.analytics.answer import Answer
from orch8_nb.analytics.mirror import Mirror
from orch8_nb.analytics.source import EngineThreadSource, FileSource, Source
from orch8_nb.engine.clock import perf_counter

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine

#: A first copy larger than this many audit rows reports its progress on stderr.
LOUD_ROWS = 200_000


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise ImportError(
            "engine.analytics needs DuckDB: pip install 'orch8-nb[analytics]'"
        ) from None
    return duckdb


class Analytics:
    """A DuckDB connection over this engine's instances, steps, transitions, signals and
    A/B assignments. Every question (and :meth:`sql`, unless ``refresh=False``) first
    copies what was committed since the last one, so answers follow a running engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        path = getattr(engine.aio.storage, "path", None)
        source: Source
        if isinstance(path, str) and path != ":memory:":
            source = FileSource(path)
        else:
            storage = engine.aio.storage
            source = EngineThreadSource(
                lambda fn: engine._thread.call(storage.read_snapshot(fn))  # type: ignore[attr-defined]
            )
        self._source = source
        self.connection = _duckdb().connect(":memory:")
        self._mirror = Mirror(self.connection, source)
        self._loaded = False

    # -- keeping current -------------------------------------------------------------------

    def refresh(self) -> dict[str, int]:
        """Copy what changed since the last refresh; returns rows copied per table."""
        with self._lock:
            started = perf_counter()
            copied = self._mirror.refresh()
            if not self._loaded and copied.get("audit", 0) > LOUD_ROWS:
                print(
                    f"orch8-nb analytics: copied {copied['audit']:,} audit rows and "
                    f"{copied.get('instances', 0):,} instances in "
                    f"{perf_counter() - started:.1f} s",
                    file=sys.stderr,
                )
            self._loaded = True
            return copied

    def sql(self, query: str, params: list[Any] | None = None, *, refresh: bool = True) -> Any:
        """A DuckDB relation over the views (``instances``, ``steps``, ``transitions``,
        ``signals``, ``ab_assignments``, ``llm_calls``, ``audit``): ``.fetchall()``,
        ``.df()`` (pandas), ``.pl()`` (polars) and everything else DuckDB offers."""
        with self._lock:
            if refresh:
                self.refresh()
            return (
                self.connection.sql(query, params=params) if params else self.connection.sql(query)
            )

    # -- ready-made questions --------------------------------------------------------------

    def step_latency(self, by: str = "handler") -> Answer:
        """p50 / p95 / p99 attempt duration per ``handler`` or ``block``."""
        return self._ask(questions.step_latency, by)

    def hot_spots(self, by: str = "block") -> Answer:
        """Where attempts retry and fail, with the most common error class."""
        return self._ask(questions.hot_spots, by)

    def throughput(self, every: str = "1m") -> Answer:
        """Instances finished (completed, failed, cancelled) per period (``30s``, ``5m``...)."""
        return self._ask(questions.throughput, every)

    def slowest_instances(self, limit: int = 10) -> Answer:
        """The finished instances that took longest, with their attempts, retries and cost."""
        return self._ask(questions.slowest_instances, limit)

    def llm_spend(self, by: tuple[str, ...] | list[str] | str = ("block_id", "model")) -> Answer:
        """Model calls, tokens and cost by ``block_id``, ``model``, ``provider``,
        ``variant``, ``purpose`` or ``handler`` (any of them together)."""
        return self._ask(questions.llm_spend, by)

    def ab_outcomes(self, split: str | None = None, *, metric: str | None = None) -> Answer:
        """Per variant of the A/B split ``split`` (a block id; optional when only one split
        ran): runs, completion rate, mean duration, tokens and cost, and ``metric`` (a
        number in an output, ``"<block id>.<key>.<key>"``), with 95% intervals for each
        variant's difference from the first."""
        with self._lock:
            self.refresh()
            if metric is not None:
                block, _, rest = metric.partition(".")
                if not block or not rest:
                    raise ValueError(
                        f"metric must be '<block id>.<path>' (like 'score.value'), got {metric!r}"
                    )
                self._mirror.load_metric(block, rest.split("."))
            answer = questions.ab_outcomes(self.connection, split, with_metric=metric is not None)
            if metric is not None:
                answer.title += f", metric {metric}"
            return answer

    def _ask(self, question: Any, *args: Any) -> Answer:
        with self._lock:
            self.refresh()
            result: Answer = question(self.connection, *args)
            return result

    def close(self) -> None:
        with self._lock:
            self.connection.close()
            self._source.close()

    def __repr__(self) -> str:
        copied = self._mirror.cursors.rows_copied
        return (f"<engine.analytics: DuckDB copy of {copied.get('audit', 0):,} audit rows, "
                f"{copied.get('instances', 0):,} instance updates>")  # fmt: skip
