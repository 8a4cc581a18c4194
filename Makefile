# StreetBrain: `make demo` runs the demo district, `make test` runs the checks and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENV := DJANGO_SETTINGS_MODULE=streetbrain.settings.demo
# The fuzzing (marker `fuzz`: schemathesis over the API and Open311, minutes) runs in CI's
# PostgreSQL leg; `make test PYTEST_ARGS=-n\ auto` runs it here too.
PYTEST_ARGS ?= -n auto -m 'not fuzz'

.PHONY: demo demo-reset test lint format bench messages install install-dev clean help

help:
	@echo "make demo        install, load the demo district of 福明街道 and serve it on http://$(HOST):$(PORT)"
	@echo "make demo-reset  rebuild the demo database from scratch, then as make demo"
	@echo "make test        install with the dev extras, run ruff and the test suite"
	@echo "make bench       run the benchmarks under bench/"
	@echo "make messages    update and compile the translation catalogues"

# The stamps make a second `make demo` skip the install unless pyproject.toml changed.
$(VENV)/.stamp-base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.stamp-base
install-dev: $(VENV)/.stamp-dev

demo: install
	$(DEMO_ENV) $(BIN)/streetbrain demo
	$(DEMO_ENV) $(BIN)/streetbrain serve --host $(HOST) --port $(PORT)

demo-reset: install
	rm -f var/streetbrain.sqlite3 var/streetbrain.sqlite3-wal var/streetbrain.sqlite3-shm
	$(MAKE) demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install-dev lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install-dev
	@failed=""; for b in bench/bench_*.py; do \
		case $$b in */bench_settings.py|*/bench_urls.py) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; \
	done; \
	if [ -n "$$failed" ]; then echo "bars missed or errors in:$$failed"; exit 1; fi

messages: install-dev
	cd streetbrain && PYTHONPATH=.. DJANGO_SETTINGS_MODULE=streetbrain.settings.test ../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --no-location
	cd streetbrain && PYTHONPATH=.. DJANGO_SETTINGS_MODULE=streetbrain.settings.test ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache test-output
