# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080
DEMO_PASSWORD ?= demo-pass-numerique
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install translations extract clean bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Compiled catalogues are build products (console/catalogues/): made here from every fragment, never committed;
# the package build (setup.py) makes them too, so a wheel or `pip install .` is French.
translations: install
	$(PY) scripts/compile_catalogues.py

# Developers: list the strings of the code (tests/test_translations.py says which lack French).
extract: install
	$(VENV)/bin/pybabel extract -F translations/babel.cfg -k lazy_gettext -k _l -k N_ -o translations/messages.pot .

run: translations
	$(VENV)/bin/console init
	$(VENV)/bin/console demo --password $(DEMO_PASSWORD) --if-empty
	$(VENV)/bin/console run --host 127.0.0.1 --port $(PORT)

# The browser test drives Debian's Chromium (never a downloaded browser).
test: translations
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	scripts/with-services $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache console/catalogues build
