# `make run` and `make test` are the two commands a newcomer needs; each installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format typecheck check worker conformance bench assets node ffmpeg chromium nginx pdf-libs messages credential-verifier clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

# System tools come from the system's packages: apt-get when we are root, else a clear message.
define system_package
	@if command -v $(1) >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing $(2) with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
	  echo "$(1) is missing. Install it first, e.g. 'sudo apt-get install $(2)' (Debian/Ubuntu)"; \
	  echo "or 'brew install $(3)' (macOS), then run make again."; \
	  exit 1; \
	fi
endef

ffmpeg:
	$(call system_package,ffprobe,ffmpeg,ffmpeg)

# The end-to-end tests drive a real headless Chromium.
chromium:
	$(call system_package,chromium,chromium,--cask chromium)

# WeasyPrint (the PDF registers) needs Pango and HarfBuzz's subsetter from the system.
pdf-libs:
	@if ldconfig -p | grep -q libharfbuzz-subset && ldconfig -p | grep -q libpango-1.0; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	else \
	  echo "WeasyPrint's libraries are missing. Install them first, e.g."; \
	  echo "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0' (Debian/Ubuntu), then run make again."; \
	  exit 1; \
	fi

# nginx checks playback signatures itself (deploy/nginx/): its tests and benchmark run a real nginx
# with the njs module. A freshly installed Debian nginx starts on port 80: it is stopped again.
NJS_MODULE := /usr/lib/nginx/modules/ngx_http_js_module.so
nginx:
	@if { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null && [ -f $(NJS_MODULE) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  had_nginx=$$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null); \
	  echo "Installing nginx libnginx-mod-http-js with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-js >/dev/null || exit 1; \
	  if [ -z "$$had_nginx" ]; then service nginx stop >/dev/null 2>&1 || true; fi; \
	else \
	  echo "nginx or its njs module ($(NJS_MODULE)) is missing. Install them first, e.g."; \
	  echo "'sudo apt-get install nginx libnginx-mod-http-js' (Debian/Ubuntu), then run make again."; \
	  exit 1; \
	fi

# Front-end packages (Bootstrap Italia, hls.js, axe-core) come from the npm registry as the lockfile
# pins them; the pages serve a copy under pages/static/pages/vendor/ (neither is committed).
node:
	$(call system_package,npm,nodejs npm,node)

node_modules/.package-lock.json: package.json package-lock.json | node
	npm ci --no-audit --no-fund --loglevel=error

VENDORED := pages/static/pages/vendor/.copied
$(VENDORED): node_modules/.package-lock.json tools/vendor_assets.py | $(BIN)/python
	$(BIN)/python tools/vendor_assets.py
	touch $@

assets: $(VENDORED)

var:
	mkdir -p var

## run: the app with demo data on http://127.0.0.1:8000 (SQLite under var/, tasks in-process)
run: export DEBUG ?= 1
run: $(VENV)/.installed-run $(VENDORED) ffmpeg pdf-libs | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --with-video
	$(BIN)/python manage.py seed_attendance_demo
	$(BIN)/python manage.py seed_certificates_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the test suite (PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set)
# The certificates' tests check every credential with an implementation that is not ours:
# digitalbazaar's Verifiable Credentials libraries under Node, pinned by their own lockfile.
CREDENTIAL_VERIFIER := tools/credential-verifier/node_modules/.package-lock.json
$(CREDENTIAL_VERIFIER): tools/credential-verifier/package.json tools/credential-verifier/package-lock.json | node
	npm ci --prefix tools/credential-verifier --no-audit --no-fund --loglevel=error

credential-verifier: $(CREDENTIAL_VERIFIER)

test: $(VENV)/.installed-dev $(VENDORED) $(CREDENTIAL_VERIFIER) ffmpeg chromium nginx pdf-libs | var
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

check: lint typecheck

## worker: a Celery worker (needs CELERY_BROKER_URL; without it tasks already run in-process)
worker: $(VENV)/.installed-run
	$(BIN)/celery -A lms worker --queues=celery,media --loglevel=INFO

## conformance: ADL's LRS conformance suite against a disposable server; prints passed/failed per
## xAPI version. Needs LRS_SUITE_DIR (a checkout of adlnet/lrs-conformance-test-suite) and Node.js.
conformance: $(VENV)/.installed-run | var
	$(BIN)/python tools/lrs_conformance.py $(CONFORMANCE_ARGS)

## bench: every benchmark in bench/ against real servers (PostgreSQL on DATABASE_URL's server,
## postgres@127.0.0.1:5432 by default); each prints its figures beside its targets. Fails if any
## benchmark misses a target or cannot run (the others still run). bench/_*.py are their helpers.
bench: $(VENV)/.installed-run ffmpeg nginx | var
	@failed=""; for script in bench/[!_]*.py; do \
	  echo "== $$script"; \
	  $(BIN)/python "$$script" || failed="$$failed $$script"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed"; exit 1; fi

## messages: refresh the Italian translation catalogue after changing strings (needs gettext)
messages: $(VENV)/.installed-dev
	DEBUG=1 $(BIN)/python manage.py makemessages -l it --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'node_modules/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules tools/credential-verifier/node_modules pages/static/pages/vendor
