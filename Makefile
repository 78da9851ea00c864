# Two commands do all the set-up on a fresh machine (Python 3.11+, make):
#   make run    install the runtime and start the dashboard on http://localhost:8501
#   make test   install what the tests need (incl. Debian's chromium) and run lint + tests
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint browser clean

$(STAMP_RUN): requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(STAMP_TEST): requirements-test.txt $(STAMP_RUN)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

run: $(STAMP_RUN)
	$(VENV)/bin/streamlit run app.py

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download is not used). Installed here when missing; needs root or sudo.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(STAMP_TEST) browser lint
	$(VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
