# The two commands of the README's quick start; each sets itself up on a fresh machine.
#   make map DATE=2024-12-06 [OUT=map.html]   -> the control map for a date
#   make test                                  -> lint, types and the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
DATE ?= 2024-12-06
OUT ?= map.html
STAMP := $(VENV)/.installed

.PHONY: install map test lint browser clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]' --group dev --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

map: $(STAMP)
	$(VENV)/bin/syriamap map --date $(DATE) -o $(OUT)

# Debian's chromium and chromedriver for the real-browser tests, and tesseract with Arabic for the
# test that reads the Arabic in images (installed when missing and root).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 || ! command -v tesseract >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver tesseract-ocr tesseract-ocr-ara >/dev/null; \
	  else echo "chromium/chromedriver/tesseract missing: browser and OCR tests will be skipped (CI installs them)"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check syriamap tests data/build $(wildcard benchmarks)
	$(VENV)/bin/mypy

test: $(STAMP) browser lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/artifacts
