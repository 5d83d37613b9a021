"""The notebook-facing migration plan: a preview table, and ``apply()``."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orch8_nb.engine.migration.plan import InstanceMigration
from orch8_nb.model import SequenceDefinition

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine

_COLUMNS = ("instance", "state", "move", "verdict", "cursor", "added", "skipped", "removed",
            "changed")  # fmt: skip


class MigrationPlan:
    """What moving instances to ``target`` would do; nothing has changed yet.

    ``items`` holds one :class:`InstanceMigration` per instance (``can_move``, ``reason``,
    ``cursor``, ``kept``, ``added``, ``skipped``, ``removed``, ``changed``, ``data``).
    :meth:`apply` moves the instances that can move and returns the outcome as a new plan
    whose refused items say why (an instance may have moved on since the preview).
    """

    def __init__(
        self,
        engine: Engine,
        target: SequenceDefinition,
        items: list[InstanceMigration],
        transform: Sequence[Mapping[str, Any]] | None,
        *,
        applied: bool = False,
    ) -> None:
        self.engine = engine
        self.target = target
        self.items = items
        self.transform = transform
        self.applied = applied

    @property
    def movable(self) -> list[InstanceMigration]:
        return [i for i in self.items if i.can_move]

    @property
    def refused(self) -> list[InstanceMigration]:
        return [i for i in self.items if not i.can_move]

    def apply(self) -> MigrationPlan:
        """Move every instance that can move, each in one commit with a ``migrated`` audit row."""
        if self.applied:
            raise RuntimeError("this plan has been applied already; plan again to move more")
        ids = [i.instance_id for i in self.movable]
        core = self.engine.aio
        moved = self.engine._thread.call(core.migrator.apply(ids, self.target, self.transform))
        return MigrationPlan(self.engine, self.target, moved + self.refused, self.transform,
                             applied=True)  # fmt: skip

    def rows(self) -> list[dict[str, str]]:
        """One row of text per instance (what the table shows)."""
        return [self._row(item) for item in self.items]

    def _row(self, item: InstanceMigration) -> dict[str, str]:
        done = "moved" if self.applied else "can move"
        return {
            "instance": "…" + item.instance_id[-8:],
            "state": item.state,
            "move": f"v{item.from_version} → v{item.to_version}",
            "verdict": done if item.can_move else f"refused: {item.reason}",
            "cursor": ", ".join(item.cursor) or "-",
            "added": ", ".join(item.added) or "-",
            "skipped": ", ".join(item.skipped) or "-",
            "removed": ", ".join(item.removed) or "-",
            "changed": ", ".join(item.changed) or "-",
        }

    def _title(self) -> str:
        what = "applied" if self.applied else "preview"
        n, ok = len(self.items), len(self.movable)
        verb = "moved" if self.applied else "can move"
        return (
            f"migration to {self.target.name} v{self.target.version} ({what}): {ok} of {n} {verb}"
        )

    def __repr__(self) -> str:
        rows = self.rows()
        widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in _COLUMNS}
        lines = [self._title(), "  ".join(c.ljust(widths[c]) for c in _COLUMNS).rstrip()]
        lines += ["  ".join(r[c].ljust(widths[c]) for c in _COLUMNS).rstrip() for r in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{c}</th>" for c in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in _COLUMNS) + "</tr>"
            for r in self.rows()
        )
        return (
            f"<div class='o8nb-migration'><b>{html.escape(self._title())}</b>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )
