# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

## demo: create .venv, install Criterio, generate a month of a contact centre and analyse it
demo: $(STAMP_RUN)
	CRITERIO_DATABASE_URL=$${CRITERIO_DATABASE_URL:-sqlite:///demo/criterio-demo.db} \
		$(BIN)/criterio demo --fresh

## test: install the dev extras, then ruff, mypy and the whole pytest suite
test: $(STAMP_DEV) lint typecheck pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

pytest: $(STAMP_DEV)
	$(BIN)/pytest -q -n $${CRITERIO_TEST_WORKERS:-auto} --dist loadfile

## screenshots: the pages' PNGs in docs/screenshots/ (headless Debian Chromium, via the browser tests)
screenshots: $(STAMP_DEV)
	CRITERIO_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -p no:randomly tests/test_browser.py tests/test_browser_knowledge.py tests/test_workspace_browser.py tests/test_browser_impact.py tests/test_browser_learning.py

bench: $(STAMP_DEV)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) demo/ .pytest_cache .mypy_cache .ruff_cache
