"""``orch8-nb init``: writes three runnable files, never overwrites without --force."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import nbformat

from orch8_nb.cli.config import EngineConfig, read_config
from orch8_nb.cli.templates import SEQUENCE
from orch8_nb.model import SequenceDefinition

FILES = ("orch8.toml", "sequence.json", "hello.ipynb")


def test_init_writes_the_three_files_into_a_new_folder(cli, project: Path) -> None:
    result = cli("init", "deep/new")
    assert result.exit_code == 0, result.output
    folder = project / "deep" / "new"
    for name in FILES:
        assert (folder / name).is_file()
        assert f"created {Path('deep/new') / name}" in result.output
    assert "cd deep/new" in result.output
    assert "orch8-nb run sequence.json" in result.output


def test_init_files_are_valid(cli, project: Path) -> None:
    assert cli("init").exit_code == 0
    config = read_config(project / "orch8.toml")
    assert config == EngineConfig()  # the template spells out every default
    assert set(tomllib.loads((project / "orch8.toml").read_text())["engine"]) == set(
        EngineConfig.__dataclass_fields__
    )
    definition = SequenceDefinition.from_json((project / "sequence.json").read_text())
    assert {ref.block.type for ref in definition.iter_blocks()} == {"step"}
    assert json.loads((project / "sequence.json").read_text()) == SEQUENCE
    nb = nbformat.read(project / "hello.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.nbformat_minor == 5
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert any("parameters" in c.metadata.get("tags", []) for c in code)
    assert any("o8.Engine()" in c.source for c in code)


def test_init_twice_keeps_every_file(cli, project: Path) -> None:
    assert cli("init").exit_code == 0
    (project / "sequence.json").write_text("my own", encoding="utf-8")
    result = cli("init")
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert f"kept existing {name}" in result.output
    assert (project / "sequence.json").read_text() == "my own"


def test_init_force_overwrites(cli, project: Path) -> None:
    (project / "orch8.toml").write_text("junk", encoding="utf-8")
    result = cli("init", "--force")
    assert result.exit_code == 0, result.output
    assert "overwrote orch8.toml" in result.output
    assert "created sequence.json" in result.output
    assert read_config(project / "orch8.toml") == EngineConfig()


def test_init_into_a_file_is_refused(cli, project: Path) -> None:
    (project / "taken").write_text("", encoding="utf-8")
    result = cli("init", "taken")
    assert result.exit_code == 2
    assert "error: taken: exists and is not a folder" in result.output
    assert "Traceback" not in result.output
