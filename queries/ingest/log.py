"""The maintainer's log of the importer: what it logs (queries.ingest.*: unexpected failures,
with traceback and the name of the file being checked) goes to <store>/logs/ingest.log and
nowhere else.
"""
from __future__ import annotations

import contextvars
import logging
from pathlib import Path

LOG_FILE = Path("logs") / "ingest.log"  # under the store ($DTI_STORE)
# The upload being checked, so that every logged line names its file (rows are checked deep
# inside; threading the name through every reader would clutter them all).
UPLOAD_NAME = contextvars.ContextVar("upload_name", default="-")


class _StoreLog(logging.FileHandler):
    """Appends to <store>/logs/ingest.log, creating the folder on the first record only."""

    def __init__(self, path: Path):
        super().__init__(path, encoding="utf-8", delay=True)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [tệp %(upload)s] %(name)s: %(message)s"))
        self.addFilter(self._name_upload)

    @staticmethod
    def _name_upload(record: logging.LogRecord) -> bool:
        record.upload = repr(UPLOAD_NAME.get())  # repr: a file name cannot forge log lines
        return True

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def maintainer_log(store_root: Path) -> Path:
    """Send what the importer logs (queries.ingest.*: unexpected failures, with traceback and
    file name) to <store>/logs/ingest.log, and nowhere else: not to the terminal of the
    person running `python -m queries.ingest`, not to the page. Returns the log's path."""
    path = (Path(store_root) / LOG_FILE).resolve()
    logger = logging.getLogger("queries.ingest")
    handlers = [h for h in logger.handlers if isinstance(h, _StoreLog)]
    if not any(Path(h.baseFilename) == path for h in handlers):
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.addHandler(_StoreLog(path))
        logger.setLevel(logging.INFO)
    logger.propagate = False  # Python's last-resort handler would print tracebacks on stderr
    return path
