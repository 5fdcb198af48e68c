# Séjour — the two commands a newcomer needs: `make run` and `make test`.
# Both create the environment and install everything first.

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/sejour
# Python 3.13 (.python-version): the one on PATH, else pyenv's; uv downloads one only if neither exists.
PYTHON313 := $(shell command -v python3.13 2>/dev/null || ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1)
export UV_PYTHON := $(or $(PYTHON313),3.13)

.PHONY: run test install lint test-sqlite test-postgres worker messages clamd screenshots

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen
	@# axe-core for the browser tests' accessibility checks (from the npm registry, served from disk).
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm missing: browser accessibility checks will be skipped (CI requires them)"; fi
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v 0

run: export DEBUG = true
run: install
	-scripts/clamd.sh start
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Séjour on http://127.0.0.1:8000 — outbox at http://127.0.0.1:8000/dev/outbox/"
	$(PY) manage.py db_worker & worker=$$!; trap "kill $$worker" EXIT; \
	$(PY) manage.py runserver 127.0.0.1:8000

worker: install
	$(PY) manage.py db_worker

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clamd:
	-scripts/clamd.sh start

test-sqlite: install clamd
	env -u DATABASE_URL $(VENV)/bin/pytest

test-postgres: install clamd
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest

# In CI (CI=true) the suite must pass on SQLite and on PostgreSQL. Elsewhere
# PostgreSQL runs too when it answers at 127.0.0.1:5432.
test: lint test-sqlite
	@if [ "$$CI" = "true" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		echo "PostgreSQL is not answering at 127.0.0.1:5432: suite run on SQLite only."; \
	fi

messages:
	DEBUG=true $(PY) manage.py makemessages -l fr -l en -l ar --ignore=.venv --ignore=.tools --ignore=node_modules --no-location

# The README's Arabic phone screenshots (docs/screenshots/), taken by the walk journey.
screenshots: install
	-scripts/clamd.sh start
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest sejour/journeys/test_walk_in_english_and_arabic.py -k "phone-ar"
