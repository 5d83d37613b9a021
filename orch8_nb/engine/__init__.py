"""The engine: scheduler, evaluator, block types, handlers, lifecycle, clocks."""

from orch8_nb.engine.catalog import OldVersionWarning, UnregisteredHandlerWarning
from orch8_nb.engine.clock import Clock, RealClock, VirtualClock
from orch8_nb.engine.core import AsyncEngine
from orch8_nb.engine.facade import Engine
from orch8_nb.engine.handlers import AwaitApproval, FailStep, RetryStep, StepContext
from orch8_nb.engine.instance import Instance
from orch8_nb.engine.migration.plan import InstanceMigration
from orch8_nb.engine.migration.preview import MigrationPlan
from orch8_nb.engine.session import Session

__all__ = [
    "AsyncEngine",
    "AwaitApproval",
    "Clock",
    "Engine",
    "FailStep",
    "Instance",
    "InstanceMigration",
    "MigrationPlan",
    "OldVersionWarning",
    "RealClock",
    "RetryStep",
    "Session",
    "StepContext",
    "UnregisteredHandlerWarning",
    "VirtualClock",
]
