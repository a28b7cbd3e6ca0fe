# tumis-mining: `make run` (set up and run on the sample corpus), `make test`, `make bench`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export OMP_THREAD_LIMIT ?= 1

.PHONY: run test bench install install-dev system-deps test-deps sample-corpus clean help

help:
	@echo "make run    - set up .venv and run the pipeline on the bundled sample corpus"
	@echo "make test   - set up .venv with the dev extras and run the whole test suite"
	@echo "make bench  - run the benchmarks (figures against their targets)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps 'bertopic>=0.17,<0.18'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps 'bertopic>=0.17,<0.18'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed system-deps
install-dev: $(VENV)/.installed-dev test-deps

# OCR needs Debian's tesseract with Indonesian; installed when missing and we may (root + apt).
system-deps:
	@bash scripts/system-deps.sh

# The tests also drive `tumis serve` in Debian's headless chromium.
test-deps:
	@bash scripts/system-deps.sh --test

run: install
	$(BIN)/tumis refresh --config corpora/sample.toml
	@echo
	@echo "Refreshed data/corpus.db from corpora/sample (the refresh_corpus Prefect flow, on"
	@echo "Prefect's temporary local server): every passage classified and indexed."
	@echo "Run it again: only what changed is processed. Sources live in corpora/sample.toml."
	@echo "Query it:"
	@echo "  $(BIN)/tumis query miskin --variable collaborative_process --db data/corpus.db"
	@echo "  $(BIN)/tumis query --type perbup --format json --limit 5 --db data/corpus.db"
	@echo "  $(BIN)/tumis stats --db data/corpus.db"
	@echo "Browse it (Ctrl-C stops):  $(BIN)/tumis serve --db data/corpus.db"
	@echo "Export it for QDA tools:   $(BIN)/tumis export --format qdpx --db data/corpus.db corpus.qdpx"
	@echo "Fit topics (then refreshes assign new passages):  $(BIN)/tumis topics --db data/corpus.db"
	@echo "Parse one document without a database:  $(BIN)/tumis extract FILE --json"

test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python benchmarks/run.py

sample-corpus: install-dev
	$(BIN)/python scripts/make_sample_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
