"""The interface's language: Vietnamese (the default, the words as written in the code) or
English, from the gettext catalogue in `locales/<lang>/LC_MESSAGES/*.po`.

Every string a person reads is written in Vietnamese in the code and passed through `_()`
(or marked with `N_()` where it is defined before a language is known, and translated where
it is shown). The language is a context variable: the dashboard sets it at the start of each
script run (from `?lang=` or the account), the command line from `--lang`; code below never
passes it around. Vietnamese is the msgid itself, so a Vietnamese page needs no catalogue.

The catalogue is read from the `.po` files with Babel at first use, not compiled to `.mo`:
one text format in the repository, reviewed in a diff, and no build step a fresh clone could
miss. Several `.po` files (domains) are one catalogue; a msgid must not differ between them.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALES = Path(__file__).resolve().parent.parent / "locales"

_current: ContextVar[str] = ContextVar("dti_language", default=DEFAULT)


def normalise(language: str | None) -> str:
    """'en', 'EN', 'en-GB' -> 'en'; anything unknown -> the default."""
    code = str(language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT


def current() -> str:
    return _current.get()


def set_language(language: str | None) -> str:
    """Sets the language for what runs next in this context (a script run, a command)."""
    code = normalise(language)
    _current.set(code)
    return code


@contextlib.contextmanager
def use_language(language: str | None):
    token = _current.set(normalise(language))
    try:
        yield
    finally:
        _current.reset(token)


@cache
def catalogue(language: str) -> dict[str, str]:
    """{msgid: translation} of every .po file for the language (untranslated entries left out)."""
    from babel.messages.pofile import read_po  # only an English page pays for Babel's import

    found: dict[str, str] = {}
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and isinstance(message.id, str) and message.string:
                    found[message.id] = message.string
    return found


def gettext(message: str) -> str:
    """The message in the current language (the Vietnamese itself when it has no translation:
    tests/test_i18n.py fails on such a message)."""
    language = _current.get()
    if language == DEFAULT or not message:
        return message
    return catalogue(language).get(message, message)


_ = gettext


def localized(vietnamese: str, english: str | None = None) -> str:
    """A name given in both languages by the data (an indicator's name_vi/name_en, a group's
    group_name/group_name_en): the English one on an English page when there is one, else the
    catalogue's translation of the Vietnamese, else the Vietnamese as written."""
    if _current.get() == "en" and english:
        return english
    return gettext(vietnamese)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    """Marks a string for the catalogue where it is defined; `_()` translates it where shown."""
    return message
