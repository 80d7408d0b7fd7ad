# The two commands of the README's Quick start: `make run` and `make test`.
PYTHON ?= python3

.PHONY: install browser run lint test test-other-days bench

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt

# Debian's chromium for the real-browser tests and offline chart export (never `playwright install`),
# the DejaVu fonts the meeting pack embeds for Vietnamese, emoji for the status icons, and nginx
# for the test of several replicas behind one proxy, and PostgreSQL for the shared store's tests
# (the suite starts a throwaway cluster of its own; nothing is configured system-wide).
browser:
	@{ command -v chromium && test -x /usr/sbin/nginx && ls /usr/lib/postgresql/*/bin/initdb && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf && fc-list | grep -q 'Noto Color Emoji'; } >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji nginx postgresql >/dev/null; }

# serve.py: the dashboard with its sign-in routes (a sign-in that survives a reload).
run: install
	$(PYTHON) -m streamlit run serve.py

# The layers of ARCHITECTURE.md (import-linter contracts in pyproject.toml) and ruff, before
# the tests: an arrow running back up or a circle fails the build like a failing test.
lint: install
	$(PYTHON) -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())'
	$(PYTHON) -m ruff check .

# The suite in two parts: most tests on TEST_WORKERS processes (pytest-xdist, a test file per
# process so module fixtures are built once), then the `serial` ones alone, which time
# themselves against the wall clock or start servers of their own.
TEST_WORKERS ?= 2
test: install browser lint
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial"
	$(PYTHON) -m pytest -m serial

bench: install
	$(PYTHON) -m bench

# The suite (browser tests aside) on days that roll a month, a year and a leap day over: no test
# may depend on the day it runs (CI runs on any day). `@` lets faketime's clock run from there.
test-other-days: install
	@command -v faketime >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
	for day in '2026-12-31 23:30:00' '2027-01-02 08:00:00' '2028-02-29 12:00:00'; do \
	  echo "== $$day"; faketime -f "@$$day" $(PYTHON) -m pytest --ignore=tests/browser || exit 1; done

# N replicas of the dashboard behind nginx (Debian's package) on PORT, sticky sessions, one
# store ($DTI_STORE or ./store) for all: `make replicas N=3 PORT=8080` (README, "Several replicas").
# HOST=0.0.0.0 opens it to the local network. Ctrl-C stops nginx and every replica.
# Another HOST needs TLS_CERT and TLS_KEY (PEM files): nginx then speaks https on PORT, and
# HTTP_PORT (e.g. 80), if given, only redirects to it.
N ?= 2
PORT ?= 8080
HOST ?= 127.0.0.1
TLS_CERT ?=
TLS_KEY ?=
HTTP_PORT ?=
# On PostgreSQL: DATABASE_URL=postgresql://… (or POSTGRES=1 for a throwaway cluster in the runtime
# folder), SEPARATE_FOLDERS=1 for a folder per replica (README, "Several machines on PostgreSQL").
DATABASE_URL ?=
POSTGRES ?=
SEPARATE_FOLDERS ?=
.PHONY: replicas
replicas: install
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	@if [ -n "$(POSTGRES)" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; fi
	$(PYTHON) deploy/run_replicas.py --replicas $(N) --port $(PORT) --host $(HOST) \
	  $(if $(TLS_CERT),--tls-cert $(TLS_CERT)) $(if $(TLS_KEY),--tls-key $(TLS_KEY)) \
	  $(if $(HTTP_PORT),--http-port $(HTTP_PORT)) \
	  $(if $(DATABASE_URL),--database-url $(DATABASE_URL)) $(if $(POSTGRES),--postgres) \
	  $(if $(SEPARATE_FOLDERS),--separate-folders)
