# Two commands do all the set-up on a fresh machine:
#   make run    - build .venv if needed, then open casesim on the bundled library (local SQLite file)
#   make test   - build .venv if needed, then lint, type-check, validate the content and run the tests
#                 (all of them: this is what CI runs)
#   make test-quick - the tests without the slow ones (tmux, SIGKILL, many processes), for local runs
# The virtualenv is built from requirements/dev.lock (exact versions and hashes of every
# package, the build backend included) and reinstalled only when the lock or pyproject.toml (the
# console script's entry point) changes. After editing the dependencies in pyproject.toml,
# `make lock` refreshes both lock files.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lock run test test-quick lint typecheck content pytest schema docs bench clean system-deps mermaid

$(STAMP): requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# uv resolves for Linux and Python 3.11 whatever machine runs this; pip installs the result.
UV_COMPILE = uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --python-platform linux --quiet
lock:
	@command -v uv >/dev/null 2>&1 || { echo "make lock needs uv: python3 -m pip install --user uv"; exit 2; }
	$(UV_COMPILE) -o requirements/main.lock
	$(UV_COMPILE) --extra dev -o requirements/dev.lock

run: $(STAMP)
	$(BIN)/casesim

# tmux drives the real casesim binary in end-to-end tests; poppler-utils (pdftotext, pdffonts)
# reads the rendered PDF back; chromium runs axe-core (npm, pinned in tests/data/axe) over the
# HTML debrief, and with node and npm renders the Mermaid graph (`make mermaid`, `casesim graph
# --format svg`). Installed when we can (root with apt-get, as in CI). Where they are missing the
# axe test skips, except with CASESIM_REQUIRE_AXE=1 (CI sets it in .ci/run), where it fails.
SYSTEM_TOOLS := tmux:tmux pdftotext:poppler-utils chromium:chromium node:nodejs npm:npm
# Noto Sans CJK: the PDF's fallback for CJK names (too large to bundle); the PDF font tests use it.
# postgresql: the records tests start a real PostgreSQL server of their own (tests/support/postgres.py)
# from its initdb and pg_ctl; they fail, never skip, without it.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
AXE_JS := tests/data/axe/node_modules/axe-core/axe.min.js
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	[ -f $(CJK_FONT) ] || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "note: not installed:$$missing; the tests that need them will be skipped"; fi; fi
	@[ -f $(AXE_JS) ] || { command -v npm >/dev/null 2>&1 && npm ci --prefix tests/data/axe --no-audit --no-fund \
	  --silent; } || echo "note: axe-core not installed; the HTML debrief's accessibility test will be skipped"

# The Mermaid renderer's npm packages (mermaid, playwright-core), exactly as package-lock.json pins
# them. Skipped with a note when npm is missing; the render tests then skip and say why.
MERMAID_DIR := tools/mermaid
MERMAID_STAMP := $(MERMAID_DIR)/node_modules/.installed
$(MERMAID_STAMP): $(MERMAID_DIR)/package.json $(MERMAID_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(MERMAID_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "note: npm is not installed; the Mermaid render tests will be skipped"; fi

mermaid: $(MERMAID_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

content: $(STAMP)
	$(BIN)/casesim validate --strict scenarios scoring
	$(BIN)/casesim test scenarios
	$(BUNDLED_ONLY) $(BIN)/casesim schema --check schemas/scenario.schema.json
	$(BIN)/casesim schema --kind framework --check schemas/framework.schema.json
	$(BIN)/casesim schema --kind competency-map --check schemas/competency-map.schema.json
	$(BIN)/casesim schema --kind never-events --check schemas/never-events.schema.json
	$(BIN)/casesim schema --kind kinds --check schemas/kinds.schema.json
	$(BUNDLED_ONLY) $(BIN)/casesim schema --kind shared-block --check schemas/shared-block.schema.json
	$(BIN)/casesim schema --kind locale --check schemas/locale.schema.json
	$(BIN)/casesim library-doc --check docs/scenarios.md

# system-deps first: it may install the npm that `mermaid` needs.
pytest: $(STAMP) system-deps
	@$(MAKE) --no-print-directory -s mermaid
	$(BIN)/pytest

test: lint typecheck content pytest

test-quick: $(STAMP)
	$(BIN)/pytest -m "not slow"

# The committed scenario schema lists the bundled catalog's ids only: no program folder from the
# environment or a config file (an empty CASESIM_CATALOG counts as unset; the data folder is
# one that does not exist).
BUNDLED_ONLY := CASESIM_CATALOG= CASESIM_SCORING= CASESIM_DATA=$(VENV)/no-data
schema: $(STAMP)
	$(BUNDLED_ONLY) $(BIN)/casesim schema -o schemas/scenario.schema.json
	$(BIN)/casesim schema --kind framework -o schemas/framework.schema.json
	$(BIN)/casesim schema --kind competency-map -o schemas/competency-map.schema.json
	$(BIN)/casesim schema --kind never-events -o schemas/never-events.schema.json
	$(BIN)/casesim schema --kind kinds -o schemas/kinds.schema.json
	$(BUNDLED_ONLY) $(BIN)/casesim schema --kind shared-block -o schemas/shared-block.schema.json
	$(BIN)/casesim schema --kind locale -o schemas/locale.schema.json

docs: $(STAMP)
	$(BIN)/casesim library-doc -o docs/scenarios.md
	$(BIN)/python tests/support/trainer_mistakes.py docs/authoring.md

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(MERMAID_DIR)/node_modules
