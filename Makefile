# The project's entry points. `make run` and `make test` install whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes for the main suite (2 cores here); browser tests run in one process.
TEST_WORKERS ?= 2

.PHONY: help install sysdeps browser-deps run test lint typecheck test-python test-browser bench bench-sqlite bench-postgres bench-outsourcing messages clean

help:
	@echo "make run     - install what is missing, migrate, load reference + demo data, serve $(HOST):$(PORT)"
	@echo "make test    - install what is missing, then lint, type check, the test suite and browser tests"
	@echo "make lint    - ruff (lint + format check), migrations check"
	@echo "make bench   - national-scale exchange benchmark on SQLite and PostgreSQL -> docs/benchmarks.md"

# --- installation ------------------------------------------------------------------------------
$(VENV)/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# System libraries: pango for WeasyPrint (PDF documents). Installed with apt when missing.
sysdeps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  echo "Installing pango for WeasyPrint"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	fi

# Debian's chromium for the browser tests (Playwright cannot download browsers here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

install: $(VENV)/.synced node_modules/.installed sysdeps
	@mkdir -p var

# --- running -------------------------------------------------------------------------------------
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_reference
	$(MANAGE) load_regulations
	$(MANAGE) seed_demo
	$(MANAGE) pki_init
	$(MANAGE) seed_demo --cabinets
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) run_huey --workers 1 & \
	  $(MANAGE) runserver $(HOST):$(PORT)

# --- checks --------------------------------------------------------------------------------------
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

typecheck: install
	$(VENV)/bin/mypy config labormarket

test-python: install
	$(VENV)/bin/pytest -m "not browser" -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-browser: install browser-deps
	$(VENV)/bin/pytest -m browser -p no:cacheprovider $(PYTEST_ARGS)

test: lint typecheck test-python test-browser

# --- benchmark -----------------------------------------------------------------------------------
# The national-scale data set (200 000 vacancies, 1 000 000 CVs; BENCH_VACANCIES / BENCH_CVS to
# change) is generated once per database and kept: SQLite in var/bench.sqlite3, PostgreSQL in
# the database of BENCH_DATABASE_URL (created when missing). Each run rewrites its database's
# section of docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/labormarket_bench
BENCH_ARGS ?=

bench: bench-postgres bench-sqlite bench-outsourcing

# The Monday 09:00 burst of outsourcing confirmations, on fresh throw-away databases.
BENCH_OUTSOURCING_DB ?= labormarket_bench_outsourcing
bench-outsourcing: install
	rm -f var/bench-outsourcing.sqlite3*
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-outsourcing.sqlite3 $(PY) -m labormarket.bench.outsourcing
	dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_OUTSOURCING_DB)
	createdb -h 127.0.0.1 -U postgres $(BENCH_OUTSOURCING_DB)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_OUTSOURCING_DB) $(PY) -m labormarket.bench.outsourcing
	dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_OUTSOURCING_DB)

bench-sqlite: install
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) -m labormarket.bench $(BENCH_ARGS)

bench-postgres: install
	@psql "$(BENCH_DATABASE_URL)" -c 'select 1' >/dev/null 2>&1 || \
	  createdb -h 127.0.0.1 -U postgres "$(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m labormarket.bench $(BENCH_ARGS)

messages: install
	cd labormarket && ../$(PY) ../manage.py makemessages -l ru -l kk -l en --no-obsolete && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) node_modules staticfiles var
