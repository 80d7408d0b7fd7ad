"""argparse for the command-line entry points (ingest, export, users): its complaints in
Vietnamese, raised as UsageError so each command prints one line and exits 2. Kept apart
from the commands so that importing it costs only argparse."""
from __future__ import annotations

import argparse
import re

from queries.errors import UserFacingError

_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), "thiếu tham số: {0}"),
    (re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)"),
     "{0}: “{1}” không hợp lệ (chọn một trong: {2})"),
    (re.compile(r"argument (\S+): expected one argument"), "{0} cần một giá trị"),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), "{0}: “{1}” không phải là số nguyên"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "{0} không dùng cùng với {1}"),
    (re.compile(r"unrecognized arguments: (.*)"), "không hiểu tham số: {0}"),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"), "{0} không nhận giá trị “{1}”"),
)


class UsageError(UserFacingError):
    """What was asked cannot be done; `message` (and `str(error)`) is the Vietnamese sentence."""


class VietnameseParser(argparse.ArgumentParser):
    """argparse with its complaints in Vietnamese, raised as UsageError (no exit of its own).
    A command with sub-commands sets `help_command` so every complaint points at its --help."""

    help_command: str | None = None

    def error(self, message: str):
        for pattern, text in _ARGPARSE_MESSAGES:
            found = pattern.fullmatch(message.strip())
            if found:
                message = text.format(*found.groups())
                break
        raise UsageError(f"Lỗi: {message}. Xem: {self.help_command or self.prog} --help")
