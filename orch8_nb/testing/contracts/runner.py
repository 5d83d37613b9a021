"""Running contract cases, each on a fresh in-memory engine under virtual time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from orch8_nb.engine import Engine, Instance, VirtualClock
from orch8_nb.engine.clock import perf_counter
from orch8_nb.errors import Orch8Error
from orch8_nb.model import NodeState, SequenceDefinition
from orch8_nb.testing.contracts.checks import Observed, check_expectations, check_references
from orch8_nb.testing.contracts.driving import drive
from orch8_nb.testing.contracts.loading import SequenceSource, load_suite, resolve_sequence
from orch8_nb.testing.contracts.mocking import CallLog, build_routers
from orch8_nb.testing.contracts.model import ContractCase, ContractSuite
from orch8_nb.testing.contracts.results import CaseResult, SuiteResult

#: Every case's clock starts at 2026-01-01T00:00:00Z with this seed, so runs repeat exactly.
SEED = 0
_RAN = frozenset({NodeState.COMPLETED, NodeState.FAILED})


def run_suite(
    suite: ContractSuite,
    base_dir: str | os.PathLike[str] | None = None,
    *,
    sequence: SequenceSource | None = None,
) -> SuiteResult:
    """Run every case; ``base_dir`` anchors ``sequence_file``, ``sequence`` overrides it.

    Raises :class:`ContractError` when the sequence cannot be found or read; a case that
    does not hold is reported in its :class:`CaseResult`, not raised.
    """
    seq = resolve_sequence(suite, base_dir, sequence)
    results = [run_case(suite, case, sequence=seq) for case in suite.cases]
    return SuiteResult(suite.source, results)


def run_contract_file(path: str | os.PathLike[str]) -> SuiteResult:
    """Load the suite in ``path`` and run it."""
    return run_suite(load_suite(Path(path)))


def run_case(
    suite: ContractSuite,
    case: ContractCase | str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    sequence: SequenceSource | None = None,
) -> CaseResult:
    """Run one case (given as itself or by name) of ``suite`` on a fresh engine."""
    if isinstance(case, str):
        case = suite.case(case)
    seq = resolve_sequence(suite, base_dir, sequence)
    started = perf_counter()
    clock = VirtualClock(seed=SEED)
    engine = Engine("sqlite://:memory:", clock=clock, autostart=False)
    try:
        failures = check_references(case, seq)
        routers, log = build_routers(case, seq, suite.unmocked_handlers, engine.aio.registry)
        for router in routers:
            engine.handler(router.name)(router)
        inst, problem = _start(engine, seq, case)
        if inst is None:
            return CaseResult(case.name, False, [*failures, problem], 0, 0,
                              perf_counter() - started)  # fmt: skip
        run = drive(engine, inst, case, clock)
        seen = _observe(inst, log)
        failures += run.failures + check_expectations(case, seen)
        return CaseResult(
            case.name,
            not failures,
            failures,
            run.logical_ms,
            run.ticks,
            perf_counter() - started,
            seen.state,
            seen.traversed,
            {r.name: log.calls.get(r.name, 0) for r in routers},
        )
    finally:
        engine.shutdown(timeout=2)


def _start(
    engine: Engine, seq: SequenceDefinition, case: ContractCase
) -> tuple[Instance | None, str]:
    try:
        registered = engine.upsert_sequence(seq)
    except Orch8Error as exc:
        return None, f"the sequence cannot run: {exc}"
    context: dict[str, Any] = {"data": case.input or {}}
    if case.config is not None:
        context["config"] = case.config
    try:
        return engine.create_instance(registered, context=context), ""
    except Orch8Error as exc:
        return None, f"the instance could not start: {exc}"


def _observe(inst: Instance, log: CallLog) -> Observed:
    tree = inst.tree()
    rows = inst.output_rows()
    ran = {n.block_id for n in tree if n.state in _RAN}
    order: list[str] = []
    for block_id in [r.block_id for r in rows] + [n.block_id for n in tree]:
        if block_id in ran and block_id not in order:
            order.append(block_id)
    snap = inst.snapshot()
    error = snap.metadata.get("_error")
    return Observed(
        state=str(snap.state),
        traversed=order,
        outputs=inst.outputs,
        data=snap.context.model_dump(mode="json").get("data", {}),
        error=error if isinstance(error, dict) else None,
        calls=dict(log.calls),
        unmocked=list(log.unmocked),
    )
