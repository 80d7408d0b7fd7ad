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
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from queries.store.files import locked

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = ".journal.lock"


class Journal:
    def __init__(self, root: Path):
        self.path = root / JOURNAL_NAME
        self.lock_path = root / LOCK_NAME

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def exists(self) -> bool:
        return self.path.exists()

    def read(self, offset: int = 0) -> tuple[list[dict], int]:
        """The committed entries after byte `offset`, and the offset after the last of them."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except FileNotFoundError:
            return [], offset
        end = data.rfind(b"\n") + 1  # 0 when no complete line was appended
        entries = [json.loads(line) for line in data[:end].splitlines() if line.strip()]
        return entries, offset + end

    @contextlib.contextmanager
    def writing(self):
        """Exclusive right to append; yields an `append(entry) -> entry` function. The caller
        reads the entries appended by others (`read`) before deciding what to append."""
        with locked(self.lock_path):
            self._cut_partial_line()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
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
