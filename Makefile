# Industrienetz — the README's two commands are `make run` and `make test`.
#
# Every target works by itself on a fresh clone: each one names what it needs (the
# virtualenv, the npm packages, compiled translations, the instance config) and make
# builds that first. Options: `make test PYTEST_ARGS="tests/search/test_search.py -x"`,
# `make bench BENCH_ARGS="--size small --backends sqlite"`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app crm
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# the suite runs on every core (pytest-xdist; a test file stays on one worker, so its
# module fixtures are built once); PYTEST_WORKERS=0 runs it in one process
PYTEST_WORKERS ?= auto
BENCH_ARGS ?=

.PHONY: run test install lock assets translations lint bench messages favicon clean

# The virtualenv with the app and its development tools, from the locked versions with
# their hashes (requirements.lock; again when it or pyproject.toml changes).
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries come from the locked npm packages, never from a CDN.
# (The copy script needs only the standard library, so no virtualenv.)
assets: node_modules/.installed
	$(PYTHON) scripts/build_assets.py

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d crm/translations

# Re-extract UI strings after changing them; then translate crm/translations/en.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o crm/translations/messages.pot --no-location --sort-output --omit-header crm templates
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations --no-fuzzy-matching

# Written once with a fresh SECRET_KEY; order-only on the virtualenv, so that
# reinstalling never rewrites an existing config.
instance/config.py: | $(VENV)/.installed
	mkdir -p instance
	$(BIN)/python scripts/make_instance_config.py $@

run: install assets translations instance/config.py
	$(FLASK) init-db
	$(FLASK) seed-demo --size full --if-empty
	$(FLASK) ensure-admin
	@# the background worker (outbox, reminders, nightly backup) beside the web server;
	@# it ends with the server (Ctrl-C or any exit)
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check crm tests scripts benchmarks
	$(BIN)/ruff format --check crm tests scripts benchmarks
	$(BIN)/mypy

test: install assets translations lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --durations=25 $(PYTEST_ARGS)

# Upgrade the locked versions deliberately (newest within pyproject.toml's ranges), install
# them and run the suite; commit requirements.lock when it passes.
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --upgrade \
		--python-version 3.11 --custom-compile-command "make lock" -q -o requirements.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(VENV)/.installed
	$(MAKE) test

bench: install assets translations
	$(BIN)/python -m benchmarks.bench_directory $(BENCH_ARGS)

# Redraw static/favicon.* (committed) after changing scripts/make_favicon.py.
favicon: install
	$(BIN)/python scripts/make_favicon.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache
