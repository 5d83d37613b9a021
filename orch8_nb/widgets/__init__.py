"""Notebook widgets (anywidget): the sequence editor, the live execution tree, the
instances table and the run timeline. One front-end bundle serves them all; the data
they exchange with it is specified in ``docs/ui-protocol.md``.
"""

from orch8_nb.render.views import PROTOCOL
from orch8_nb.widgets._base import FrontEndMissingError
from orch8_nb.widgets.editor import SequenceEditor
from orch8_nb.widgets.table import InstancesTable
from orch8_nb.widgets.timeline import Timeline
from orch8_nb.widgets.tree import ExecutionTree

__all__ = [
    "PROTOCOL",
    "ExecutionTree",
    "FrontEndMissingError",
    "InstancesTable",
    "SequenceEditor",
    "Timeline",
]
