# Two commands matter on a fresh clone: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
TORCH := torch==2.13.0
# What `make test` installs on top of the package (e.g. TEST_EXTRAS = dev,eval).
TEST_EXTRAS = dev,eval
# One stamp per install: `make run` needs the package only, `make test` its extras as well, so
# `make run` then `make test` adds the extras and `make test` then `make run` installs nothing.
comma := ,
STAMP := $(VENV)/.hf-audiosr-installed
TEST_STAMP := $(VENV)/.hf-audiosr-installed-$(subst $(comma),-,$(TEST_EXTRAS))
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_EVALUATE_OFFLINE=1 TRANSFORMERS_OFFLINE=1

.PHONY: install install-test run test lint format benchmark

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch is pinned here (a local CPU wheel on our machines); the package itself declares a range.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q $(TORCH) -e ".[$(TEST_EXTRAS)]"
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

run: install
	@mkdir -p outputs
	$(OFFLINE) $(VENV)/bin/hf-audiosr upsample src/hf_audiosr/examples/p228_008_8k.flac -o outputs/p228_008_48k.wav --plot

lint: install-test
	$(VENV)/bin/ruff check src tests scripts spaces
	$(VENV)/bin/ruff format --check src tests scripts spaces

format: install-test
	$(VENV)/bin/ruff format src tests scripts spaces
	$(VENV)/bin/ruff check --fix src tests scripts spaces

test: lint
	$(OFFLINE) $(VENV)/bin/python -m pytest -q -p no:cacheprovider

benchmark: install
	$(OFFLINE) $(VENV)/bin/hf-audiosr benchmark --data ../shared/data/eval --out outputs/benchmark
