# The README's two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev lint format check-deploy demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

## Serve the app with the shipped banks and demo data at http://$(HOST):$(PORT)
run: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_banks
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run every test (browser tests skip locally without Chromium, never in CI; the screenshots
## only with PYTEST_ARGS=--screenshots)
# DJANGO_DEBUG=1 only picks development defaults for settings derived from it (no HTTPS redirect,
# plain static storage); pytest-django still runs every test with DEBUG off.
# Tests run on every core (pytest-xdist; each worker has its own test database and live
# server); TEST_WORKERS=0 runs them in one process (for -x, --pdb or a single test).
TEST_WORKERS ?= auto
test: setup-dev
	DJANGO_DEBUG=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Production settings must pass Django's deployment checks
check-deploy: setup
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=quiz.example.org \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .coverage
