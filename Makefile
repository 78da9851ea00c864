# Two commands do all the set-up on a fresh machine (Python 3.11+, make):
#   make run    install the runtime and start the dashboard on http://localhost:8501
#   make test   install what the tests need (incl. Debian's chromium) and run lint + tests
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint browser fonts nginx postgres clean

$(STAMP_RUN): requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(STAMP_TEST): requirements-test.txt $(STAMP_RUN)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# `make run` also sets up the screenshot button (atlas.export.screenshot): Debian's
# chromium and a CJK font for Korean and Chinese (the `browser` target). Tried, never
# required: without root or passwordless sudo it prints one line saying how, and starts
# anyway. serve.py is app.py plus the /oembed route (the browser tests start it too).
run: $(STAMP_RUN)
	@$(MAKE) --no-print-directory -s browser 2>/dev/null || true
	$(VENV)/bin/streamlit run serve.py

# Debian's fonts-noto-cjk (SIL Open Font License 1.1): Noto Sans/Serif CJK for Korean and
# Chinese in every browser on this machine, headless Chromium included. Checked by
# tests/browser/test_fonts.py.
fonts:
	@fc-list :lang=ko family 2>/dev/null | grep -q . && fc-list :lang=zh family 2>/dev/null | grep -q . || { \
	  echo "Installing Debian's fonts-noto-cjk (Korean and Chinese glyphs)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-cjk >/dev/null \
	  || { echo "Could not install fonts-noto-cjk: Korean and Chinese may show as boxes in" \
	         "screenshots (apt-get install fonts-noto-cjk as root)"; exit 1; }; }

# The screenshot button and the browser tests drive Debian's chromium (Playwright's own
# browser download is not used), with fonts-noto-cjk for Korean and Chinese. Whichever is
# missing is installed as root or with passwordless sudo; otherwise one line says how.
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing=" chromium"; \
	  { fc-list :lang=ko family 2>/dev/null | grep -q . && \
	    fc-list :lang=zh family 2>/dev/null | grep -q .; } || missing="$$missing fonts-noto-cjk"; \
	  [ -z "$$missing" ] && exit 0; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  if { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; } >/dev/null 2>&1; \
	  then echo "Installed Debian's$$missing (screenshots and browser tests)"; \
	  else echo "Screenshots need Debian's$$missing: run 'sudo apt-get install$$missing', then make run again"; exit 1; fi

# nginx in front of replicas of the app (deploy/; tests/test_deploy.py and
# tests/browser/test_replicas.py start it on a loopback port with a config of their own).
# Debian's nginx, installed here when missing; needs root or sudo.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installing Debian's nginx for the replicas (deploy/)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx >/dev/null; }

# The team-database tests (tests/db) start a throwaway PostgreSQL 15 cluster with PostGIS
# (Debian's postgresql and postgresql-15-postgis-3); installed here when missing, as root
# or with sudo. Nothing is started here: the tests start and stop their own server.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql and postgresql-15-postgis-3 for the database tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null; }

# The dashboard's AppTest files once more, on the team database: ATLAS_TEST_BACKEND=postgres
# makes tests/conftest.py start a throwaway PostgreSQL cluster holding the bundled data and
# set ATLAS_DATABASE_URL for the run (about 2 minutes). Tests that show files of their own
# are marked files_only and skipped there; the browser tests run on the database in the
# first pass (tests/browser/test_replicas_db.py).
BACKEND_PASS := tests/test_backend_pass.py tests/test_app.py tests/test_app_scale.py \
	tests/test_timeline_app.py tests/test_view_cache.py tests/test_export_panel.py \
	tests/test_ui_components.py tests/test_url_property.py tests/test_sinks.py \
	tests/test_app_import.py tests/test_app_upload.py tests/test_app_data_folder.py

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(STAMP_TEST) browser nginx postgres lint
	$(VENV)/bin/pytest -q
	ATLAS_TEST_BACKEND=postgres $(VENV)/bin/pytest -q $(BACKEND_PASS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
