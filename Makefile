# Piblinell: `make run` sets everything up and starts the portal and the clock; `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
export FLASK_APP = wsgi
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install migrate translations lint bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>/dev/null || $(BIN)/pybabel compile -d translations

migrate: install
	$(BIN)/flask db upgrade

run: install migrate translations
	$(BIN)/honcho start -f Procfile

test: install translations
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache
