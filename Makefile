# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV       := .venv
RASA_VENV  := .venv-rasa
APP        := $(VENV)/bin/supportline
# An external Rasa server (RASA_URL pointing off this machine) needs no local Rasa environment.
LOCAL_RASA := $(if $(filter-out http://127.0.0.1% http://localhost%,$(RASA_URL)),,yes)

.PHONY: run test setup train bench catalogs screenshots clean

run: setup ## set up on first use, then start Rasa and the app
	$(APP) run

test: setup ## set up, train if content changed, run the whole suite
	@scripts/ensure-chromium || echo "Could not install Chromium: the browser tests will be skipped (they fail when CI=true)."
	$(if $(LOCAL_RASA),$(APP) train)
	$(VENV)/bin/pytest

setup: $(VENV)/.installed $(if $(LOCAL_RASA),$(RASA_VENV)/.installed)

$(VENV)/.installed: pyproject.toml
	@python=$$(scripts/find-python 3.11+) || { echo "No Python 3.11 or newer found: install one (e.g. pyenv install 3.11)."; exit 1; }; \
	  echo "app environment: $$python -> $(VENV)"; \
	  "$$python" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

$(RASA_VENV)/.installed: nlu/requirements-rasa.txt nlu/constraints-rasa.txt
	@python=$$(scripts/find-python 3.10) || { \
	  echo "Rasa 3.6 needs Python 3.10, and none was found on this machine."; \
	  echo "  - install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', then run make again;"; \
	  echo "  - or use a Rasa server you already run: RASA_URL=http://rasa.example:5005 make run"; \
	  exit 1; }; \
	  echo "Rasa environment: $$python -> $(RASA_VENV)"; \
	  "$$python" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/pip install --quiet -r nlu/requirements-rasa.txt -c nlu/constraints-rasa.txt
	@touch $@

train: setup ## train the NLU model if content changed
	$(APP) train

bench: setup ## measure, and record in docs/benchmarks.md (BENCH_ARGS=--quick, BENCH_ARGS="--only e2e parts", …)
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

screenshots: setup ## re-take the README's screenshots (docs/img) with the browser tests
	scripts/ensure-chromium
	SCREENSHOT_DIR=docs/img $(VENV)/bin/pytest -q tests/test_web_chat_browser.py tests/test_handoff_browser.py tests/test_stats_browser.py

catalogs: $(VENV)/.installed ## extract interface strings and update every catalog
	scripts/extract-messages
	$(VENV)/bin/pybabel update -i bot/i18n/locales/messages.pot -d bot/i18n/locales --no-fuzzy-matching --ignore-obsolete
	scripts/extract-console-messages
	$(VENV)/bin/pybabel update -D console -i bot/console/locales/console.pot -d bot/console/locales --no-fuzzy-matching --ignore-obsolete

clean: ## remove environments, models and local data
	rm -rf $(VENV) $(RASA_VENV) .cache var
