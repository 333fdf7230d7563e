# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp's name changes when the recipe does, so that older venvs are set up again once.
STAMP  := $(VENV)/.installed-bytecode

.PHONY: run format lint mutate test test-fast test-integration test-system test-stress test-bench bench docs lock clean help cpi-seed soc-seed rpp-seed serve
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# (Re)create the venv when it is missing or older than the lock file / pyproject.
# Bytecode is compiled once here: every `wage` and dbt process imports hundreds of modules, and with
# PYTHONDONTWRITEBYTECODE set (or a read-only venv) Python would compile them again in each one
# (dbt's import: 5.0 s of CPU without .pyc files, 2.3 s with them).
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setup: installing pinned packages from requirements.lock into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==//p' requirements.lock)"
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	@$(BIN)/python -m compileall -q -j 0 analysis_py
	@touch $(STAMP)

run: $(STAMP)  ## ingest data/raw/*.xlsx, build wage.duckdb, run the analyses
	$(BIN)/wage run

format: $(STAMP)  ## rewrite the Python files in the project's one layout (ruff format, ruff's safe fixes)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: $(STAMP)  ## what CI checks before the tests: ruff (rules in pyproject.toml), ruff format, sqlfluff (.sqlfluff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros

PYTEST := $(BIN)/python -m pytest -q

# Tiers mirror tests/: unit (in-process: no dbt, no real workbook, no child process), integration
# (one real `wage run` per session, shared read-only; `wage` and `/api/sql` workers as processes),
# system (kill, concurrency). `make test` runs all
# three in one pytest session on two workers (pytest-xdist, a test file per worker at a time),
# the heaviest tier first and in that order (--no-loadscope-reorder: xdist would otherwise start
# the files with the most tests first and leave the one-test files of whole runs, the longest, to
# the end, one worker finishing them alone); the unit files fill the gaps at the end. The
# workers share the builds and the workbook read that several files read (made once, by the
# first to need them) in a temporary folder (TESTS_SHARED_BUILDS, tests/conftest.py).
# `make test-fast` is the unit tier alone (seconds).
test: $(STAMP)  ## every tier (what CI runs): unit, integration and system on two workers
	@shared=$$(mktemp -d -t wage-test-builds.XXXXXX) && \
	  TESTS_SHARED_BUILDS=$$shared $(PYTEST) -n 2 --dist loadfile --no-loadscope-reorder tests/system tests/integration tests/unit; \
	  status=$$?; rm -rf "$$shared"; exit $$status

test-fast: $(STAMP)  ## the unit tier only, on two workers: no dbt process, no real workbook, no child process (seconds)
	$(PYTEST) -n 2 tests/unit

test-integration: $(STAMP)  ## the integration tier: the real workbook through `wage run` once, small builds
	$(PYTEST) tests/integration

test-system: $(STAMP)  ## the system tier: kill and concurrency tests (browser, stress, bench harness: their own targets)
	$(PYTEST) tests/system

test-bench: $(STAMP)  ## the benchmark script end to end on tiny inputs, `bench/run_bench.py --quick` (a minute; CI runs it)
	$(PYTEST) -m bench tests/system

test-stress: $(STAMP)  ## kill `wage run` at every step and at random moments, 10 rounds (minutes; CI runs it)
	$(PYTEST) -m stress tests/system

# Mutation testing (mutmut, [tool.mutmut] in pyproject.toml): small changes to the modules whose
# mistakes cost most, each run against the unit tests that cover it; a mutant no test kills is a
# bug the tests would let through. All of them take hours on two cores: name some, as in
# `make mutate MUTANTS='analysis_py.stats*'`. Results stay in mutants/ (`.venv/bin/mutmut browse`).
MUTANTS ?=
mutate: $(STAMP)  ## mutation testing of stats, the SQL guard, publish, cell checks, compare (long; MUTANTS= to pick)
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/mutmut results

# Debian's chromium, installed when missing (root, or sudo); the test drives it headless.
.PHONY: test-browser
test-browser: $(STAMP)  ## the docs site in headless chromium (installs Debian's chromium when missing)
	@test -x /usr/bin/chromium || { \
	  echo "test-browser: /usr/bin/chromium is missing: installing Debian's chromium with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }
	$(PYTEST) -m browser tests/system/browser

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

cpi-seed: $(STAMP)  ## rewrite seeds/cpi_u_may.csv (May CPI-U) from the pinned cpi package, offline
	$(BIN)/wage cpi-seed

soc-seed: $(STAMP)  ## rewrite the SOC crosswalk and OES 2019 hybrid structure seeds from BLS's files in data/soc/
	$(BIN)/wage soc-seed

rpp-seed: $(STAMP)  ## rewrite seeds/regional_price_parities.csv from BEA's RPP files in data/bea/
	$(BIN)/wage rpp-seed

clean:  ## remove generated files (keeps data/raw)
	rm -rf $(VENV) mutants target logs artifacts artifacts.building artifacts.previous wage.duckdb wage.duckdb.wal wage.duckdb.publish.json wage_raw.duckdb wage_raw.duckdb.wal

serve: $(STAMP)  ## the API and explorer on http://127.0.0.1:8765/ (docs at /docs)
	$(BIN)/wage serve

docs: $(STAMP)  ## the dbt docs lineage site in artifacts/docs/ (needs a build: make run first)
	$(BIN)/wage docs

bench: $(STAMP)  ## benchmarks: figures, targets and ratios to same-run baselines (bench/results.json)
	$(BIN)/python bench/run_bench.py
