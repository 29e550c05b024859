# One entry point for checks (STYLE 38): `make lint`, `make test`, identical locally and in CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The OSV export to import for `make assess` when offline; empty means download it (`steward db update`).
OSV ?= $(firstword $(wildcard ../shared/data/osv-pypi-pypa.zip))

.PHONY: setup lint test check demo assess bench bundle-names dist clean

$(BIN)/steward: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $@

setup: $(BIN)/steward

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python scripts/check_readme_help.py

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --cov --cov-report=term -q
	$(BIN)/python -m coverage report --fail-under=100 --include='src/pysteward/engine/*,src/pysteward/formats/*,src/pysteward/store/*'

check: test

# The main job: the operations server on the embedded SQLite database, with a demo estate whose
# monitors check a demo endpoint on 127.0.0.1 (prints a login, an API token and commands to try).
# The demo assesses a seeded project: the advisory database is imported first when there is none
# (offline from the OSV export when one is at hand).
demo: setup
	@$(BIN)/steward db status >/dev/null 2>&1 || if [ -n "$(OSV)" ]; then $(BIN)/steward db import "$(OSV)"; else $(BIN)/steward db update || echo "no advisory database: the demo assessment will say so"; fi
	$(BIN)/steward serve --demo

# The onboarding assessment: import the advisory database, then assess this repository (--offline: package-index
# facts only from the cache, so the demo sends nothing beyond this machine).
assess: setup
	@if [ -n "$(OSV)" ]; then $(BIN)/steward db import "$(OSV)"; else $(BIN)/steward db update; fi
	$(BIN)/steward db status
	$(BIN)/steward assess . --offline --fail-on never

bench: setup
	$(BIN)/python benchmarks/run_all.py

# A release wheel carries the popular-names list as of its build: fetch it (STEWARD_POPULAR_URL or
# the public data set) beside the typosquat module, then build. The repository never holds it.
bundle-names: setup
	$(BIN)/python -c 'from pysteward.engine.typosquat import bundle_popular_names as b; print(b().describe())'

dist: bundle-names
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
