# perpetuum — two commands do all set-up: `make run` (the daily refresh) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
PERPETUUM_UI_PORT ?= 3000

# Your DAGSTER_HOME wins; otherwise the project-local .dagster/ (with its tracked dagster.yaml).
DAGSTER_HOME ?= $(CURDIR)/.dagster
export DAGSTER_HOME
# Never download a Python build: use the python3 on this machine.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
VENV_STAMP := .venv/.synced-$(shell cat uv.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help run test ui bench setup dagster-home

run: setup dagster-home  ## the daily refresh on the configured price source
	.venv/bin/perpetuum refresh

test: setup dagster-home  ## the whole test suite (what CI runs)
	.venv/bin/pytest

# Dagster's notes about its own API (`dagster dev` superseded by `dg dev`, beta parameters it uses
# itself) are for the project's developers, not for users of the UI; your PYTHONWARNINGS wins.
ui: export PYTHONWARNINGS ?= ignore::FutureWarning:click.core,ignore::Warning:dagster._core.definitions.repository_definition.repository_data
ui: setup dagster-home  ## the Dagster UI on 127.0.0.1:$PERPETUUM_UI_PORT
	.venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PERPETUUM_UI_PORT)

bench: setup dagster-home  ## benchmarks; each prints ratios against a baseline measured in the same run
	.venv/bin/python benchmarks/ingest.py
	.venv/bin/python benchmarks/simulation.py
	.venv/bin/python benchmarks/scale.py
	.venv/bin/python benchmarks/refresh.py

help:  ## list these targets (the project's command: `.venv/bin/perpetuum --help`)
	@awk -F':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  make %-13s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))

setup: $(VENV_STAMP)  ## install the locked dependencies and the `perpetuum` command into .venv

$(VENV_STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	rm -f .venv/.synced-* && touch $@

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

dagster-home:  ## create $DAGSTER_HOME/dagster.yaml from the tracked one if missing
	@mkdir -p "$(DAGSTER_HOME)"
	@test -f "$(DAGSTER_HOME)/dagster.yaml" || cp .dagster/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
