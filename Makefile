# Industrienetz — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app crm
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install assets translations lint bench messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries come from the locked npm packages, never from a CDN.
assets: node_modules/.installed
	$(BIN)/python scripts/build_assets.py

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d crm/translations

# Re-extract UI strings after changing them; then translate crm/translations/en.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o crm/translations/messages.pot --no-location --sort-output --omit-header crm
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations --no-fuzzy-matching

instance/config.py:
	mkdir -p instance
	$(BIN)/python scripts/make_instance_config.py $@

run: install assets translations instance/config.py
	$(FLASK) init-db
	$(FLASK) seed-demo --size full --if-empty
	$(FLASK) ensure-admin
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check crm tests scripts
	$(BIN)/ruff format --check crm tests scripts
	$(BIN)/mypy

test: install assets translations lint
	$(BIN)/python -m pytest -q

bench: install assets translations
	$(BIN)/python -m crm.bench

clean:
	rm -rf $(VENV) node_modules crm/static/vendor .pytest_cache .mypy_cache .ruff_cache
