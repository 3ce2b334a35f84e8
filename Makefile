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

.PHONY: help install system-deps demo test samples bench clean

help:
	@echo "make demo     install what is missing, then read every file in samples/"
	@echo "make test     install what is missing, then run the test suite"
	@echo "make samples  regenerate samples/ with our synthetic invoice generator"
	@echo "make bench    run the benchmarks in benchmarks/ (minutes)"

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

# Re-installs when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: install
	@for file in samples/*.*; do \
	  echo; echo "=== $$file"; \
	  $(BIN)/invoice-extract words --text "$$file" || exit $$?; \
	done

# pytest exits 5 when it collects no test; that is not a failure of the suite.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }

samples: install
	$(BIN)/python -m invoice_extract.training.make_samples samples

bench: install
	$(BIN)/python benchmarks/bench_documents.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
