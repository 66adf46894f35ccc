# apcfem: `make demo` runs the flagship example, `make test` the whole suite (serial + MPI).
# Both create the environment (.venv, Python >= 3.12, DOLFINx 0.11 wheel) if it is missing.

VENV      ?= .venv
BIN       := $(VENV)/bin
DEMO_CASE ?= ag_sio2_pt_staircase
DEMO_DIR  ?= results/demo
NP        ?= 2

.PHONY: env demo test test-serial test-mpi test-slow bench clean-env

env: $(VENV)/.installed

# Find a Python >= 3.12 with venv: python3.13, python3.12, then pyenv's versions.
$(VENV)/.installed: pyproject.toml
	@py=""; \
	for cand in python3.13 python3.12 \
	    $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 \
	    $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 python3; do \
	  if command -v $$cand >/dev/null 2>&1 && $$cand -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    py=$$cand; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "error: no Python >= 3.12 with venv/ensurepip found (tried python3.13, python3.12, pyenv versions)." >&2; \
	  echo "       Install one (e.g. 'apt install python3.13-venv' or 'pyenv install 3.12') and rerun." >&2; \
	  exit 1; fi; \
	echo "creating $(VENV) with $$py"; \
	$$py -m venv $(VENV) && \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet -e ".[fem,dev]" && \
	touch $@

demo: env
	@start=$$(date +%s); \
	$(BIN)/apcfem --log-level warning run $(DEMO_CASE) --output $(DEMO_DIR) --overwrite && \
	echo "demo finished in $$(( $$(date +%s) - start )) s; open $(DEMO_DIR)/conductance_staircase.png" \
	     "and $(DEMO_DIR)/fields.bp (ParaView)"

test: test-serial test-mpi

# The serial suite runs on NP workers, one test file each (the long filament-dynamics runs are
# module fixtures in separate files, so they run side by side). Files go out in collection
# order, not xdist's default of most tests first, which left the long ECM files (few tests
# each) for last and the run 6 min longer.
test-serial: env
	$(BIN)/python -m pytest -q -n $(NP) --dist loadfile --no-loadscope-reorder --durations=10 -m "not slow"

test-mpi: env
	timeout 1500 $(BIN)/mpiexec -n $(NP) $(BIN)/python -m pytest -q -m "not serial and not slow" -p no:cacheprovider --durations=10

# The runs of several minutes each, marked slow (the ECM reset ladder, 100 s holds, cycles,
# set voltage against sweep rate, the bundled sweep and the 3-D ECM case on 1 and 2 ranks;
# the VCM reset stops, clamped set and set voltage against sweep rate; the ECM set's step and
# mesh convergence): ~1 h on 2 cores (58 min on a fresh clone).
test-slow: env
	$(BIN)/python -m pytest -q -n $(NP) --dist loadfile --durations=10 -m slow

# Prints figures (no assertions about time); benchmarks/RESULTS.md records them. ~15 min.
bench: env
	$(BIN)/python benchmarks/bench_landauer.py
	$(BIN)/python benchmarks/bench_runs.py
	$(BIN)/python benchmarks/bench_solvers.py

clean-env:
	rm -rf $(VENV)
