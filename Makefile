# The verbs a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
# `make run PORT=8100` serves on another port.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet

# Tests run with production-like settings (DEBUG off); this key exists only for them.
# (pytest-django keeps the mail in memory; the SMTP address only lets the settings start.)
TEST_ENV := DEBUG=0 SECRET_KEY=tests-only-this-is-not-a-secret-0123456789-abcdefghijklmnop \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1 HTTPS=0 EMAIL_URL=smtp://localhost:25

.PHONY: run test check lint messages install install-dev bench bench-upload bench-public bench-pdf bench-instructions bench-history bench-worker bench-offices bench-chains bench-national bench-national-decision clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exact versions from constraints.txt: the ones the test suite last passed with.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compile locale/*/LC_MESSAGES/django.po with Babel: no GNU gettext needed.
messages: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics

run: install messages
	@test -f .env || { printf '# Made by make run: this checkout is for development.\nDEBUG=1\n' > .env; \
		echo "Created .env with DEBUG=1 (development); see .env.example for production."; }
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 EMAIL_URL=dummymail:// SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py seed_demo
	@# The daily jobs once, as a server runs them each night: each records its run, so the
	@# Atasan PPID's dashboard warns only of a job that really failed.
	DEBUG=1 $(BIN)/python manage.py clean_up
	DEBUG=1 $(BIN)/python manage.py verify_fixity
	DEBUG=1 EMAIL_URL=dummymail:// $(BIN)/python manage.py review_due
	DEBUG=1 $(BIN)/python manage.py verify_history
	@echo "On a server the daily jobs (clean_up, verify_fixity, verify_history, review_due) run every night: docs/deployment.md"
	@echo "Serving http://127.0.0.1:$(PORT)/ with a worker beside it (Ctrl-C stops both)"
	@# The worker sends the outbox's mail (printed here by the console backend) and renders
	@# documents; the trap stops it when the server stops, so nothing is left running. In a
	@# session of its own (setsid) it gets one signal, the trap's SIGTERM, and finishes the
	@# task in hand (a second signal would abandon it).
	DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) setsid $(BIN)/python manage.py db_worker --queue-name='*' --no-reload & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL names one.
test: install-dev messages
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(TEST_ENV) $(BIN)/pytest $(ARGS)
	@case "$$DATABASE_URL" in postgres*) \
		echo "== the same suite on PostgreSQL ($$DATABASE_URL)"; \
		$(TEST_ENV) $(BIN)/pytest $(ARGS);; \
	*) echo "== DATABASE_URL names no PostgreSQL database: PostgreSQL run skipped";; esac

# Django's own checks, and no model change without its migration.
check: install
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var db.sqlite3 locale/*/LC_MESSAGES/*.mo

# Benchmarks print figures; they are run by hand, not by CI (see docs/benchmarks.md).
# `make bench` runs them all: bench-public needs the local PostgreSQL and wrk, and keeps
# its seeded database for bench-instructions, which needs valgrind; bench-worker needs the
# local PostgreSQL and wrk too.
BENCH_DATABASE ?= ppid_bench
bench: bench-upload bench-pdf bench-history bench-worker
	BENCH_DATABASE=$(BENCH_DATABASE) $(MAKE) bench-public bench-instructions

bench-upload: install-dev
	$(BIN)/python bench/upload.py

# 100,000 records on the local PostgreSQL (BENCH_POSTGRES=postgres://user@host:port).
bench-public: install-dev
	$(BIN)/python bench/public.py

bench-pdf: install-dev
	$(BIN)/python bench/pdf.py

bench-history: install-dev
	$(BIN)/python bench/history.py

# The worker's documents (issue 27) on a throwaway PostgreSQL database: a publication of
# 1,000 records, period DIKs of 1,000-5,000 rows, /dik.pdf under load. About 15 minutes.
bench-worker: install-dev
	$(BIN)/python bench/worker.py

bench-offices: install-dev
	$(BIN)/python bench/offices.py

bench-chains: install-dev
	$(BIN)/python bench/chains.py

bench-national: install-dev
	$(BIN)/python bench/national.py

bench-national-decision: install-dev
	$(BIN)/python bench/national_decision.py

bench-instructions: install-dev
	BENCH_DATABASE=$(BENCH_DATABASE) $(BIN)/python bench/instructions.py / /sehat/
