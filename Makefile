# Piblinell: `make run` sets everything up and starts the portal and the clock; `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
export FLASK_APP = wsgi
# make run is the embedded development set-up; production sets PIBLINELL_ENV=production (gunicorn.conf.py's default).
export PIBLINELL_ENV ?= development
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install migrate translations assets browser lint bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Fuzzy entries are never compiled: `flask translate check` and the tests fail on them instead.
translations: install
	$(BIN)/pybabel compile -d translations --statistics

# GOV.UK Frontend, pinned in package-lock.json, built from its Sass by the pinned `sass` package with our own
# system font stack (portal/assets/govuk.scss): GDS Transport and the crown are for GOV.UK services only, so
# no font or crown image is shipped. Its JavaScript is copied as it is. Into portal/static/govuk (git-ignored).
GOVUK_DIST = node_modules/govuk-frontend/dist/govuk
ASSETS_STAMP = portal/static/govuk/.stamp

$(ASSETS_STAMP): package.json package-lock.json portal/assets/govuk.scss
	npm ci --ignore-scripts --no-audit --no-fund
	rm -rf portal/static/govuk
	mkdir -p portal/static/govuk
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
	  portal/assets/govuk.scss portal/static/govuk/govuk-frontend.min.css
	cp $(GOVUK_DIST)/govuk-frontend.min.js portal/static/govuk/
	touch $@

assets: $(ASSETS_STAMP)

# Debian's Chromium for the browser tests (tests/browser; axe-core comes with `make assets`). Playwright's
# own browser download cannot work here, so never `playwright install`. Without root, nothing is installed
# and the browser tests skip with the reason (they fail instead when CI=true).
CHROMIUM = /usr/bin/chromium

browser:
	@if [ -x $(CHROMIUM) ]; then \
	  true; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && apt-get install -y --no-install-recommends chromium; \
	else \
	  echo "$(CHROMIUM) is missing, so the browser tests will skip. Install Debian's chromium as root:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"; \
	fi

migrate: install
	$(BIN)/flask db upgrade

run: install migrate translations assets
	$(BIN)/flask index sync
	$(BIN)/honcho start -f Procfile

test: install translations assets browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The quick versions of the benchmarks (about 10k procurements, under 10 minutes; PostgreSQL's ingest figure too
# when BENCH_POSTGRES_URL names a database to empty). The full ones: the README's "Benchmarks".
bench: install
	$(BIN)/python bench/ingest.py --copies 6
	$(BIN)/python bench/search.py --docs 10000 --queries 100
	$(BIN)/python bench/portal.py --procurements 10000 --per-class 20
	$(BIN)/python bench/scale.py --sizes 2500,5000,10000 --queries 30 --per-class 3

clean:
	rm -rf $(VENV) instance .pytest_cache
