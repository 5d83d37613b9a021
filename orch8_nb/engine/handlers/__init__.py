"""Handler registry, the context handlers receive, and the built-in handlers."""

from orch8_nb.engine.handlers.context import InstanceState, StepContext
from orch8_nb.engine.handlers.outcomes import AwaitApproval, FailStep, RetryStep, StepError
from orch8_nb.engine.handlers.registry import Handler, HandlerRegistry

__all__ = [
    "AwaitApproval",
    "FailStep",
    "Handler",
    "HandlerRegistry",
    "InstanceState",
    "RetryStep",
    "StepContext",
    "StepError",
]
