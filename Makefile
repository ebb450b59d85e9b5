# make demo: set up .venv and run the demo; make test: set up .venv with the dev extras and run
# every check CI runs; make bench: the benchmarks. Each target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo/caselog.db
ADAPTERS := $(wildcard adapters/*/pyproject.toml)

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml $(ADAPTERS)
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(foreach a,$(ADAPTERS),-e $(dir $(a)))
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

EXAMPLE := 510101101001
demo: $(VENV)/.installed
	@mkdir -p $(dir $(DEMO_DB))
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/caselog --db $(DEMO_DB) demo
	$(BIN)/caselog --db $(DEMO_DB) caseload --area $(EXAMPLE) --as-of 2025-12-31
	$(BIN)/caselog --db $(DEMO_DB) file $(EXAMPLE)-0001 --as-of 2025-12-31 --mask identifying
	$(BIN)/caselog --db $(DEMO_DB) audit $(EXAMPLE)-0001 --format csv | cut -d, -f1,4,5,8,14 | head -12
	$(BIN)/caselog --db $(DEMO_DB) verify

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/append_replay.py
	$(BIN)/python bench/rebuild.py
	$(BIN)/python bench/postgres.py

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
