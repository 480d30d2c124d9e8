# 回款陪练 — every target sets itself up first (a virtualenv in .venv), so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Installs come from uv.lock (regenerate with `$(BIN)/uv lock` after changing pyproject.toml), so a
# new upstream release cannot change what CI runs. uv itself is bootstrapped with pip.
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv
LOWEST := .venv-lowest

.PHONY: setup run play test lint format eval check-lowest lock clean local-model local-llm test-realmodel

$(STAMP): pyproject.toml uv.lock
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'uv>=0.9'
	$(UV) sync --frozen --extra dev --quiet
	touch $(STAMP)

setup: $(STAMP)

run: setup  ## Start the product: Telegram bot with a token, else terminal play
	$(BIN)/trainer run

play: setup  ## Play a session in the terminal
	$(BIN)/trainer play

test: setup  ## Run the tests (PostgreSQL half skips if no server at TEST_POSTGRES_URL)
	$(BIN)/pytest -q

lint: setup  ## ruff lint + format check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: setup  ## Listening score vs AnnoMI expert labels
	$(BIN)/trainer eval annomi

lock: setup  ## Re-resolve uv.lock after a change to pyproject.toml
	$(UV) lock

check-lowest: setup  ## Tests on the lowest versions pyproject.toml allows (direct dependencies)
	rm -rf $(LOWEST)
	$(PY) -m venv $(LOWEST)
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip install -q --python $(LOWEST)/bin/python \
		--resolution lowest-direct -e '.[dev]'
	$(LOWEST)/bin/pytest -q -p no:cacheprovider

local-model:  ## Build the local model server and fetch its weights (cached outside the repo)
	scripts/local_model.sh build

local-llm:  ## Serve the local model on http://127.0.0.1:8090/v1 (builds it first if needed)
	scripts/local_model.sh serve

test-realmodel: setup  ## The real-model test tier against REAL_LLM_BASE_URL (skips without one)
	$(BIN)/pytest -q -m realmodel -rs tests/realmodel

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .mypy_cache .ruff_cache
