"""The public surface is exactly what ``orch8_nb.__all__`` lists (changes are deliberate)."""

from __future__ import annotations

import orch8_nb

EXPECTED = {
    "AsyncEngine", "ConflictError", "Engine", "ExecutionTree", "ExpressionError", "FailStep",
    "InputValidationError", "Instance", "InstanceMigration", "InstanceValidationError",
    "InstancesTable", "InvalidTransitionError", "MigrationPlan", "NotFoundError",
    "OldVersionWarning", "Orch8Error", "Problem", "RealClock", "RetryStep", "SequenceDefinition",
    "SequenceEditor", "SequenceValidationError", "Session", "SignalValidationError",
    "StepContext", "StorageError", "Timeline", "UnregisteredHandlerWarning",
    "UnsupportedFeatureError", "VirtualClock", "__version__",
    "ab_split", "cancellation_scope", "for_each", "human_input", "loop", "parallel", "race",
    "retry", "route", "router", "saga", "saga_step", "sequence", "sequence_json_schema", "step",
    "sub_sequence", "try_catch", "variant",
    # LLM agents (orch8_nb.agents)
    "AwaitApproval", "ProviderError", "ScriptedProvider", "react_sequence",
}  # fmt: skip


def test_exported_names_are_pinned() -> None:
    assert set(orch8_nb.__all__) == EXPECTED
    assert len(orch8_nb.__all__) == len(EXPECTED)


def test_every_exported_name_resolves() -> None:
    for name in orch8_nb.__all__:
        assert getattr(orch8_nb, name) is not None


def test_widgets_load_on_first_use() -> None:
    """``import orch8_nb`` stays free of ipywidgets (scripts and the CLI never need it)."""
    import subprocess
    import sys

    code = (
        "import sys, orch8_nb; assert 'ipywidgets' not in sys.modules; "
        "from orch8_nb import SequenceEditor; assert 'ipywidgets' in sys.modules; "
        "assert 'Timeline' in dir(orch8_nb)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dsl_and_engine_work_together() -> None:
    from orch8_nb import Engine, VirtualClock, sequence, step

    seq = sequence("dsl", step("a", "transform", params={"n": "{{ data.n }}"}), step("b", "noop"))
    engine = Engine("sqlite://:memory:", clock=VirtualClock())
    try:
        inst = engine.run(seq, {"n": 5})
        assert inst.outputs == {"a": {"n": 5}, "b": {}}
    finally:
        engine.shutdown()
