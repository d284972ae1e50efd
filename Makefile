# Alongside: `make run` serves the app, `make test` runs the whole suite.
# Both create .venv on first use (Python 3.11+) and reuse it afterwards.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi
# Tests use both cores; pass PYTEST_ARGS to narrow them (make test PYTEST_ARGS="-k login").
# loadgroup: each module marked xdist_group (live servers, the scale-out cluster, the browser
# tests) runs on one worker, so its servers start once; the largest groups are sent first.
PYTEST_ARGS ?=
XDIST ?= -n 2 --dist loadgroup

.PHONY: run test lint format clean check-python browser-deps

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Alongside needs Python 3.11 or newer; set PYTHON=python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm is missing: browser checks (axe-core, vnu) will be skipped (Debian: nodejs npm)"; \
	fi

browser-deps: tests/browser/node_modules/.package-lock.json

run: $(VENV)/.installed-run
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

test: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) tests/browser/node_modules .pytest_cache .ruff_cache
