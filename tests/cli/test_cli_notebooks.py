"""``orch8-nb notebooks run``: parameters like papermill, the failing cell's traceback."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import pytest

from orch8_nb.cli.nbrun import inject_parameters, parse_value, python_literal, strip_ansi
from orch8_nb.cli.notebooks import pair_parameters


def make_notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if parameters is not None:
        nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_markdown_cell("A note"))
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


# -- parameters, without a kernel ------------------------------------------------------------


def test_pair_parameters_takes_two_tokens() -> None:
    args = ["nb.ipynb", "-p", "a", "1", "--parameter", "b", "-x", "-o", "out.ipynb", "-p", "c"]
    assert pair_parameters(args) == [
        "nb.ipynb", "--parameter", "a\x001", "--parameter", "b\x00-x", "-o", "out.ipynb",
        "-p", "c",
    ]  # fmt: skip
    assert pair_parameters(["--", "-p", "a", "b"]) == ["--", "-p", "a", "b"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("2.5", 2.5), ("true", True), ("null", None), ('["a", 1]', ["a", 1]),
     ('{"k": false}', {"k": False}), ("Ada", "Ada"), ("hello world", "hello world"),
     ('"quoted"', "quoted")],
)  # fmt: skip
def test_values_are_json_or_text(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_python_literals() -> None:
    assert python_literal({"a": [True, None, 1.5, "x"]}) == "{'a': [True, None, 1.5, 'x']}"
    assert python_literal(math.nan) == "float('nan')"
    assert python_literal(-math.inf) == "float('-inf')"


def test_injected_cell_goes_after_the_parameters_cell_and_replaces_an_old_one(
    tmp_path: Path,
) -> None:
    nb = nbformat.read(make_notebook(tmp_path / "n.ipynb", "x", parameters="a = 1"), 4)
    assert inject_parameters(nb, {"a": 2}) == 1
    assert nb.cells[1].source.endswith("a = 2\n")
    assert nb.cells[1].metadata.tags == ["injected-parameters"]
    assert inject_parameters(nb, {"a": 3}) is None
    assert len(nb.cells) == 4 and nb.cells[1].source.endswith("a = 3\n")
    plain = nbformat.read(make_notebook(tmp_path / "m.ipynb", "x"), 4)
    assert inject_parameters(plain, {"b": "s"}) == 0
    assert plain.cells[0].source.endswith("b = 's'\n")
    nbformat.validate(plain)


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[0;31mValueError\x1b[0m: bad") == "ValueError: bad"


# -- bad input, without a kernel -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.ipynb"], "error: missing.ipynb: no such file"),
        (["broken.ipynb"], "error: broken.ipynb: not a notebook"),
        (["ok.ipynb", "-p", "x"], "error: -p x: expected two values, -p NAME VALUE"),
        (["ok.ipynb", "-p", "1x", "2"], "error: parameter name '1x' is not a Python identifier"),
        (["ok.ipynb", "-p", "class", "2"], "error: parameter name 'class' is not a Python"),
        (["ok.ipynb", "--kernel", "no-such-kernel"], "no Jupyter kernel named 'no-such-kernel'"),
    ],
)
def test_bad_input_exits_2(cli, project: Path, args: list[str], message: str) -> None:
    (project / "broken.ipynb").write_text("{", encoding="utf-8")
    make_notebook(project / "ok.ipynb", "x = 1")
    result = cli("notebooks", "run", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


# -- real kernels ----------------------------------------------------------------------------


def test_runs_with_parameters_and_writes_the_output(
    cli, project: Path, python3_kernel: str
) -> None:
    make_notebook(
        project / "nb.ipynb",
        "import pathlib\nprint(name, n + 1, tags)\npathlib.Path('seen.txt').write_text(name)",
        parameters="name = 'nobody'\nn = 0\ntags = []",
    )
    result = cli(
        "notebooks", "run", "nb.ipynb", "-p", "name", "Ada", "-p", "n", "41",
        "-p", "tags", '["x"]', "--output", "out.ipynb", "--kernel", python3_kernel,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ok: every cell of nb.ipynb ran" in result.output
    assert (project / "seen.txt").read_text() == "Ada"  # ran in the notebook's folder
    out = nbformat.read(project / "out.ipynb", 4)
    assert out.cells[1].metadata.tags == ["injected-parameters"]
    assert out.cells[3].outputs[0].text == "Ada 42 ['x']\n"
    assert nbformat.read(project / "nb.ipynb", 4).cells[2].outputs == []  # input untouched


def test_failing_cell_exits_1_with_its_traceback(cli, project: Path, python3_kernel: str) -> None:
    make_notebook(
        project / "nb.ipynb",
        "y = x * 2",
        "def check(v):\n    raise ValueError(f'bad value {v}')\n\ncheck(y)",
        "print('never runs')",
    )
    result = cli("notebooks", "run", "nb.ipynb", "-p", "x", "7", "-o", "out.ipynb")
    assert result.exit_code == 1
    err = result.stderr
    # no cell is tagged "parameters": x = 7 goes on top, and is not counted in "cell 3".
    assert "cell 3 (In [3]) raised an exception:" in err
    assert "  | def check(v):" in err
    assert "ValueError: bad value 14" in err
    assert "\x1b[" not in err
    assert "error: nb.ipynb: cell 3 raised an exception" in err
    out = nbformat.read(project / "out.ipynb", 4)  # written on failure too
    assert out.cells[-1].outputs == []


def test_saved_outputs_keep_no_dead_widgets(cli, project: Path, python3_kernel: str) -> None:
    """Without the kernel a widget never draws again: nbconvert and GitHub would show
    empty boxes where every orch8-nb output also carries a static view."""
    make_notebook(project / "nb.ipynb", "import ipywidgets\nipywidgets.IntSlider(3)")
    result = cli("notebooks", "run", "nb.ipynb", "-o", "out.ipynb", "--kernel", python3_kernel)
    assert result.exit_code == 0, result.output
    out = nbformat.read(project / "out.ipynb", 4)
    assert "widgets" not in out.metadata  # no widget state
    assert list(out.cells[1].outputs[0].data) == ["text/plain"]  # no widget view
