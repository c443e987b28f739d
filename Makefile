# The portal's task runner. The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The test suite runs against the real services of the machine (README: "Running the tests").
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install messages browser check fmt bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

messages: install
	$(BIN)/python manage.py compilemessages --verbosity 0 --ignore '.venv/*'

# Debian's chromium and a CJK font for the browser tests (Playwright cannot download a browser here),
# and Debian's wrk for the load benchmark (and its test).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk wrk; }

## Serve the portal on the embedded default (SQLite, in-process tasks, demo zone) at http://127.0.0.1:8000
run: messages
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite: lint, then pytest against PostgreSQL and Redis (a real Celery worker, a real browser)
test: messages browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks on PostgreSQL in a throwaway database: make bench NAME=tree_page
bench: messages browser
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py bench $(NAME) $(BENCH_ARGS)
