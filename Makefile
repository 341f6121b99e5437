# The two commands of the README: `make run` and `make test`. Both set up .venv on first use
# (with a Python 3.12+ found by scripts/find-python; set PYTHON=... to choose one).
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= configs/default.yaml

.PHONY: run test lint setup lab clean chromium bench
.DEFAULT_GOAL := test

run: $(VENV)/.installed  ## run the default config; writes results/<config-name>-<seed>/
	@# the package's bytecode, written here because an environment with PYTHONDONTWRITEBYTECODE set (as on
	@# our machines) would otherwise compile every module's source again at each start: 0.1-0.2 s of a run
	@$(BIN)/python -m compileall -q sim
	$(BIN)/giftsim run $(CONFIG) --overwrite

test: lint chromium  ## lint, then the whole test suite (what .ci/run calls)
	$(BIN)/python -m pytest

# The dashboard's browser test (tests/dashboard/test_browser.py) drives Debian's chromium through Playwright.
chromium:  ## install /usr/bin/chromium with apt-get if it is missing (as root; otherwise say how)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the dashboard's browser test"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "make: the dashboard's browser test needs /usr/bin/chromium: run 'sudo apt-get install chromium'" \
	      "(Debian or Ubuntu), or make test as root, which installs it" >&2; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.installed  ## style, import order and likely bugs (ruff, rules in pyproject.toml)
	$(BIN)/ruff check sim tests benchmarks scripts

bench: $(VENV)/.installed  ## list the benchmarks: what each measures and how long it takes (runs none)
	$(BIN)/python -m benchmarks

setup: $(VENV)/.installed

lab: $(VENV)/.installed  ## open the notebooks in JupyterLab
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks]'
	$(BIN)/jupyter lab notebooks/

$(VENV)/.installed: pyproject.toml constraints.txt scripts/find-python
	@python=$$(./scripts/find-python) || exit 1; \
	  echo "Setting up $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'   # the versions CI tests
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
