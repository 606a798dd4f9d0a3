# BrandPulse: `make demo` runs the product on the local stack, `make test` runs every test suite.
# Both install what is missing first (Debian packages, the project venv) and are fast when nothing is.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BP := $(BIN)/brandpulse
STAMP := $(VENV)/.installed
NODE_MODULES := frontend/node_modules/.package-lock.json

.DEFAULT_GOAL := help
.PHONY: help install system models frontend demo test test-frontend test-unit test-integration lint format bench soak stack-up stack-down

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: system $(STAMP)  ## Install Debian packages and the project venv (only what is missing)

system:
	@scripts/install-system-packages.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[stack,dev,enrich]'
	@touch $@

models: $(STAMP)  ## Train the sentiment/emotion model once (skipped when it exists)
	$(BP) models train

$(NODE_MODULES): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: $(NODE_MODULES)  ## Build the UI into frontend/dist (npm ci only when the lock file changed)
	cd frontend && npm run build

demo: install models frontend  ## Start the local stack, migrate, run the services; Ctrl-C stops them
	$(BP) demo

test: install models frontend  ## Lint, type-check, then unit, integration and UI tests on the local stack
	$(MAKE) --no-print-directory lint
	cd frontend && npm run typecheck && npm test
	$(BP) stack up
	status=0; $(BIN)/pytest -q -p no:cacheprovider || status=$$?; \
	  if [ -n "$$CI" ]; then $(BP) stack down; fi; exit $$status

bench: install models  ## Component and end-to-end benchmarks, then one summary table (bench/results/)
	$(BP) stack up
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/persist.py
	$(BIN)/python bench/enrich.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/e2e.py
	$(BIN)/python bench/summary.py

soak: install models  ## The fault suite with longer loads and outages (about 20 minutes)
	BRANDPULSE_FAULT_MENTIONS=1500 BRANDPULSE_FAULT_OUTAGE_S=60 $(BIN)/pytest -q -p no:cacheprovider tests/reliability

test-frontend: install models frontend  ## The UI only: type check, Vitest, then the end-to-end test in Chromium
	cd frontend && npm run typecheck && npm test
	$(BP) stack up
	$(BIN)/pytest -q -p no:cacheprovider tests/e2e

test-unit: install  ## Unit tests only (no services needed)
	$(BIN)/pytest -q -m unit

test-integration: install  ## Integration tests only (starts the local stack)
	$(BIN)/pytest -q -m integration

lint: $(STAMP)  ## Ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

stack-up: $(STAMP)  ## Start the local stack
	$(BP) stack up

stack-down: $(STAMP)  ## Stop the local stack
	$(BP) stack down
