# smebot — the two commands: `make run` (try the bot) and `make test` (everything CI checks).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick install demo lint typecheck imports kb-check pytest chat clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the bot on the embedded default (SQLite): migrate, then poll Telegram with BOT_TOKEN,
## or, without a token, talk to it in the console.
run: demo
	$(BIN)/smebot run --chat-without-token

## Migrate the database and load the seeded demo data once (300 notices of region 74).
demo: install
	$(BIN)/smebot db upgrade
	test -f data/.demo-loaded || ($(BIN)/smebot demo-data --count 300 && touch data/.demo-loaded)

## The console chat (no token, no network) on the same database, demo data included.
chat: demo
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

## The fast loop while developing: lint, then the unit and in-process tests (no subprocess
## acceptance runs of `smebot run`, no tests marked slow) in three workers: most of their time
## is waiting on a fake server or a subprocess, so 3 workers fit 2 cores (SQLite only: the
## PostgreSQL test database is shared, so `make test` stays in one process).
quick: install
	$(BIN)/ruff check .
	env -u TEST_DATABASE_URL -u TEST_REDIS_URL $(BIN)/pytest -q -x -n 3 -m "not slow" --ignore=tests/acceptance

## Everything CI checks: lint, types, import contracts, the whole test suite.
test: lint typecheck imports kb-check pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
