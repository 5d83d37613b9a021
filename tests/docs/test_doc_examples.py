"""Every Python example in the user docs runs as written and prints what it says it prints
(its closing ``# `` comment lines): docs that rot mislead users."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)

EXAMPLES = [
    pytest.param(code, id=f"{doc.name}#{i}")
    for doc in sorted(DOCS.glob("*.md"))
    for i, code in enumerate(BLOCK.findall(doc.read_text()))
]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    expected = printed(code)
    if expected:
        # Whitespace (wrapping) is free and "..." stands for anything (ids, long values).
        want = " ".join(" ".join(expected).split())
        got = " ".join(done.stdout.split())
        pattern = ".*?".join(re.escape(part) for part in want.split("..."))
        assert re.fullmatch(pattern, got, re.S), (want, got)


def printed(code: str) -> list[str]:
    """What an example says it prints: its closing run of ``# `` comment lines (a bare
    ``#`` line ends the run, so a note can stand above it)."""
    lines = code.rstrip().splitlines()
    tail: list[str] = []
    while lines and lines[-1].startswith("# "):
        tail.insert(0, lines.pop()[2:])
    return tail
