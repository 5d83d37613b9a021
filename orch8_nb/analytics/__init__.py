"""Analytics over the engine's history with DuckDB: ``engine.analytics``.

A DuckDB copy of the audit log, instances, sequences and signals, kept current by
incremental refreshes (``mirror.py``); views for SQL; ready-made questions that return
tables with Vega-Lite charts (``questions.py``).
"""

from orch8_nb.analytics.analytics import Analytics
from orch8_nb.analytics.answer import Answer

__all__ = ["Analytics", "Answer"]
