"""orch8-nb: a durable workflow engine that lives inside a Jupyter kernel.

Everything listed in ``__all__`` is the public API; all other modules are internal and
may change without notice.
"""

from typing import TYPE_CHECKING, Any

# Importing orch8_nb.agents installs engine.llm and the llm_call / tool_call / agent handlers.
from orch8_nb.agents import ProviderError, ScriptedProvider, react_sequence
from orch8_nb.dsl import (
    ab_split,
    cancellation_scope,
    for_each,
    human_input,
    loop,
    parallel,
    race,
    retry,
    route,
    router,
    saga,
    saga_step,
    sequence,
    step,
    sub_sequence,
    try_catch,
    variant,
)
from orch8_nb.engine import (
    AsyncEngine,
    AwaitApproval,
    Engine,
    FailStep,
    Instance,
    InstanceMigration,
    MigrationPlan,
    OldVersionWarning,
    RealClock,
    RetryStep,
    Session,
    StepContext,
    UnregisteredHandlerWarning,
    VirtualClock,
)
from orch8_nb.errors import (
    ConflictError,
    ExpressionError,
    InputValidationError,
    InstanceValidationError,
    InvalidTransitionError,
    NotFoundError,
    Orch8Error,
    Problem,
    SequenceValidationError,
    SignalValidationError,
    StorageError,
    UnsupportedFeatureError,
)
from orch8_nb.model import SequenceDefinition, sequence_json_schema

if TYPE_CHECKING:
    from orch8_nb.widgets import ExecutionTree, InstancesTable, SequenceEditor, Timeline

__version__ = "0.1.0.dev0"

#: Imported on first use: the widgets pull in ipywidgets, which scripts and the CLI never need.
_WIDGETS = frozenset({"ExecutionTree", "InstancesTable", "SequenceEditor", "Timeline"})


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from orch8_nb import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'orch8_nb' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _WIDGETS)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where Jupyter finds the prebuilt JupyterLab extension (inside this package)."""
    return [{"src": "labextension", "dest": "orch8-nb"}]


__all__ = [
    "AsyncEngine",
    "AwaitApproval",
    "ConflictError",
    "Engine",
    "ExecutionTree",
    "ExpressionError",
    "FailStep",
    "InputValidationError",
    "Instance",
    "InstanceMigration",
    "InstanceValidationError",
    "InstancesTable",
    "InvalidTransitionError",
    "MigrationPlan",
    "NotFoundError",
    "OldVersionWarning",
    "Orch8Error",
    "Problem",
    "ProviderError",
    "RealClock",
    "RetryStep",
    "ScriptedProvider",
    "SequenceDefinition",
    "SequenceEditor",
    "SequenceValidationError",
    "Session",
    "SignalValidationError",
    "StepContext",
    "StorageError",
    "Timeline",
    "UnregisteredHandlerWarning",
    "UnsupportedFeatureError",
    "VirtualClock",
    "__version__",
    "ab_split",
    "cancellation_scope",
    "for_each",
    "human_input",
    "loop",
    "parallel",
    "race",
    "react_sequence",
    "retry",
    "route",
    "router",
    "saga",
    "saga_step",
    "sequence",
    "sequence_json_schema",
    "step",
    "sub_sequence",
    "try_catch",
    "variant",
]
