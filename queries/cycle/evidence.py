"""Evidence (minh chứng) sent with an upload: which files are accepted, recognised by their
content, never by their name.

Official DTI scoring gives no points without evidence. An upload may carry PDF, PNG, JPEG,
DOCX or XLSX files, each up to `evidence_max_mb` (default 20 MB). A file whose bytes are not
one of these types, or whose name claims another type than its bytes (a program renamed to
.pdf, a page saved as .png), refuses the whole upload, data rows included, with a message
naming the file. Accepted files are kept once by their SHA-256 in the store (Store.put_blob)
and linked to the upload, and so to each value it brought.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

TYPES = {
    "pdf": ("PDF", "application/pdf"),
    "png": ("ảnh PNG", "image/png"),
    "jpeg": ("ảnh JPEG", "image/jpeg"),
    "docx": ("văn bản Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("bảng tính Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".docx": "docx", ".xlsx": "xlsx"}
ALLOWED_TEXT = "PDF, PNG, JPEG, DOCX hoặc XLSX"


class EvidenceError(ValueError):
    """`str(error)` is the Vietnamese reason, naming the file."""


@dataclass(frozen=True)
class Evidence:
    name: str
    content: bytes
    kind: str  # a key of TYPES

    @property
    def mime(self) -> str:
        return TYPES[self.kind][1]


def sniff(content: bytes) -> str | None:
    """The type of a file from its first bytes (and, for DOCX/XLSX, the parts inside the zip)."""
    if content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def check_evidence(name: str, content: bytes, max_mb: float) -> Evidence:
    """The file as accepted evidence, or EvidenceError saying why not."""
    shown = PurePath(name).name or "(không tên)"
    if not content:
        raise EvidenceError(f"Tệp minh chứng “{shown}” rỗng.")
    if len(content) > max_mb * 1024 * 1024:
        size = len(content) / 1024 / 1024
        raise EvidenceError(f"Tệp minh chứng “{shown}” nặng {size:.1f} MB, quá mức cho phép {max_mb:g} MB.")
    kind = sniff(content)
    if kind is None:
        raise EvidenceError(f"Tệp minh chứng “{shown}” không phải {ALLOWED_TEXT} (xét theo nội dung tệp, "
                            "không theo tên); không lưu gì của lần tải lên này.")
    claimed = EXTENSIONS.get(PurePath(name).suffix.lower())
    if claimed is not None and claimed != kind:
        raise EvidenceError(f"Tệp minh chứng “{shown}” mang đuôi của {TYPES[claimed][0]} nhưng nội dung là "
                            f"{TYPES[kind][0]}; hãy gửi đúng tệp. Không lưu gì của lần tải lên này.")
    return Evidence(shown, content, kind)
