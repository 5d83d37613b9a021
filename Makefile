# One target per task. `make test` is what CI runs (see .ci/run); it installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install fmt lint typecheck test test-fast test-crash bench quickstart notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install orch8-nb with its dev tools

fmt: install  ## format the code
	$(BIN)/ruff format orch8_nb tests benchmarks examples notebooks
	$(BIN)/ruff check --fix orch8_nb tests benchmarks examples notebooks

lint: install  ## ruff (lint + format check)
	$(BIN)/ruff check orch8_nb tests benchmarks examples notebooks
	$(BIN)/ruff format --check orch8_nb tests benchmarks examples notebooks

typecheck: install  ## mypy --strict on the package
	$(BIN)/mypy

test: lint typecheck  ## everything CI checks: lint, types, the whole test suite
	$(BIN)/pytest

test-fast: install  ## the suite without the slow crash and multi-process tests
	$(BIN)/pytest -m "not slow"

test-crash: install  ## only the SIGKILL crash tests
	$(BIN)/pytest -m crash

bench: install  ## W3 (median of 5) and tree scaling -> benchmarks/*-latest.json
	$(BIN)/python benchmarks/w3.py --instances 1000 --repeat 5 --json benchmarks/w3-latest.json
	$(BIN)/python benchmarks/tree_scaling.py --repeat 3 --json benchmarks/tree-latest.json

notebooks: install  ## re-run the notebooks and save their outputs (after changing them or the engine)
	$(BIN)/python tests/notebooks/nbrun.py

quickstart: install  ## run the quickstart on the embedded SQLite default
	$(BIN)/python examples/quickstart.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
