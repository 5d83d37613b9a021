# One target per task. `make test` is what CI runs (see .ci/run); it installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The front end (labextension/): widget bundle and prebuilt JupyterLab extension, both built
# into the Python package so a wheel needs no Node.
JS_SOURCES := $(shell find labextension/src labextension/style -type f 2>/dev/null) \
	labextension/package.json labextension/build-widgets.mjs labextension/build-id.cjs \
	labextension/webpack.lab.cjs labextension/tsconfig.json
JS_DEPS := labextension/node_modules/.package-lock.json
WIDGETS := orch8_nb/widgets/static/widgets.js
LABEXT := orch8_nb/labextension/package.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/orch8-nb

.PHONY: install js fmt lint typecheck test test-js test-ui chromium test-fast test-crash bench quickstart \
	notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) js  ## create .venv, install orch8-nb with its dev tools, build the front end

$(JS_DEPS): labextension/package-lock.json
	cd labextension && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WIDGETS): $(JS_DEPS) $(JS_SOURCES)
	cd labextension && node build-widgets.mjs

$(LABEXT): $(STAMP) $(JS_DEPS) $(JS_SOURCES)
	cd labextension && npx tsc -p tsconfig.lab.json && PATH="$(CURDIR)/$(BIN):$$PATH" \
		jupyter labextension build . --core-package-file="$$($(CURDIR)/$(BIN)/python -c \
		'import jupyterlab, pathlib; print(pathlib.Path(jupyterlab.__file__).parent / "staging" / "package.json")')"

$(LABEXT_LINK): $(LABEXT)
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR)/orch8_nb/labextension $@

js: $(WIDGETS) $(LABEXT) $(LABEXT_LINK)  ## build the widget bundle, the dashboard and the JupyterLab extension

fmt: install  ## format the code
	$(BIN)/ruff format orch8_nb tests benchmarks examples notebooks
	$(BIN)/ruff check --fix orch8_nb tests benchmarks examples notebooks

lint: install  ## ruff (lint + format check)
	$(BIN)/ruff check orch8_nb tests benchmarks examples notebooks
	$(BIN)/ruff format --check orch8_nb tests benchmarks examples notebooks

typecheck: install  ## mypy --strict on the package
	$(BIN)/mypy

test: lint typecheck test-js chromium  ## everything CI checks: lint, types, JS and Python tests
	$(BIN)/pytest

test-js: js  ## front end: TypeScript types and vitest unit tests
	cd labextension && npx tsc -p tsconfig.json --noEmit && npx vitest run

test-ui: install chromium  ## only the real-browser tests (JupyterLab + headless Chromium)
	$(BIN)/pytest -m ui

chromium:  ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

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
	rm -rf labextension/node_modules labextension/lib orch8_nb/widgets/static orch8_nb/labextension
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
