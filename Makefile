# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv (Python 3.13 preferred) and install what is missing, system packages included.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# libzbar0: the QR decoder behind pyzbar. libusb-1.0-0: USB printers through pyusb.
RUN_SYSTEM_PACKAGES := libzbar0 libusb-1.0-0
# chromium: the real browser for the end-to-end tests. shellcheck, systemd: checks of deploy/.
# libreoffice-calc-nogui: a real spreadsheet reading our CSV reports.
TEST_SYSTEM_PACKAGES := chromium shellcheck systemd libreoffice-calc-nogui

.PHONY: run test lint format venv system-packages test-system-packages bench clean

run: venv
	$(VENV)/bin/kiosk up

test: venv test-system-packages
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

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(sh deploy/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

bench: venv
	for script in bench/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
