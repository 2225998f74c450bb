# The two commands: `make run` (demo town on SQLite) and `make test` (every test).
# Everything installs from the registries into .venv and node_modules; nothing by hand.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ZHENWU := $(BIN)/zhenwu
PYTEST_ARGS ?=

.PHONY: run test lint install install-dev assets migrate seed clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime node_modules/.installed
install-dev: $(VENV)/.dev node_modules/.installed
assets: node_modules/.installed

migrate: install
	$(ZHENWU) migrate --no-input

seed: migrate
	$(ZHENWU) seed-demo --if-empty

# The demo runs `zhenwu tick` every 5 minutes beside the server, as production's timer would.
run: seed
	@echo "演示账号见上（首次登录须修改密码）。打开 http://127.0.0.1:$${ZHENWU_PORT:-8000}/"
	ZHENWU_SERVE_TICK_MINUTES=$${ZHENWU_SERVE_TICK_MINUTES:-5} $(ZHENWU) serve

test: install-dev
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy zhenwu

# Refresh the English catalogue after changing interface strings, translate the new
# entries in zhenwu/locale/en/LC_MESSAGES/django.po, then compile (the .mo is committed).
messages: install
	$(ZHENWU) makemessages -l en --no-location --no-wrap --ignore=.venv --ignore=node_modules --ignore='*/tests/*' --ignore='zhenwu/demo/*' --ignore='bench/*'
	$(ZHENWU) compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) node_modules var/static
