# smebot — the two commands: `make run` (try the bot) and `make test` (everything CI checks).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck imports kb-check pytest chat clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the bot on the embedded default (SQLite): migrate, then poll Telegram with BOT_TOKEN,
## or, without a token, talk to it in the console.
run: install
	$(BIN)/smebot db upgrade
	test -f data/.demo-loaded || ($(BIN)/smebot demo-data --count 300 && touch data/.demo-loaded)
	$(BIN)/smebot run --chat-without-token

chat: install
	$(BIN)/smebot chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports --no-cache

kb-check: install
	$(BIN)/smebot kb check

pytest: install
	$(BIN)/pytest

## Everything CI checks: lint, types, import contracts, the whole test suite.
test: lint typecheck imports kb-check pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
