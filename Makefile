# fairheat — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install dev translations compile-translations lint format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v '^$$' || true

## make run: SQLite in instance/, console SMS, the worker inside the web process.
run: install compile-translations
	$(BIN)/fairheat db upgrade
	$(BIN)/fairheat demo --if-empty
	FAIRHEAT_RUN_SCHEDULER=1 $(BIN)/fairheat run --host $(HOST) --port $(PORT)

## make test: the whole suite (SQLite and PostgreSQL; browser tests when Chromium is present).
test: dev compile-translations
	$(BIN)/python -m pytest

## make translations: extract strings, update the four catalogs, compile them.
translations: dev
	$(BIN)/pybabel extract --project fairheat --no-location --sort-output -F babel.cfg \
		-k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations
	$(BIN)/pybabel compile -d translations

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
