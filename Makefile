# Two commands a newcomer needs:  `make run`  and  `make test`.  Everything else is a building block.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: run test install install-dev migrate seed web worker beat check messages clean screenshots browser

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

# Demo data is loaded once; delete var/.demo-seeded (or run `make seed`) to load it again.
var/.demo-seeded: | migrate
	$(PY) manage.py seed_demo > /dev/null
	touch $@

seed: migrate
	$(PY) manage.py seed_demo

## Embedded mode: SQLite + filesystem broker, web + worker + beat on http://127.0.0.1:8000
run: migrate var/.demo-seeded
	@$(PY) manage.py seed_demo --logins-only
	@echo "Open http://127.0.0.1:8000  (Ctrl-C stops web, worker and beat)"
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho -f Procfile.dev start

# The end-to-end tests drive the system Chromium through Playwright (pinned in requirements-dev.txt);
# Playwright never downloads a browser here.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing: apt-get install -y chromium"; exit 1; }

## The whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite)
test: install-dev browser
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)

## A PNG of every page for every demo role in Chinese and English (1366x768) under screenshots/
screenshots: install-dev browser
	CHROMIUM=$(CHROMIUM) $(PY) scripts/screenshots.py $(SCREENSHOT_ARGS)

# The production processes, one per command (what docker-compose.yml runs).
web: install
	$(BIN)/gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers 3 --access-logfile -
worker: install
	$(BIN)/celery -A config worker --loglevel INFO
beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

## Lint, format, Django's checks and migrations in step with the models (CI runs it before the tests)
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var/
