# Two commands a newcomer needs:  `make run`  and  `make test`.  Everything else is a building block.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# The embedded mode's web port (make run PORT=8001); honcho hands it to the web process.
PORT   ?= 8000

.PHONY: run test install install-dev migrate seed web worker beat check messages clean screenshots browser browser-install

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
	@echo "==> Migrating the database (one line per migration applied)"
	$(PY) manage.py migrate --no-input -v 1

# Demo data is loaded once; delete var/.demo-seeded (or run `make seed`) to load it again.
var/.demo-seeded: | migrate
	@echo "==> Loading the demo data once (a minute or two; each step prints its counts)"
	$(PY) manage.py seed_demo --no-logins
	touch $@

seed: migrate
	$(PY) manage.py seed_demo

## Embedded mode: SQLite + filesystem broker, web + worker + beat on http://127.0.0.1:$(PORT)
run: migrate var/.demo-seeded
	@$(PY) manage.py seed_demo --logins-only
	@echo "Open http://127.0.0.1:$(PORT)  (Ctrl-C stops web, worker and beat)"
	PATH=$(CURDIR)/$(BIN):$$PATH PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start --port $(PORT)

# The end-to-end tests drive the system Chromium through Playwright (pinned in requirements-dev.txt);
# Playwright never downloads a browser here. When it is missing, `browser-install` installs the
# distribution's package if it can (root and apt-get); BROWSER_INSTALL=0 never tries.
CHROMIUM ?= /usr/bin/chromium
BROWSER_INSTALL ?= 1
browser-install:
	@if [ ! -x $(CHROMIUM) ] && [ "$(BROWSER_INSTALL)" = 1 ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> $(CHROMIUM) is missing: installing the distribution's chromium (apt-get install -y chromium)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	    || echo "apt-get could not install chromium"; \
	fi
browser: browser-install
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing: apt-get install -y chromium (as root)"; exit 1; }

## The whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite).
## Without a browser it runs everything else and says loudly that the browser tests were skipped;
## in CI (CI=true) a missing browser is a failure.
test: install-dev browser-install
	@if [ -x $(CHROMIUM) ]; then \
	  echo "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)"; \
	  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ] && [ "$$CI" != 0 ] && [ "$$CI" != false ]; then \
	  echo "$(CHROMIUM) is missing: CI runs the browser tests, install it (apt-get install -y chromium)"; \
	  exit 1; \
	else \
	  echo "$(PY) -m pytest $(PYTEST_ARGS) -m 'not e2e'"; \
	  $(PY) -m pytest $(PYTEST_ARGS) -m "not e2e"; status=$$?; \
	  echo; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! BROWSER TESTS SKIPPED: $(CHROMIUM) is missing, so the e2e tests (-m e2e) did not run."; \
	  echo "!!! Install the browser as root (apt-get install -y chromium) and run make test again."; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  exit $$status; \
	fi

## A PNG of every page for every demo role in Chinese and English (1366x768) under screenshots/
screenshots: install-dev browser
	CHROMIUM=$(CHROMIUM) $(PY) scripts/screenshots.py $(SCREENSHOT_ARGS)

# The production processes, one per command (what docker-compose.yml runs).
web: install
	$(BIN)/gunicorn config.wsgi:application --bind 0.0.0.0:$(PORT) --workers 3 --access-logfile -
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
