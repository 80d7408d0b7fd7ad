"""argparse for the command-line entry points (ingest, export, users): its complaints in
Vietnamese (or English with `--lang en`), raised as UsageError so each command prints one line
and exits 2. Kept apart from the commands so that importing it costs only argparse.

Every parser of this class takes `--lang vi|en` (default: the environment's DTI_LANG, else
Vietnamese): the language of the text a person reads. JSON keys, codes and names never change."""
from __future__ import annotations

import argparse
import os
import re

from queries import i18n
from queries.errors import UserFacingError
from queries.i18n import N_, _

LANGUAGE_VARIABLE = "DTI_LANG"
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), N_("thiếu tham số: {0}")),
    (re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)"),
     N_("{0}: “{1}” không hợp lệ (chọn một trong: {2})")),
    (re.compile(r"argument (\S+): expected one argument"), N_("{0} cần một giá trị")),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), N_("{0}: “{1}” không phải là số nguyên")),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), N_("{0} không dùng cùng với {1}")),
    (re.compile(r"unrecognized arguments: (.*)"), N_("không hiểu tham số: {0}")),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"), N_("{0} không nhận giá trị “{1}”")),
)


class UsageError(UserFacingError):
    """What was asked cannot be done; `message` (and `str(error)`) is the sentence to show."""


def language_of(argv: list[str] | None) -> str:
    """The language asked for: `--lang en` or `--lang=en` in the arguments, else DTI_LANG, else
    Vietnamese. Read before the parser exists, so that its help and its complaints follow it."""
    argv = list(argv or [])
    chosen = os.environ.get(LANGUAGE_VARIABLE)
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif word.startswith("--lang="):
            chosen = word.partition("=")[2]
    return i18n.normalise(chosen)


def choose_language(argv: list[str] | None) -> str:
    """Sets the language of this command's run from its arguments (see `language_of`)."""
    return i18n.set_language(language_of(argv))


class VietnameseParser(argparse.ArgumentParser):
    """argparse with its complaints in Vietnamese (English with --lang en), raised as UsageError
    (no exit of its own), and a `--lang` option on every parser of the class.
    A command with sub-commands sets `help_command` so every complaint points at its --help."""

    help_command: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # SUPPRESS: a sub-command's default does not overwrite what the main command read.
        self.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                          help=_("ngôn ngữ của thông báo: vi (mặc định) hoặc en; cũng đặt được bằng biến DTI_LANG"))

    _depth = 0  # parsers running: a sub-command's parser runs inside its command's

    def parse_known_args(self, args=None, namespace=None):
        import sys

        words = sys.argv[1:] if args is None else list(args)
        if VietnameseParser._depth == 0 or any(w == "--lang" or w.startswith("--lang=") for w in words):
            choose_language(words)
        VietnameseParser._depth += 1
        try:
            return super().parse_known_args(args, namespace)
        finally:
            VietnameseParser._depth -= 1

    def error(self, message: str):
        for pattern, text in _ARGPARSE_MESSAGES:
            found = pattern.fullmatch(message.strip())
            if found:
                message = _(text).format(*found.groups())
                break
        raise UsageError(_("Lỗi: {message}. Xem: {command} --help").format(
            message=message, command=self.help_command or self.prog))
