# invoice-extract: the two set-up commands are `make demo` and `make test`.
# Both install what is missing (Debian packages, a .venv with the package) and are safe to
# run again. Run as root, or as a user who may sudo, on Debian or Ubuntu.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra \
	tesseract-ocr-nld tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-osd poppler-utils
PYTEST_ARGS ?=

INIT ?= minilm
EPOCHS ?= 3

.PHONY: help install install-train system-deps demo test samples bench model clean

help:
	@echo "make demo     install what is missing, then extract every file in samples/ (a table, and JSON)"
	@echo "make test     install what is missing, then run the test suite"
	@echo "make samples  regenerate samples/ with our synthetic invoice generator"
	@echo "make bench    run the benchmarks in benchmarks/ (minutes)"
	@echo "make model    build the data, train, export and check the tagging model (about an hour;"
	@echo "              needs ../shared/data/sroie; INIT=minilm|scratch EPOCHS=3)"

install: system-deps $(VENV)/.installed

system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# constraints.txt holds the versions the tests passed with, so a fresh clone installs those.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

# Re-installs when pyproject.toml or constraints.txt changes.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

# The train extra (torch, transformers...) is only for `make model` and its benchmarks; the
# constraints pin what it shares with the dev install and leave the rest to its own bounds.
install-train: install $(VENV)/.installed-train

$(VENV)/.installed-train: pyproject.toml constraints.txt
	$(PIP_INSTALL) -e '.[dev,train]'
	touch $@

# Reads the samples twice (a table for people, then JSON records); a few seconds each.
demo: install
	$(BIN)/invoice-extract extract samples/ --format table
	@mkdir -p build/demo
	@$(BIN)/invoice-extract extract samples/ -o build/demo/records.json
	@echo "The records as JSON: build/demo/records.json (expected values: samples/expected/)"

# pytest exits 5 when it collects no test; that is not a failure of the suite.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }

samples: install
	$(BIN)/python -m invoice_extract.training.make_samples samples

bench: install-train
	$(BIN)/python benchmarks/bench_documents.py
	$(BIN)/python benchmarks/bench_ner.py --run build/run-$(INIT)
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_watch.py
	$(BIN)/python benchmarks/bench_einvoice.py

# Reproducible (fixed seeds). export refuses to install a model that does not beat the
# one in models/ on the dev sets; commit models/ only after it installed.
model: install-train
	$(BIN)/python -m invoice_extract.training.dataset --out build/data
	$(BIN)/python -m invoice_extract.training.train --data build/data --init $(INIT) \
	  --epochs $(EPOCHS) --out build/run-$(INIT)
	$(BIN)/python -m invoice_extract.training.export build/run-$(INIT) --data build/data --install
	$(BIN)/python -m invoice_extract.training.evaluate --set sroie-ocr
	$(BIN)/python -m invoice_extract.training.evaluate --set sroie-given
	$(BIN)/python -m invoice_extract.training.evaluate --set synthetic
	$(BIN)/python -m invoice_extract.training.card

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
