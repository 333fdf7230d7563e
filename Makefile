# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench docs lock clean help cpi-seed serve
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# (Re)create the venv when it is missing or older than the lock file / pyproject.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setup: installing pinned packages from requirements.lock into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==//p' requirements.lock)"
	@$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)  ## ingest data/raw/*.xlsx, build wage.duckdb, run the analyses
	$(BIN)/wage run

test: $(STAMP)  ## every test, including dbt build on the real workbook
	$(BIN)/python -m pytest -q

# Debian's chromium, installed when missing (root, or sudo); the test drives it headless.
.PHONY: test-browser
test-browser: $(STAMP)  ## the docs site in headless chromium (installs Debian's chromium when missing)
	@test -x /usr/bin/chromium || { \
	  echo "test-browser: /usr/bin/chromium is missing: installing Debian's chromium with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }
	$(BIN)/python -m pytest -q -m browser tests/browser

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

cpi-seed: $(STAMP)  ## rewrite seeds/cpi_u_may.csv (May CPI-U) from the pinned cpi package, offline
	$(BIN)/wage cpi-seed

clean:  ## remove generated files (keeps data/raw)
	rm -rf $(VENV) target logs artifacts artifacts.building artifacts.previous wage.duckdb wage.duckdb.wal wage.duckdb.publish.json wage_raw.duckdb wage_raw.duckdb.wal

serve: $(STAMP)  ## the API and explorer on http://127.0.0.1:8765/ (docs at /docs)
	$(BIN)/wage serve

bench: $(STAMP)  ## benchmarks: figures, targets and ratios to same-run baselines (bench/results.json)
	$(BIN)/python bench/run_bench.py
