# Two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package.json package-lock.json 2>/dev/null | sha1sum | cut -c1-12)
VENDOR := eventapp/static/vendor
export FLASK_APP := wsgi

.PHONY: install run test lint bench translations extract-messages clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsQR.js
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d eventapp/translations

# Developers: refresh the catalogue after changing user-facing strings. Babel skips
# folders starting with _ unless told otherwise: templates/_macros holds strings too.
EXTRACT_OPTIONS := -k _l -k lazy_gettext -k N_ --ignore-dirs='.* node_modules'
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_OPTIONS) -o /tmp/eventapp.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i /tmp/eventapp.pot -d eventapp/translations

# The server of `make run` and of a venue laptop serving without a proxy: waitress reads
# each request whole (headers and body) in its I/O loop before a thread runs the app, so
# a client that sends slowly holds a connection, never a thread; idle connections close
# after 30 s. X-Forwarded-* headers are passed on: the app's TRUSTED_PROXIES alone
# decides whether to believe them (0 by default). tests/test_slow_clients.py probes
# exactly these options.
SERVE := waitress-serve --threads=8 --connection-limit=500 --channel-timeout=30 \
	--asyncore-use-poll --no-clear-untrusted-proxy-headers

# `make run PORT=8000` when 5000 is taken (macOS AirPlay listens there). Pages link to
# the address the browser used; BASE_URL is only for mail sent by background jobs.
PORT ?= 5000
run: export BASE_URL := $(or $(BASE_URL),http://127.0.0.1:$(PORT))
run: install
	$(BIN)/flask db upgrade
	@$(BIN)/flask demo
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT)  (sign in at http://127.0.0.1:$(PORT)/login with a login above)"
	$(BIN)/$(SERVE) --listen=127.0.0.1:$(PORT) wsgi:app

# The whole suite. With PostgreSQL configured (TEST_DATABASE_URL) and no PYTEST_ARGS, its
# PostgreSQL half and the rest (SQLite, the browser, pure units) run as two pytest
# processes side by side on the machine's cores: they share nothing (a SQLite file and a
# PostgreSQL schema per test, Redis keys under a prefix per test, servers on free
# ports), so neither can change the other's outcome. The PostgreSQL half's output
# follows the rest's; the exit status fails if either failed.
test: install
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -z "$(PYTEST_ARGS)" ]; then \
	  log=$$(mktemp); pgtmp=$$(mktemp -d); \
	  $(BIN)/python -m pytest -k postgresql --basetemp=$$pgtmp/t >$$log 2>&1 & pg=$$!; \
	  $(BIN)/python -m pytest -k "not postgresql"; rest=$$?; \
	  wait $$pg; pgrc=$$?; \
	  echo; echo "== the PostgreSQL half (run beside the rest)"; cat $$log; \
	  rm -rf $$log $$pgtmp; \
	  test $$rest -eq 0 -a $$pgrc -eq 0; \
	else \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

lint: install
	$(BIN)/ruff check eventapp tests bench

# The HTTP benchmarks are driven by wrk (a C load generator): Debian's package.
bench: install
	@command -v wrk >/dev/null || { echo "== installing wrk (Debian package)"; \
		apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
