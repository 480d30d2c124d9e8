# 回款陪练 — every target sets itself up first (a virtualenv in .venv), so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run play test lint format eval clean local-model local-llm test-realmodel

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
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

local-model:  ## Build the local model server and fetch its weights (cached outside the repo)
	scripts/local_model.sh build

local-llm:  ## Serve the local model on http://127.0.0.1:8090/v1 (builds it first if needed)
	scripts/local_model.sh serve

test-realmodel: setup  ## The real-model test tier against REAL_LLM_BASE_URL (skips without one)
	$(BIN)/pytest -q -m realmodel -rs tests/realmodel

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
