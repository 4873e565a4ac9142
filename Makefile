# Involve: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint format bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	SCHEDULER_ENABLED=1 $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Real processes on loopback: gunicorn, the scheduler, a throwaway PostgreSQL (also part of `make test`).
.PHONY: reliability
reliability: install
	$(BIN)/pytest -q -s tests/reliability $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/import_customers.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) .pytest_cache
