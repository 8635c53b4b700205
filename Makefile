# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Each creates .venv with a Python >= 3.12 if it is missing and installs the project.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= out/headline
SPEC   ?= experiments/specs/compensation-x-pacing.toml
HOST   ?= 127.0.0.1
PORT   ?= 8765

# First interpreter >= 3.12 among the usual names, then pyenv's own installs.
# The .python-version file lets pyenv's shims answer inside this folder.
FIND_PYTHON = for c in python3.13 python3.12 python3.14 python3 python \
	  $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v $$c; exit 0; fi; done; exit 1

.PHONY: run test test-fast lint format mutation bench install clean help dashboard bench-dashboard screenshots figures robustness

help:
	@echo "make run    - the headline sweep (compensation x pacing) on local processes, then its analysis in $(OUT)"
	@echo "make test   - run the whole test suite"
	@echo "make test-fast - the quick loop (no slow, browser or cluster tests: see the markers in pyproject.toml)"
	@echo "make lint   - ruff (lint and format check) and mypy on simulation/"
	@echo "make mutation - mutation testing of the rule modules with mutmut (slow, not in make test; docs/mutation.md)"
	@echo "make bench  - print the model's speed figures"
	@echo "make dashboard - open the model in a web browser (HOST=0.0.0.0 for a room's network)"
	@echo "make figures - redraw every figure in README.md and docs/ (make run, make screenshots)"
	@echo "make assumptions-doc - rewrite docs/assumptions.md from the assumptions registry"
	@echo "make robustness - where the ten patterns hold across the assumptions: docs/robustness.md (long)"

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  base=$$($(FIND_PYTHON)) || { echo "error: no Python >= 3.12 found (tried python3.13, python3.12, python3, pyenv installs); install one, e.g. 'pyenv install 3.12'" >&2; exit 2; }; \
	  echo "creating $(VENV) with $$base"; \
	  $$base -m venv $(VENV) || exit 2; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint]'
	@touch $(STAMP)

install: $(STAMP)

# The headline sweep takes seconds: start it afresh so results always match the code.
run: $(STAMP)
	rm -rf $(OUT)
	$(VENV)/bin/coprod sweep $(SPEC) --out $(OUT)
	$(VENV)/bin/coprod analyze $(OUT)

test: $(STAMP)
	$(PY) -m pytest -q

# The quick loop: everything but the tests that take seconds each (slow: many seeds, subprocesses,
# figures), the browser and the cluster.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser and not cluster"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy simulation

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Mutation testing (docs/mutation.md): mutmut mutates the rule modules (see [tool.mutmut] in
# pyproject.toml) and runs the fast tier against each mutant. Too slow for CI: not part of
# make test. Starts afresh so the score matches the code; MUTANTS='simulation.money*' narrows
# it, MUTATION_JOBS sets the worker processes. COPROD_KERNELS=numpy: the rules' numpy lines
# (the ones mutated) run, and the rule tests run both loops (tests/builders.py NUMPY_TOO).
MUTANTS       ?=
MUTATION_JOBS ?= 2
mutation: $(STAMP)
	@test -x $(VENV)/bin/mutmut || $(PY) -m pip install --quiet 'mutmut>=3.2'
	rm -rf mutants
	@# progress on one line; survivors (🙁), timeouts and suspicious mutants are listed as they come
	bash -o pipefail -c 'COPROD_KERNELS=numpy $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS) \
	  | grep --line-buffered -v "^🎉"'
	@$(VENV)/bin/mutmut results | grep -v "not checked" || true
	@$(VENV)/bin/mutmut results --all true | awk -F': ' '$$2 != "not checked" { \
	  split($$1, n, "."); m = n[2]; \
	  total[m]++; if ($$2 == "killed") killed[m]++ } END { for (m in total) { \
	  printf "%-14s %4d / %4d killed  %5.1f%%\n", m, killed[m], total[m], 100 * killed[m] / total[m]; \
	  k += killed[m]; t += total[m] } printf "%-14s %4d / %4d killed  %5.1f%%\n", "all", k, t, 100 * k / t }' | sort

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_batch.py
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_draws.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis

dashboard: $(STAMP)
	$(VENV)/bin/coprod dashboard --host $(HOST) --port $(PORT)

bench-dashboard: $(STAMP)
	$(PY) benchmarks/bench_dashboard.py

# The workshop room with 12 phones, a projector and the facilitator in Chromium (issue 13).
.PHONY: bench-room
bench-room: $(STAMP)
	$(PY) benchmarks/bench_room.py

screenshots: $(STAMP)
	$(PY) -m dashboards.screenshots

# Every figure README.md and docs/ show; docs/img/figures.toml says which target makes each.
figures: run screenshots robustness
	$(PY) -m experiments.analysis.figures --out $(OUT)

# docs/robustness.md: the ten patterns tested across the assumptions' ranges (docs/sweeps.md).
# Starts afresh so the report matches the code; ROBUSTNESS_OUT keeps the run's tables.
ROBUSTNESS_OUT ?= out/robustness
robustness: $(STAMP)
	rm -rf $(ROBUSTNESS_OUT)
	$(VENV)/bin/coprod robustness --samples 64 --seeds 10 --workers 2 --out $(ROBUSTNESS_OUT)
	$(PY) -m experiments.analysis.robustness_report $(ROBUSTNESS_OUT) --to docs/robustness.md \
	  --figures docs/img/robustness
	mkdir -p docs/robustness
	cp $(ROBUSTNESS_OUT)/robustness.parquet $(ROBUSTNESS_OUT)/checks.parquet \
	  $(ROBUSTNESS_OUT)/manifest.json docs/robustness/

# docs/assumptions.md, generated from the assumptions registry (simulation/assumptions.py);
# tests/test_docs.py fails when the file and the registry differ.
.PHONY: assumptions-doc
assumptions-doc: $(STAMP)
	$(VENV)/bin/coprod params --assumptions --markdown > docs/assumptions.md
