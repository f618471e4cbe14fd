# fairheat — the two commands a newcomer needs: `make run` and `make test`.
#
# Dependencies come from uv.lock (exact versions with hashes; decision 0007). uv itself is
# installed into the venv by pip, pinned with hashes in requirements/uv.txt, so a machine with
# only python3 (with venv) and make needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CATALOGS := service/translations
# uv: install into our venv, never download a Python, read no user-level uv settings.
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 $(BIN)/uv
SYNC := $(UV) sync --locked --inexact --python $(BIN)/python

.PHONY: run test install dev lock lock-check upgrade-lock translations lint format wheel clean screenshots

$(BIN)/uv: requirements/uv.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r requirements/uv.txt
	touch $@

$(VENV)/.installed: uv.lock pyproject.toml $(BIN)/uv
	$(SYNC)
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(SYNC) --extra dev
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

## make run: SQLite in instance/, console SMS and e-mail, the worker inside the web process.
run: install
	$(BIN)/fairheat db upgrade
	$(BIN)/fairheat demo --if-empty
	FAIRHEAT_RUN_SCHEDULER=1 $(BIN)/fairheat run --host $(HOST) --port $(PORT)

## make screenshots: the public home, a notice, the address answers and the dispatcher's form at
## 390 and 1280 px, from a throwaway demo site, into docs/screenshots/ (needs /usr/bin/chromium).
screenshots: dev
	$(BIN)/python tools/screenshots.py docs/screenshots

## make test: the whole suite (SQLite and PostgreSQL; browser tests when Chromium is present).
test: dev
	$(BIN)/python -m pytest

## make lock: resolve pyproject.toml's ranges again, keeping every pin that still fits.
lock: $(BIN)/uv
	$(UV) lock --python $(BIN)/python

## make upgrade-lock: move every pin to the newest release the ranges allow (then run the tests).
upgrade-lock: $(BIN)/uv
	$(UV) lock --upgrade --python $(BIN)/python

## make lock-check: fails when uv.lock no longer matches pyproject.toml (CI runs it).
lock-check: $(BIN)/uv
	$(UV) lock --check --python $(BIN)/python

## make translations: extract strings, update the four catalogs, compile them (the compiled
## .mo files are committed: they ship in the package). tools/catalog.py runs the pybabel steps
## (extract with --add-comments=Translators:, update, compile) under a lock, keeps the .pot's
## date when no message changed, and gives English entries their msgid: run twice, no diff.
translations: dev
	$(BIN)/python tools/catalog.py

## make wheel: the wheel an operator installs, in dist/.
wheel: $(BIN)/uv
	$(UV) build --wheel --out-dir dist --python $(BIN)/python

lint: dev lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache dist build
