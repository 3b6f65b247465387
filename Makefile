# One command sets everything up and runs the baseline: `make`.
# One command runs the tests: `make test` (all of them, as CI does); `make test-fast` leaves out the slow ones
# and those that drive a browser (which `make test` installs).

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: baseline setup browser test test-fast lint notebooks regression bench clean

baseline: setup
	$(VENV)/bin/sim run scenarios/trump2025.yaml

setup: $(STAMP)

# A Python >= 3.12 (mesa 3.5 needs it): python3.13, python3.12, python3, or one pyenv has.
$(STAMP): pyproject.toml
	@set -e; py=""; \
	for cand in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  if $$cand -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py=$$cand; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "error: sim needs Python 3.12 or newer; none was found" >&2; exit 2; fi; \
	echo "Using $$($$py --version) at $$(command -v $$py || echo $$py)"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[explore,analysis,dask,dev]'
	@touch $(STAMP)

# The explorer's browser tests drive Debian's chromium: Playwright cannot download a browser of its own here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium (Debian) for the explorer's browser tests"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends chromium; }

# pytest exits 5 when it collected no tests: say so, and fail.
PYTEST = status=0; $(PY) -m pytest $(1) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$status

test: setup browser
	@$(call PYTEST,)

test-fast: setup
	@$(call PYTEST,-m "not slow and not browser")

# Run the notebooks top to bottom and store them with their outputs (after the model changes, say).
notebooks: setup
	cd notebooks && MPLBACKEND=Agg ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False *.ipynb

# Rewrite the regression baseline (every shipped scenario's headline numbers at a fixed seed)
# after a change meant to move results; commit it with the change, so its diff shows what moved.
regression: setup
	$(PY) tests/regression/baseline.py

# The performance guard: sim run's speed as a multiple of Mesa's batch_run, both measured now, against
# bench/guard.json (a million worlds: a few minutes on two cores); `--store` in bench/guard.py renews it.
bench: setup
	$(PY) bench/guard.py

# Style, formatting and types: ruff, then mypy on simulator/ (configured in pyproject.toml).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) runs build *.egg-info
