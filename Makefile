# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST_PORT := 127.0.0.1:$(or $(PORT),8000)

.PHONY: run test serve lint screenshots

# The virtualenv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py runserver $(HOST_PORT)

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
	$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Production mode: DEBUG off, settings from the environment (DATABASE_URL, DJANGO_SECRET_KEY, ...);
# gunicorn.conf.py keeps visitors' addresses and query strings out of the logs.
serve: $(VENV)/.installed
	DJANGO_DEBUG=false $(PY) manage.py check --deploy
	DJANGO_DEBUG=false $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=false $(PY) manage.py collectstatic --noinput
	DJANGO_DEBUG=false $(VENV)/bin/gunicorn library.wsgi --config gunicorn.conf.py --bind $(HOST_PORT) --workers $(or $(WEB_CONCURRENCY),4)

# Full-page screenshots of the main page types at 375 and 1280 px into docs/screenshots/.
screenshots: $(VENV)/.installed
	SCREENSHOTS=1 $(VENV)/bin/pytest tests/test_screenshots.py -q
