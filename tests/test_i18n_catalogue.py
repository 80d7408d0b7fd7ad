"""The English catalogue covers what the code marks: every msgid of a `_()`, `N_()` or
`gettext()` in the repository's Python files (as Babel's extractor, the one `pybabel extract`
runs, finds them) has a non-empty English translation with the same {placeholders}, and no
msgid is translated two ways in the .po files (they are one catalogue)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from queries import i18n

ROOT = Path(__file__).resolve().parent.parent
PO_FILES = sorted((ROOT / "locales" / "en" / "LC_MESSAGES").glob("*.po"))
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
SKIPPED = ("tests/", "bench/", "deploy/")  # no text a person reads through the catalogue


def marked_messages() -> dict[str, list[str]]:
    """msgid -> where it is marked ('queries/ingest/cli.py:120')."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=[("**.py", "python")], keywords={"_": None, "N_": None, "gettext": None}):
        if filename.startswith(SKIPPED) or "/." in f"/{filename}":
            continue
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


MESSAGES = marked_messages()


def test_the_code_marks_messages_for_the_catalogue():
    assert len(MESSAGES) > 500  # the importer, the exports, the pack: a few hundred sentences
    assert "cột {column}: {reason}" in MESSAGES and "Hạ tầng số" in MESSAGES


def test_every_marked_message_has_an_english_translation():
    english = i18n.catalogue("en")
    missing = {m: where[0] for m, where in MESSAGES.items() if not english.get(m, "").strip()}
    assert not missing, f"{len(missing)} messages without English, e.g. {list(missing.items())[:5]}"


def test_placeholders_are_the_same_in_english():
    english = i18n.catalogue("en")
    different = {m: english[m] for m in MESSAGES if m in english
                 and sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(english[m]))}
    assert not different, different


def test_english_messages_format_like_the_vietnamese():
    """`_("…").format(name=…)` gets the same names in both languages: formatting the English
    with the names the Vietnamese takes never fails."""
    english = i18n.catalogue("en")
    for message in MESSAGES:
        names = {n.split(":")[0].split("!")[0] for n in re.findall(r"(?<!%)\{([^{}]*)\}", message)}
        if not names or any(not n or n.isdigit() for n in names):
            continue
        values = {n: 1 for n in names}
        assert english[message].format(**values) is not None, message


def _entries(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry as written in the file, repeats included (read_po would
    keep only one of two entries with the same msgid)."""
    entries, current, field = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ")):
            field, _, rest = line.partition(" ")
            if field == "msgid" and "msgid" in current:
                entries.append((current["msgid"], current.get("msgstr", "")))
                current = {}
            current[field] = _unquote(rest)
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
        elif not line.strip() and "msgid" in current:
            entries.append((current["msgid"], current.get("msgstr", "")))
            current, field = {}, None
    return [(m, s) for m, s in entries if m]


def _unquote(text: str) -> str:
    """A .po line's quoted text, its escapes (\\n, \\", \\\\) read as Python reads them: the
    Vietnamese letters beside an escape stay as they are."""
    return ast.literal_eval(text.strip())


def test_no_msgid_is_translated_two_ways():
    seen: dict[str, tuple[str, str]] = {}
    for path in PO_FILES:
        for msgid, msgstr in _entries(path):
            if msgid in seen:
                assert seen[msgid][1] == msgstr, (msgid, seen[msgid][0], path.name)
            seen[msgid] = (path.name, msgstr)
    assert len(seen) > 500


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: p.name)
def test_each_po_file_reads_with_babel_and_has_a_header(path):
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    assert str(catalogue.locale) == "en"
    assert len(catalogue) >= 1


def test_the_parser_above_reads_what_babel_reads():
    """The repeat check reads the files itself; it must see what Babel sees."""
    path = ROOT / "locales" / "en" / "LC_MESSAGES" / "queries.po"
    with path.open("rb") as handle:
        babel = {m.id: m.string for m in read_po(handle) if m.id}
    assert dict(_entries(path)) == babel
