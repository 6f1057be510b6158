# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv (Python 3.13 preferred) and install what is missing, system packages included.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# python3-venv: ensurepip, without which the system Python cannot build .venv. libzbar0: the QR
# decoder behind pyzbar. libusb-1.0-0: USB printers through pyusb.
RUN_SYSTEM_PACKAGES := python3-venv libzbar0 libusb-1.0-0
# chromium: the real browser for the end-to-end tests. shellcheck, systemd: checks of deploy/.
# libreoffice-calc-nogui: a real spreadsheet reading our CSV reports. sqlite3: the benchmark baseline.
# caddy: the reverse proxy the proxy and door-tablet tests go through (HTTPS, its own CA);
# libnss3-tools: certutil, which puts that CA into the test browser's trust store.
TEST_SYSTEM_PACKAGES := chromium fonts-dejavu-core shellcheck systemd libreoffice-calc-nogui sqlite3 \
	caddy libnss3-tools

.PHONY: run test lint format venv system-packages test-system-packages browser-deps vendor-zxing \
	bench clean

run: venv
	$(VENV)/bin/kiosk up

test: venv test-system-packages browser-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

venv: system-packages $(STAMP)

system-packages:
	@sh deploy/system-packages.sh $(RUN_SYSTEM_PACKAGES)

test-system-packages:
	@sh deploy/system-packages.sh $(TEST_SYSTEM_PACKAGES)

# axe-core: the accessibility checker the browser tests inject into each page, from npm into
# node_modules/ (gitignored), served from disk so the tests need no network after this step.
browser-deps: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js:
	@command -v npm >/dev/null 2>&1 || sh deploy/system-packages.sh npm
	npm install --no-save --no-audit --no-fund axe-core@4

# The door page's in-browser QR decoder. The built files are committed under
# kiosk/web/static/vendor/zxing-wasm/ (about 1 MB) so that `make run` and the wheel work
# offline; this step refreshes them from npm when the pinned version changes.
ZXING_WASM_VERSION := 3.1.6
ZXING_VENDOR := kiosk/web/static/vendor/zxing-wasm

vendor-zxing:
	@command -v npm >/dev/null 2>&1 || sh deploy/system-packages.sh npm
	npm install --no-save --no-audit --no-fund zxing-wasm@$(ZXING_WASM_VERSION)
	cp node_modules/zxing-wasm/dist/iife/reader/index.js $(ZXING_VENDOR)/zxing-reader.js
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm $(ZXING_VENDOR)/zxing_reader.wasm
	cp node_modules/zxing-wasm/LICENSE $(ZXING_VENDOR)/LICENSE

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(sh deploy/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Benchmarks print figures and assert nothing. reports.py generates its databases under
# /tmp/tankkaamo-bench first when they are missing (about a minute and a half).
BENCHMARKS := scanner badge reports report_kinds dashboard_load load notify browser_decode \
	door_touch pi stats_page cold_start retention

bench: venv
	@for name in $(BENCHMARKS); do echo "== bench/$$name.py"; $(PY) bench/$$name.py || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
