"""Reading the tables as one person may: their scope applied where pages and exports read.

    reader = ScopedReader.for_account(db, account, public_view)   # or ScopedReader(db, provinces)
    reader.run(name, **params)             as Database.run, within the scope (also run_query)
    reader.province_refusal(text)          why a province asked for (by URL, say) is not shown
    reader.commune_refusal(commune_id)     the same for a commune; None when it is readable

Which provinces a person reads is `permissions.readable_provinces` (every province while the
setting public_view is on; else an account's own provinces). A page or an export that asks
through a reader cannot show another province's data, whatever its filters forgot:

- a question about a province or a commune outside the scope (`province=`, `commune=`) is
  refused with `OutsideScope`, one Vietnamese sentence;
- rows of every other answer are kept only when their province (or their commune's) is
  readable;
- an answer that sums over communes without naming them (months_in_scope, indicator_trend…)
  is given only when the question named a readable province or commune.

A reader of every province (`provinces=None`) answers exactly as the Database does.
"""
from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from queries.accounts.permissions import Account, readable_provinces
from queries.db import Database
from queries.errors import UserFacingError
from queries.i18n import N_, _
from queries.text import nfc, province_key

# Answers that hold nothing of any commune: given to anyone who may browse.
NO_COMMUNE_DATA = frozenset({"pillar_weights", "frameworks", "framework_groups", "framework_members", "framework_of_years",
                             "indicator_catalog"})
LOGIN_TO_READ = N_("Hãy đăng nhập để xem số liệu.")  # a msgid: _(LOGIN_TO_READ) where shown


class OutsideScope(UserFacingError):
    """A question about data this person may not read; `message` is one Vietnamese sentence."""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class ScopedReader:
    def __init__(self, db: Database, provinces: Iterable[str] | None):
        self.db = db
        self.provinces = None if provinces is None else tuple(provinces)
        self._keys = None if provinces is None else {province_key(p) for p in self.provinces}

    @classmethod
    def for_account(cls, db: Database, account: Account | None, public_view: bool | None = None) -> ScopedReader:
        """`public_view` defaults to the store's setting."""
        if public_view is None:
            db.ensure_fresh()
            public_view = bool(db.settings["public_view"])
        return cls(db, readable_provinces(account, public_view))

    # ---- what a Database offers for reading ---------------------------------------------------
    @property
    def settings(self) -> dict:
        return self.db.settings

    @property
    def store(self):
        return self.db.store

    def ensure_fresh(self, wait: bool | None = None) -> None:
        self.db.ensure_fresh(wait)

    def version(self) -> tuple:
        return self.db.version()

    def first_target_year(self) -> int | None:
        """Holds nothing of any commune: the same for every reader."""
        return self.db.first_target_year()

    @property
    def everything(self) -> bool:
        return self.provinces is None

    def label(self) -> str:
        """'Tỉnh Thanh Hóa, Đồng Nai': what this person reads, for messages."""
        return _("Tỉnh {provinces}").format(provinces=", ".join(self.provinces)) if self.provinces else _("không có tỉnh nào")

    def readable(self, province: str | None) -> bool:
        return self._keys is None or (province is not None and province_key(province) in self._keys)

    # ---- refusals ---------------------------------------------------------------------------
    def province_refusal(self, text: str | None) -> str | None:
        if text is None or self.readable(text):
            return None
        if not self.provinces:
            return _(LOGIN_TO_READ)
        return _("Tỉnh {province} không thuộc phạm vi tài khoản của bạn ({scope}).").format(
            province=nfc(text), scope=self.label())

    def commune_refusal(self, commune_id: str | None) -> str | None:
        if commune_id is None or self.everything:
            return None
        if not self.provinces:
            return _(LOGIN_TO_READ)
        found = self.db.run("commune_name_province", commune=str(commune_id))
        if found.is_empty():
            return _("Không có xã mã “{code}” trong phạm vi tài khoản của bạn ({scope}).").format(
                code=nfc(str(commune_id)), scope=self.label())
        name, province = found.row(0)
        if self.readable(province):
            return None
        return _("{commune} ({province}) không thuộc phạm vi tài khoản của bạn ({scope}).").format(
            commune=_capital(name), province=province, scope=self.label())

    # ---- the questions ------------------------------------------------------------------------
    def run_query(self, name: str, **params) -> pl.DataFrame:
        if self.everything:
            return self.db.run_query(name, **params)
        if name in NO_COMMUNE_DATA:
            if not self.provinces:
                raise OutsideScope(_(LOGIN_TO_READ))
            return self.db.run_query(name, **params)
        province, commune = params.get("province"), params.get("commune")
        refusal = self.province_refusal(province) or self.commune_refusal(commune) or (
            _(LOGIN_TO_READ) if not self.provinces else None)
        if refusal:
            raise OutsideScope(refusal)
        frame = self.db.run_query(name, **params)
        if "province" in frame.columns:
            return frame.filter(pl.col("province").is_in(self._province_names()))
        if "commune_id" in frame.columns:
            return frame.filter(pl.col("commune_id").is_in(self._commune_ids()))
        if province is not None or commune is not None:
            return frame  # a sum over a readable province or commune
        raise OutsideScope(_("Hãy chọn một tỉnh thuộc phạm vi tài khoản của bạn ({scope}): số liệu gộp của mọi tỉnh "
                             "không xem được.").format(scope=self.label()))

    run = run_query  # the name of queries.data.DataSource: exports read through either

    def _province_names(self) -> list[str]:
        """The readable provinces as the tables write them."""
        names = self.db.run("province_names")["province"].to_list()
        return [p for p in names if self.readable(p)]

    def _commune_ids(self) -> list[str]:
        return self.db.run("commune_ids_in_provinces", provinces=self._province_names())["commune_id"].to_list()
