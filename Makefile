# Smart Emergency command-hall dashboard.
# The two commands (see README.md): `make run` serves the demo, `make test` runs the whole suite.
# Settings come from the environment (REDIS_URL, WAREHOUSE_URL, TILE_URL, HOST, PORT, ...);
# nothing here overrides them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY ?= python3
VENV = .venv
BIN = $(VENV)/bin
PIP = $(BIN)/python -m pip --disable-pip-version-check

# Where the tests find real services (scripts/ensure_services.sh provides these on loopback).
# The suite's own Redis on 6380 runs with AOF (appendfsync always), as production Redis does.
TEST_REDIS_URL ?= redis://127.0.0.1:6380/15
TEST_WAREHOUSE_URL ?= postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test
# Debian's Chromium for the browser tests; empty: found on PATH by scripts/chromium_path.sh.
CHROMIUM ?=
# Extra pytest arguments, e.g. make test PYTEST_ARGS='-k ingest -x'
PYTEST_ARGS ?=
# Parallel pytest-xdist workers for `make test` (browser and fault tests mostly wait, so more
# workers than cores pays on a fast machine, and starves the browsers on a slow one); empty:
# chosen by scripts/test_workers.sh from the machine's speed (4 on a fast 2-core machine, 2 on
# a slow one; docs/benchmarks.md "Test suite"); TEST_WORKERS=0: one process.
# --dist loadfile: a module's tests stay on one worker (module fixtures built once).
TEST_WORKERS ?=

.PHONY: help run serve test lint format install bench clean distclean

help:
	@echo "Smart Emergency - make targets:"
	@echo "  run        install runtime deps into $(VENV), build the embedded warehouse if missing,"
	@echo "             serve http://127.0.0.1:8050/ (no Redis/PostgreSQL needed)"
	@echo "  test       install dev deps, ensure Redis/PostgreSQL/Chromium (scripts/ensure_services.sh),"
	@echo "             run the whole pytest suite in TEST_WORKERS processes (default: by the machine's"
	@echo "             speed, scripts/test_workers.sh; PYTEST_ARGS='...' adds arguments)"
	@echo "  serve      production: gunicorn on \$$HOST:\$$PORT (default 127.0.0.1:8050)"
	@echo "  lint       ruff check + ruff format --check"
	@echo "  format     ruff format + ruff check --fix"
	@echo "  install    install dev deps into $(VENV) only"
	@echo "  bench      run every benchmarks/*.py"
	@echo "  clean      remove var/ and caches (keeps $(VENV))"
	@echo "  distclean  clean, and remove $(VENV)"

# --- virtual environment -------------------------------------------------------------------
# Needs Python 3.11+ with the venv module. On Debian/Ubuntu that is the python3-venv package:
# installed here when missing and run as root, otherwise named in the error.
$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: Python 3.11+ is needed, $(PY) is $$($(PY) --version 2>&1); try: make PY=python3.11 ..." >&2; \
	  exit 1; }
	@echo "creating $(VENV) with $$($(PY) --version)"
	@$(PY) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  venv_pkg="python3-venv"; \
	  v=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  if command -v apt-cache >/dev/null && apt-cache show "python$$v-venv" >/dev/null 2>&1; then \
	    venv_pkg="python$$v-venv"; fi; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian package $$venv_pkg (the venv module is missing)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$venv_pkg python3-venv && \
	    $(PY) -m venv $(VENV); \
	  else \
	    echo "error: '$(PY) -m venv' failed; install the venv module: sudo apt-get install $$venv_pkg" >&2; \
	    false; \
	  fi; }

# Runtime only, for `make run` / `make serve`.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	@touch $@

# Runtime + test/lint tools, for `make test` / `make lint`.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.installed

# --- the two commands ----------------------------------------------------------------------
run: $(VENV)/.runtime
	$(BIN)/python -m refdata.build --if-missing
	$(BIN)/python -m video demo --if-missing
	$(BIN)/python app.py

test: $(VENV)/.installed
	TEST_REDIS_URL='$(TEST_REDIS_URL)' bash scripts/ensure_services.sh
	TEST_REDIS_URL='$(TEST_REDIS_URL)' \
	TEST_WAREHOUSE_URL='$(TEST_WAREHOUSE_URL)' \
	CHROMIUM="$(or $(CHROMIUM),$$(bash scripts/chromium_path.sh))" \
	$(BIN)/pytest -q -n "$(or $(TEST_WORKERS),$$(PYTHON=$(BIN)/python bash scripts/test_workers.sh))" \
	  --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# --- the rest ------------------------------------------------------------------------------
serve: $(VENV)/.runtime
	$(BIN)/python -m refdata.build --if-missing
	$(BIN)/gunicorn --worker-class gthread --workers 1 --threads 64 --bind $${HOST:-127.0.0.1}:$${PORT:-8050} app:server

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed
	@shopt -s nullglob; files=(benchmarks/[!_]*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "bench: no benchmarks/*.py, nothing to run"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f" || exit 1; done

clean:
	rm -rf var/ .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
