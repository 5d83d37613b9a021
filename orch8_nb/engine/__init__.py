"""The engine: scheduler, evaluator, block types, handlers, lifecycle, clocks."""

from orch8_nb.engine.catalog import UnregisteredHandlerWarning
from orch8_nb.engine.clock import Clock, RealClock, VirtualClock
from orch8_nb.engine.core import AsyncEngine
from orch8_nb.engine.facade import Engine
from orch8_nb.engine.handlers import FailStep, RetryStep, StepContext
from orch8_nb.engine.instance import Instance

__all__ = [
    "AsyncEngine",
    "Clock",
    "Engine",
    "FailStep",
    "Instance",
    "RealClock",
    "RetryStep",
    "StepContext",
    "UnregisteredHandlerWarning",
    "VirtualClock",
]
