"""The communes and provinces an account can be tied to, as the Database knows them, and
the matching of what a person types ("Định Tiến", "xa dinh tien", "26080", "thanh-hoa/dinh-tien")
the way the importer matches it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from queries.data import DataSource
from queries.errors import UserFacingError
from queries.i18n import _
from queries.text import clean_line, commune_key, fold, province_key


class PlaceError(UserFacingError):
    """A commune or province that cannot be found; the message is in the interface's language."""


@dataclass(frozen=True)
class Commune:
    commune_id: str
    code: str | None
    name: str
    province: str


class Places:
    def __init__(self, communes: Iterable[Commune]):
        self.communes = list(communes)
        self.by_id = {c.commune_id: c for c in self.communes}
        self.by_code = {c.code: c for c in self.communes if c.code}
        self.provinces: dict[str, str] = {}  # province_key -> name as the catalog writes it
        for commune in self.communes:
            self.provinces.setdefault(province_key(commune.province), commune.province)

    @classmethod
    def from_database(cls, db: DataSource) -> Places:
        rows = db.run("commune_catalog")
        return cls(
            Commune(r["commune_id"], _code(r["commune_code"]), r["commune_name"], r["province"])
            for r in rows.iter_rows(named=True)
        )

    @classmethod
    def for_store(cls, store_root) -> Places:
        """The communes the command line and the app see for this store."""
        # Lazy for start-up time (duckdb and the tables), not a circle: accounts sit above db.
        from queries.db import get_database

        return cls.from_database(get_database(store_root))

    def province(self, text: str) -> str:
        """The catalog's name of a province typed any way ('thanh hoa', 'Tỉnh Thanh Hóa')."""
        name = self.provinces.get(province_key(text))
        if name is None:
            raise PlaceError(_("Không có tỉnh “{province}” trong danh sách xã.").format(province=clean_line(text)))
        return name

    def commune(self, text: str, provinces: Iterable[str] = ()) -> Commune:
        """A commune by id, code, or name; a name is looked for in `provinces` when given
        and must then be unique."""
        text = clean_line(str(text))
        found = self.by_id.get(text) or self.by_code.get(text)
        wanted = [province_key(p) for p in provinces]
        if found is None:
            key = commune_key(text)
            candidates = [c for c in self.communes if commune_key(c.name) == key]
            if wanted:
                candidates = [c for c in candidates if province_key(c.province) in wanted]
            where = _(" trong tỉnh {provinces}").format(
                provinces=", ".join(self.provinces.get(k, k) for k in wanted)) if wanted else ""
            if not candidates:
                raise PlaceError(_("Không tìm thấy xã “{commune}”{where}.").format(commune=text, where=where))
            if len(candidates) > 1:
                places = "; ".join(_("{name} ({province}, mã {commune_id})").format(
                    name=c.name, province=c.province, commune_id=c.commune_id)
                    for c in sorted(candidates, key=lambda c: fold(c.province)))
                raise PlaceError(_("Có nhiều xã tên “{commune}”{where}: {places}. Hãy ghi thêm tỉnh hoặc dùng mã "
                                   "xã.").format(commune=text, where=where, places=places))
            found = candidates[0]
        if wanted and province_key(found.province) not in wanted:
            raise PlaceError(_("Xã “{commune}” thuộc tỉnh {province}, không thuộc tỉnh đã ghi.").format(
                commune=text, province=found.province))
        return found


def _code(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_line(str(value))
    return text or None
