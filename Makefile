# The single entry point. `make demo` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install demo test bench lint synth model layers clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) -m plexlabor_dev.cli demo

test: lint
	$(PY) -m pytest -q -n 2 --dist loadfile tests

bench: install
	$(PY) -m pytest -q -s -o python_files="bench_*.py" tests/bench

lint: install
	$(VENV)/bin/ruff check layers dev functions infra tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

model: install
	$(PY) -m plexlabor_dev.cli train --out layers/core/plexlabor/validation/scorer_model.json

clean:
	rm -rf $(VENV) .pytest_cache cdk.out build

layers: install
	$(PY) infra/build_layers.py

synth: install layers
	$(PY) infra/app.py
