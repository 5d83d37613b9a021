"""Limits enforced when a sequence is published (Orch8 ``SequenceDefinition::validate``).

Depth counts levels of blocks: top-level blocks are level 1, so a chain of
``MAX_NESTING_DEPTH`` nested blocks is allowed and one more level is rejected.
"""

from __future__ import annotations

from typing import Final

MAX_NESTING_DEPTH: Final = 64
MIN_BRANCHES: Final = 1
MAX_BRANCHES: Final = 256
MIN_ITERATIONS: Final = 1
MAX_ITERATIONS: Final = 100_000
DEFAULT_MAX_ITERATIONS: Final = 1000
# The engine stops any loop here whatever ``max_iterations`` says.
LOOP_HARD_CAP: Final = 1_000_000
MAX_TOTAL_BLOCKS: Final = 5000  # main tree plus on_failure and on_cancel trees
MIN_AB_VARIANTS: Final = 2
MAX_HOUR: Final = 23
MAX_WEEKDAY: Final = 6  # 0 = Monday .. 6 = Sunday
MAX_SUB_SEQUENCE_DEPTH: Final = 16
MAX_CUSTOM_SIGNAL_NAME: Final = 256
MAX_CONTEXT_BYTES: Final = 262_144  # 256 KiB of compact JSON; Orch8 answers 413 beyond
MAX_CHECKPOINT_BYTES: Final = 262_144
MAX_POLL_LIMIT: Final = 1000  # worker poll ``limit``
# Durations and times are stored as signed 64-bit integers (SQLite, Postgres BIGINT).
MAX_INT64: Final = 2**63 - 1
MAX_U32: Final = 2**32 - 1
