# The two set-up commands: `make run` serves the site, `make test` runs the suite;
# `make dev` serves it with debug pages, reloading on code changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run dev test bench setup install install-dev messages lint format clean

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: requirements.txt requirements-dev.txt $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.runtime
install-dev: $(BIN)/.dev

# The compiled catalogues are committed, so a machine without gettext still runs.
messages: install
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore=$(VENV) -v0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

setup: install messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_launch_content
	$(BIN)/python manage.py load_cookie_groups
	$(BIN)/python manage.py request_digest --schedule
	$(BIN)/python manage.py schedule_consent_pruning
	$(BIN)/python manage.py collectstatic --noinput -v0

# `make run` is production-like (privacy_site.settings.local: DEBUG off, a random key made
# once into .secret_key); set-up runs under the same settings, so the key exists before the
# server's processes start. DEBUG is for `make dev` only. `make run DJANGO_SETTINGS_MODULE=…`
# still chooses other settings; an exported variable does not.
run: export DJANGO_SETTINGS_MODULE = privacy_site.settings.local
run: setup
	./bin/serve

dev: export DJANGO_SETTINGS_MODULE = privacy_site.settings.dev
dev: export DJANGO_DEBUG = true
dev: setup
	./bin/serve --reload

# The browser tests need a Chromium: bin/ensure-browser finds one (CHROMIUM, PATH, Playwright's
# cache) or installs one, and stops here with one line if it can't. The HTML checks need the
# Nu HTML Checker: bin/ensure-vnu installs it (npm, into tools/) or stops with one line;
# so does bin/ensure-lighthouse for Lighthouse (the audits of tests/quality/test_lighthouse.py).
test: install-dev
	@chromium="$$(PYTHON=$(BIN)/python ./bin/ensure-browser)" && echo "browser tests: $$chromium" && \
	vnu="$$(./bin/ensure-vnu)" && echo "HTML checker: $$vnu" && \
	lighthouse="$$(./bin/ensure-lighthouse)" && echo "Lighthouse: $$lighthouse" && \
	CHROMIUM="$$chromium" VNU_JAR="$$vnu" LIGHTHOUSE="$$lighthouse" $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	./bench/run.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
