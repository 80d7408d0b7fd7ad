"""Evidence (minh chứng) sent with an upload: which files are accepted, recognised by their
content, never by their name.

Official DTI scoring gives no points without evidence. An upload may carry PDF, PNG, JPEG,
DOCX or XLSX files, each up to `evidence_max_mb` (default 20 MB). A file whose bytes are not
one of these types, or whose name does not end with its type's extension (a program renamed to
.pdf, a PDF named .cmd, a name without extension), refuses the whole upload, data rows
included, with a message naming the file. Names lose their control and format characters
first: a right-to-left override would make "bien-ban-\u202efdp.cmd" read as "…dmc.pdf".
Accepted files are kept once by their SHA-256 in the store (Store.put_blob) and linked to the
upload, and so to each value it brought; they are downloaded as `download_name()`, whatever
name was stored, so the name a browser saves always says what the bytes are.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.text import clean_line

TYPES = {
    "pdf": ("PDF", "application/pdf"),
    "png": (N_("ảnh PNG"), "image/png"),
    "jpeg": (N_("ảnh JPEG"), "image/jpeg"),
    "docx": (N_("văn bản Word (.docx)"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (N_("bảng tính Excel (.xlsx)"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".docx": "docx", ".xlsx": "xlsx"}
# The extension a downloaded file gets, from its content.
DOWNLOAD_EXTENSION = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "docx": ".docx", "xlsx": ".xlsx"}
# Characters that mean something to a file system or a shell on the person's computer.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|]+')
ALLOWED_TEXT = N_("PDF, PNG, JPEG, DOCX hoặc XLSX")


class EvidenceError(UserFacingError):
    """An evidence file refused; `message` is the Vietnamese reason, naming the file."""


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


def clean_name(name: str) -> str:
    """The file's own name (no folders), without control or format characters."""
    return PurePath(clean_line(str(name)).replace("\\", "/")).name or "(không tên)"


def _extensions_of(kind: str) -> str:
    return _(" hoặc ").join(ext for ext, of in EXTENSIONS.items() if of == kind)


def check_evidence(name: str, content: bytes, max_mb: float) -> Evidence:
    """The file as accepted evidence, or EvidenceError saying why not."""
    shown = clean_name(name)
    if not content:
        raise EvidenceError(_("Tệp minh chứng “{file}” rỗng.").format(file=shown))
    if len(content) > max_mb * 1024 * 1024:
        size = len(content) / 1024 / 1024
        raise EvidenceError(_("Tệp minh chứng “{file}” nặng {size:.1f} MB, quá mức cho phép {limit:g} MB.").format(
            file=shown, size=size, limit=max_mb))
    kind = sniff(content)
    if kind is None:
        raise EvidenceError(_("Tệp minh chứng “{file}” không phải {allowed} (xét theo nội dung tệp, không theo tên); "
                              "không lưu gì của lần tải lên này.").format(file=shown, allowed=_(ALLOWED_TEXT)))
    suffix = PurePath(shown).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    if claimed is not None and claimed != kind:
        raise EvidenceError(_("Tệp minh chứng “{file}” mang đuôi của {claimed} nhưng nội dung là {found}; hãy gửi đúng "
                              "tệp. Không lưu gì của lần tải lên này.").format(
            file=shown, claimed=_(TYPES[claimed][0]), found=_(TYPES[kind][0])))
    if claimed is None:
        # Only the content's own extension: a name is what a person sees before opening it.
        has = _("có đuôi “{suffix}”").format(suffix=suffix) if suffix else _("không có đuôi")
        raise EvidenceError(_("Tệp minh chứng “{file}” {has} nhưng nội dung là {found}: tên tệp phải có đuôi {extensions}. "
                              "Hãy đổi tên rồi gửi lại; không lưu gì của lần tải lên này.").format(
            file=shown, has=has, found=_(TYPES[kind][0]), extensions=_extensions_of(kind)))
    return Evidence(shown, content, kind)


def download_name(name: str | None, kind: str | None) -> str:
    """The name an evidence file is downloaded under: the stored name made safe, with the
    extension of its content ("bien-ban-\u202efdp.cmd" holding a PDF -> "bien-ban-fdp.pdf").
    The stored name may predate the checks above."""
    stem = PurePath(clean_line(str(name or "")).replace("\\", "/")).name
    if PurePath(stem).suffix:
        stem = PurePath(stem).stem
    stem = _UNSAFE_IN_NAME.sub("_", stem).strip("._ ") or "minh-chung"
    return stem[:120] + DOWNLOAD_EXTENSION.get(kind or "", ".bin")
