"""What running a contract case or suite reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CaseResult:
    """One case: passed or not, why not, and what the run took."""

    name: str
    passed: bool
    #: One readable line per unmet expectation (empty when the case passed).
    failures: list[str]
    #: Virtual time the case took, in ms.
    logical_ms: int
    #: Scheduler passes (``tick_once``) the case took.
    ticks: int
    #: Real time the case took, in seconds.
    duration_s: float
    #: The instance's state at the end (``None`` if it never started).
    final_state: str | None = None
    #: Blocks that ran (completed or failed), in the order they first ran.
    traversed: list[str] = field(default_factory=list)
    #: Calls per handler name (every attempt counts).
    calls: dict[str, int] = field(default_factory=dict)

    def report(self) -> str:
        """A few lines for terminals: the verdict, the failures, what ran."""
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"contract case {self.name!r} {verdict}"]
        lines += [f"  - {f}" for f in self.failures]
        ran = ", ".join(self.traversed) or "nothing"
        ticks = f"{self.ticks} tick" + ("" if self.ticks == 1 else "s")
        lines.append(
            f"  final state: {self.final_state or 'not started'}; ran: {ran}; "
            f"{ticks}, {self.logical_ms} ms of virtual time"
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class SuiteResult:
    """Every case of one suite, in file order."""

    path: Path | None
    cases: list[CaseResult]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]
