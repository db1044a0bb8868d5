# Two commands on a fresh machine:
#   make run   - set everything up, ingest the shipped corpus, serve the web app on 127.0.0.1:7860
#   make test  - set everything up and run the whole test suite (what CI runs)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.jfp-setup-done
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup run test lint bench browser clean-index

setup: $(STAMP)

# Re-running set-up when nothing changed takes no time: the stamp is newer than pyproject.toml.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# torch first, from the CPU wheel on disk, so nothing pulls the CUDA build
	$(BIN)/pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	$(BIN)/python -m assistant.tokens
	$(BIN)/python -m ingest.onnx_query
	@touch $(STAMP)

browser:
	@# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser)
	@command -v chromium >/dev/null 2>&1 || { (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will be skipped"; }

run: setup
	$(BIN)/jfp ingest
	$(BIN)/jfp ask "What must the joint forward plan say about climate change?"
	$(BIN)/jfp ui

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python bench/run_all.py
