# Tenantry developer commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PORT ?= 8443

# The real Azure CLI for tests/compat/test_azure_cli.py, in a venv of its own outside the clone (kept between
# runs and clones); the test finds it there (or TENANTRY_AZ / TENANTRY_AZ_VENV, or `az` on the PATH).
AZ_VENV ?= $(or $(TENANTRY_AZ_VENV),$(HOME)/.cache/tenantry-az)
AZ_VERSION ?= 2.91.0
AZ_STAMP := $(AZ_VENV)/.tenantry-azure-cli-$(AZ_VERSION)

.DEFAULT_GOAL := help

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Seamless SSO (python-gssapi) builds against MIT Kerberos' headers: added when they are installed.
	if command -v krb5-config >/dev/null 2>&1; then $(BIN)/python -m pip install --quiet -e '.[dev,kerberos]'; \
	else echo "note: krb5-config not found: seamless SSO stays off (apt-get install libkrb5-dev, then make install)"; fi
	touch $(STAMP)

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(STAMP) ## Create .venv and install Tenantry with its dev tools

.PHONY: run
run: $(STAMP) ## Start the server on embedded SQLite with a demo tenant (https://localhost:8443; PORT=N for another)
	$(BIN)/tenantry serve --demo --port $(PORT)

.PHONY: test
test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

.PHONY: az
az: $(AZ_STAMP) ## Install the real Azure CLI (azure-cli from PyPI) into its own venv for the az tests

$(AZ_STAMP):
	test -x $(AZ_VENV)/bin/python || $(PYTHON) -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install --quiet 'azure-cli==$(AZ_VERSION)'
	touch $(AZ_STAMP)

.PHONY: lint
lint: $(STAMP) ## ruff, ruff format --check, mypy --strict, import contracts, generated-code drift
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/gen_codes.py --check
	$(BIN)/python scripts/gen_config_docs.py --check

.PHONY: fmt
fmt: $(STAMP) ## Format the code
	$(BIN)/ruff format src tests scripts bench
	$(BIN)/ruff check --fix src tests scripts bench

.PHONY: gen
gen: $(STAMP) ## Regenerate errors/codes.py and docs/config.md
	$(BIN)/python scripts/gen_codes.py
	$(BIN)/python scripts/gen_config_docs.py

.PHONY: bench
bench: $(STAMP) ## Run the benchmarks (prints figures; needs wrk and node)
	$(BIN)/python bench/token_client_credentials.py

.PHONY: bench-signin
bench-signin: $(STAMP) ## Sign-in benchmark: ROPC, auth code + PKCE, SSO, beside the argon2 ceiling (needs wrk)
	$(BIN)/python bench/signin.py
