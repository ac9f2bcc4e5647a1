# Beacon v2 stack: node, ingest, aggregator. `make` alone lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ENGINE_STAMP := $(VENV)/.engine-installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test test-unit lint fmt docs demo serve clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,demo]'
	@touch $(STAMP)

# The embedded MongoDB-compatible engine (GPL-2.0-only) is a separate program that we only run,
# never import. 0.6.0b17 ships the fast Rust server; 0.7.0b3 is the Python-server fallback.
$(ENGINE_STAMP): | $(STAMP)
	$(BIN)/pip install --quiet 'SecantusDB==0.6.0b17' || $(BIN)/pip install --quiet 'SecantusDB==0.7.0b3'
	@touch $(ENGINE_STAMP)

install: $(STAMP) $(ENGINE_STAMP) ## create .venv with the programs, dev tools and the embedded engine

test: install ## run the whole test suite, with a coverage report
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

# No database at all: a test that reaches one without the mongo marker fails here.
test-unit: install ## run the tests that need no database (no engine is started)
	BEACON_EMBEDDED_ENGINE=false $(BIN)/pytest -m 'not mongo' $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), mypy strict (bench included), stale generated docs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m beacon.tools.docs --check

fmt: install ## format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: install ## regenerate the generated sections of docs/ (settings, parameters, CLI)
	$(BIN)/python -m beacon.tools.docs --write

# `make demo DEMO_ARGS='--samples 1000'` for a bigger network; data in .beacon-data/demo.
demo: install ## a synthetic 3-country network: API on :5060, query page on http://127.0.0.1:8060
	$(BIN)/python -m beacon.demo $(DEMO_ARGS)

serve: install ## run a node on 127.0.0.1:5050 (embedded engine unless MONGODB_URI is set)
	$(BIN)/beacon serve

.PHONY: bench-aggregator
bench-aggregator: install ## aggregator latency over 3/10/50 nodes vs the slowest node, throughput
	$(BIN)/python -m bench.aggregator

.PHONY: bench-load
bench-load: install ## 64 clients against one node, then the network over 3 nodes: req/s, p50/p99, errors, RSS
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.load $(BENCH_LOAD_ARGS)

.PHONY: bench-privacy
bench-privacy: install ## the membership attack (Shringarpure & Bustamante) against a node: power vs queries
	@command -v bcftools >/dev/null || { command -v apt-get >/dev/null \
		&& (apt-get update -qq && apt-get install -y -qq bcftools tabix) \
		|| echo "bcftools unavailable (no apt-get): the benchmark cannot split its cohort"; }
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.privacy $(BENCH_PRIVACY_ARGS)

# `make bench` runs every benchmark: each adds itself as a prerequisite (no recipe here, so
# the lines merge).
.PHONY: bench bench-ingest bench-query bench-terms
bench: bench-ingest bench-query bench-aggregator bench-load bench-privacy bench-terms bench-scale

bench-query: install ## query latency through HTTP vs the raw driver, throughput, a 20k-person cohort
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.query $(BENCH_QUERY_ARGS)

bench-terms: install ## /filtering_terms on the CINECA metadata: a page and the whole, vs the driver
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.terms $(BENCH_TERMS_ARGS)

# bcftools is the yardstick of the ingest benchmark: Debian's, installed here when missing.
bench-ingest: install ## VCF ingest vs bcftools view (1000G, CINECA) + a 20k-sample msprime cohort
	@command -v bcftools >/dev/null || { command -v apt-get >/dev/null \
		&& (apt-get update -qq && apt-get install -y -qq bcftools tabix) \
		|| echo "bcftools unavailable (no apt-get): the bcftools column stays empty"; }
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.ingest_vcf $(BENCH_ARGS)

# `make bench-scale BENCH_SCALE_ARGS='--length-kb 300'` for a shorter run (about 10 minutes as is).
.PHONY: bench-scale
bench-scale: install ## 100,000 simulated genomes: load vs bcftools view, memory, bytes/variant, queries vs driver
	@command -v bcftools >/dev/null || { command -v apt-get >/dev/null \
		&& (apt-get update -qq && apt-get install -y -qq bcftools tabix) \
		|| echo "bcftools unavailable (no apt-get): the bcftools column stays empty"; }
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.scale $(BENCH_SCALE_ARGS)

clean: ## stop the embedded engine and remove local data
	-$(BIN)/beacon db stop
	rm -rf .beacon-data
