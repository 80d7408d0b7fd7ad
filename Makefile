# The two commands of the README's Quick start: `make run` and `make test`.
PYTHON ?= python3

.PHONY: install browser run test bench

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt

# Debian's chromium for the real-browser tests and offline chart export (never `playwright install`),
# the DejaVu fonts the meeting pack embeds for Vietnamese, and emoji for the status icons.
browser:
	@{ command -v chromium && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf && fc-list | grep -q 'Noto Color Emoji'; } >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; }

run: install
	$(PYTHON) -m streamlit run dashboard.py

test: install browser
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) -m bench
