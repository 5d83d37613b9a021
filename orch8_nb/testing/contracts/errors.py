"""``ContractError``: what is wrong with a contract file, by case and JSON path.

A problem inside a case is shown with the case's name after its index, so a message reads
``cases[2] ("declined card").expect.assertions[0].op: unknown op 'equal'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from orch8_nb.errors import InputValidationError, Problem
from orch8_nb.model.paths import join_path, loc_to_path

_CASE_PATH = re.compile(r"^cases\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class ContractProblem(Problem):
    """A :class:`~orch8_nb.errors.Problem` that also names the case it is in."""

    case: str | None = None

    def __str__(self) -> str:
        path = self.path or "<root>"
        if self.case is not None:
            match = _CASE_PATH.match(path)
            if match is not None:
                end = match.end()
                path = f"{path[:end]} ({_quote(self.case)}){path[end:]}"
        return f"{path}: {self.message}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ContractError(InputValidationError):
    """A contract suite could not be read: each problem names its case and JSON path.

    ``case`` and ``path`` are those of the first problem; ``problems`` lists them all;
    ``source`` is the file, when the suite came from one.
    """

    what = "contract suite"

    def __init__(self, problems: Iterable[Problem], *, source: str | Path | None = None) -> None:
        self.source = None if source is None else str(source)
        items = tuple(problems) or (ContractProblem("", "invalid contract suite"),)
        if self.source is not None:
            self.what = f"contract suite {self.source}"
        super().__init__(items)

    @classmethod
    def at(
        cls, path: str, message: str, *, case: str | None = None, source: str | Path | None = None
    ) -> ContractError:
        """One problem at ``path`` (inside ``case``, if given)."""
        return cls([ContractProblem(path, message, case)], source=source)

    @property
    def case(self) -> str | None:
        first = self.problems[0]
        return first.case if isinstance(first, ContractProblem) else None

    @property
    def path(self) -> str:
        return self.problems[0].path


def with_cases(
    problems: Iterable[Problem], payload: Any, prefix: str = ""
) -> list[ContractProblem]:
    """Attach case names (read from the raw ``payload``) to problems under ``cases[i]``."""
    names = _case_names(payload)
    out: list[ContractProblem] = []
    for problem in problems:
        path = join_path(prefix, problem.path)
        match = _CASE_PATH.match(path)
        case = names.get(int(match.group(1))) if match else None
        out.append(ContractProblem(path, problem.message, case))
    return out


def _case_names(payload: Any) -> dict[int, str]:
    cases = payload.get("cases") if isinstance(payload, Mapping) else None
    if not isinstance(cases, Sequence) or isinstance(cases, str):
        return {}
    return {
        i: case["name"]
        for i, case in enumerate(cases)
        if isinstance(case, Mapping) and isinstance(case.get("name"), str)
    }


#: Lists of tagged unions: field name -> (tag field, tags). Pydantic puts the tag of the
#: chosen variant into error locations; users never wrote it, so paths leave it out.
Tagged = Mapping[str, tuple[str, frozenset[str]]]


def problems_from_pydantic(exc: ValidationError, tagged: Tagged) -> list[Problem]:
    """Every problem in ``exc`` with its JSON path, expanding our own nested errors."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = _drop_tags(error["loc"], tagged)
        path = loc_to_path(loc)
        ctx = error.get("ctx") or {}
        nested = ctx.get("error")
        kind = error["type"]
        if isinstance(nested, InputValidationError):
            problems.extend(Problem(join_path(path, p.path), p.message) for p in nested.problems)
        elif kind in ("union_tag_invalid", "union_tag_not_found") and len(loc) >= 2:
            field, tags = tagged.get(str(loc[-2]), ("type", frozenset()))
            expected = ", ".join(sorted(tags))
            if kind == "union_tag_invalid":
                message = f"unknown {field} {ctx.get('tag')!r}; expected one of: {expected}"
            else:
                message = f"required field is missing; expected one of: {expected}"
            problems.append(Problem(join_path(path, field), message))
        else:
            problems.append(Problem(path, _message(kind, ctx, str(error["msg"]))))
    return problems


def _drop_tags(loc: Sequence[int | str], tagged: Tagged) -> list[int | str]:
    kept: list[int | str] = []
    for i, segment in enumerate(loc):
        if isinstance(segment, str) and i >= 2 and isinstance(loc[i - 1], int):
            owner = loc[i - 2]
            if isinstance(owner, str) and segment in tagged.get(owner, ("", frozenset()))[1]:
                continue
        kept.append(segment)
    return kept


def _message(kind: str, ctx: Mapping[str, Any], default: str) -> str:
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return default
