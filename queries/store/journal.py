"""The journal: `journal.jsonl`, one JSON object per line, one line per committed change.

Appending a line is the commit point of every change to the data (an upload, an undo, a
redo, a compaction, a review): what is not in the journal did not happen, whatever files
lie around. Lines are numbered by `seq`, strictly increasing, and appended by one writer at
a time under `.journal.lock`; so two changes can never collide, and "which came last" is a
plain comparison of numbers, on one machine or across replicas sharing the store.

Readers remember the byte offset they have read up to and read only what was appended since:
catching up costs what was added, not what is there. A line without its final newline was
being written when its process died: it is not committed, readers stop before it, and the
next writer cuts it off before appending.

A complete line that is not a change (damaged on disk, edited by hand, an unknown shape) or
whose `seq` is not above every earlier line's is set aside: readers skip it, the journal
keeps it where it is (nothing is rewritten), `damaged` lists it by line number with the
reason, and the maintainer's log names it. Everything before and after it still counts, and
the next change is numbered above every number seen, damaged lines' included, so no two
lines ever share one. Each Journal classifies every line once, in order, from the start of
the file (a reader asking from a later offset has the lines before it classified first).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from queries.i18n import N_, _
from queries.store.files import fsync_directory, locked

log = logging.getLogger(__name__)

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = ".journal.lock"
# What each action needs to be applied at all (text fields).
REQUIRED = {"upload": ("upload_id", "kind", "sha256"), "undo": ("upload_id",), "redo": ("upload_id",),
            "compact": ("kind", "file"), "review": ("commune_id", "period", "status")}
_PERIOD = re.compile(r"\d{4}-\d{2}")
_SEQ_IN_DAMAGED = re.compile(rb'"seq"\s*:\s*(\d{1,18})')


@dataclass(frozen=True)
class DamagedLine:
    line: int  # 1-based, as an editor numbers the lines of journal.jsonl
    offset: int  # the byte it starts at
    reason: str  # in Vietnamese, a msgid when it names no value

    @property
    def message(self) -> str:
        """For the maintainer, in the language of whoever reads it (a reason that quotes the line's
        own values stays as it was written when the journal was read)."""
        return _("Dòng {line} của tệp nhật ký thay đổi {journal} bị bỏ qua: {reason}. Các dòng khác vẫn được dùng; "
                 "dòng này được giữ nguyên trong tệp để người bảo trì xem lại.").format(
            line=self.line, journal=JOURNAL_NAME, reason=_(self.reason))


def _problem(entry: object) -> str | None:
    """Why a parsed line cannot be applied, or None."""
    if not isinstance(entry, dict):
        return N_("không phải một thay đổi")
    seq = entry.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        return N_("thiếu số thứ tự (seq) hợp lệ")
    action = entry.get("action")
    if not isinstance(action, str):
        return N_("thiếu loại thay đổi (action)")
    for name in REQUIRED.get(action, ()):
        if not isinstance(entry.get(name), str) or not entry[name]:
            return f"thay đổi “{action}” thiếu trường {name}"
    if action == "review" and not _PERIOD.fullmatch(entry["period"]):
        return f"kỳ “{entry['period']}” không đúng dạng YYYY-MM"
    if action == "compact" and not isinstance(entry.get("replaces", []), list):
        return N_("danh sách tệp được thay (replaces) không đúng dạng")
    return None


class Journal:
    def __init__(self, root: Path):
        self.path = root / JOURNAL_NAME
        self.lock_path = root / LOCK_NAME
        # What is known of the lines before byte `_scanned` (all complete, classified in order).
        self._index_lock = threading.Lock()
        self._reset_index()

    def _reset_index(self) -> None:
        self._scanned = 0
        self._lines = 0
        self._last_seq = 0  # the highest seq of a line that counts
        self._max_seq = 0  # the highest seq seen anywhere, damaged lines included
        self._damaged: dict[int, DamagedLine] = {}

    @property
    def damaged(self) -> list[DamagedLine]:
        """The lines set aside so far (of what was read), in file order."""
        with self._index_lock:
            return sorted(self._damaged.values(), key=lambda d: d.offset)

    @property
    def max_seq(self) -> int:
        """The highest sequence number in what was read: the next change takes one above."""
        return self._max_seq

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def exists(self) -> bool:
        return self.path.exists()

    def read(self, offset: int = 0) -> tuple[list[dict], int]:
        """The committed entries after byte `offset` (a line boundary from an earlier read),
        without the lines set aside, and the offset after the last complete line."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return [], offset
        with handle, self._index_lock:
            size = os.fstat(handle.fileno()).st_size
            if size < self._scanned:
                self._reset_index()  # the file was replaced (a store converted, a test)
            if offset > self._scanned:
                # The lines before `offset` decide whether the later ones' numbers are new.
                handle.seek(self._scanned)
                self._classify(handle.read(min(offset, size) - self._scanned), self._scanned)
                if self._scanned != offset:  # the file does not reach `offset` (yet)
                    return [], offset
            handle.seek(offset)
            data = handle.read()
            end = data.rfind(b"\n") + 1  # 0 when no complete line was appended
            known = max(0, min(end, self._scanned - offset))  # bytes of lines already classified
            entries = [json.loads(raw) for start, raw in _lines(data[:known], offset)
                       if start not in self._damaged and raw.strip()]
            entries += self._classify(data[known:end], offset + known)
        return entries, offset + end

    def _classify(self, data: bytes, start: int) -> list[dict]:
        """Classify complete lines starting at byte `start` (= self._scanned): the entries
        that count; the others go to `_damaged`."""
        assert start == self._scanned
        entries = []
        for position, raw in _lines(data, start):
            self._lines += 1
            self._scanned = position + len(raw) + 1
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:  # not JSON, or not UTF-8
                entry, problem = None, N_("không đọc được (không phải một dòng JSON hoàn chỉnh)")
                found = _SEQ_IN_DAMAGED.search(raw)
                if found:
                    self._max_seq = max(self._max_seq, int(found.group(1)))
            else:
                problem = _problem(entry)
                seq = entry.get("seq") if isinstance(entry, dict) else None
                if isinstance(seq, int) and not isinstance(seq, bool):
                    self._max_seq = max(self._max_seq, seq)  # never reused, even by a damaged line
            if problem is None:
                seq = entry["seq"]
                if seq <= self._last_seq:
                    problem = (f"số thứ tự {seq} không lớn hơn số của các dòng trước "
                               f"(đã có đến {self._last_seq}): dòng trùng hoặc sai thứ tự")
            if problem is not None:
                damaged = DamagedLine(self._lines, position, problem)
                self._damaged[position] = damaged
                log.warning("%s: set aside line %d (byte %d): %s", self.path, damaged.line, position, problem)
                continue
            self._last_seq = entry["seq"]
            entries.append(entry)
        return entries

    @contextlib.contextmanager
    def writing(self):
        """Exclusive right to append; yields an `append(entry) -> entry` function. The caller
        reads the entries appended by others (`read`) before deciding what to append."""
        with locked(self.lock_path):
            self._cut_partial_line()
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if created:
                    fsync_directory(self.path.parent)  # the journal's own name, once
                def append(entry: dict) -> dict:
                    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                    os.write(fd, line.encode("utf-8"))
                    os.fsync(fd)
                    return entry

                yield append
            finally:
                os.close(fd)

    def _cut_partial_line(self) -> None:
        size = self.size()
        if size == 0:
            return
        with open(self.path, "rb+") as handle:
            handle.seek(max(0, size - 1))
            if handle.read(1) == b"\n":
                return
            # Find the last complete line and cut what follows: it was never committed.
            step, position = 65536, size
            while position > 0:
                start = max(0, position - step)
                handle.seek(start)
                chunk = handle.read(position - start)
                found = chunk.rfind(b"\n")
                if found >= 0:
                    handle.truncate(start + found + 1)
                    return
                position = start
            handle.truncate(0)


def _lines(data: bytes, start: int):
    """(byte offset, line without its newline) of each complete line of `data`."""
    position = start
    for raw in data.split(b"\n")[:-1]:
        yield position, raw
        position += len(raw) + 1
