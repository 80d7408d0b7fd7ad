"""What administrators load besides data: a framework file (which groups a year's scores use)
and a province's commune boundaries (the map). Each is checked whole and refused with one
Vietnamese sentence (nothing changes), or kept atomically in the store and written to the
audit log. The page (Quản trị) and the command line call these; hiding a button is never the
protection.

    load_framework(db, actor, data, file_name) -> Framework
    load_boundaries(db, actor, province, data, file_name) -> Prepared   (matched, unmatched, missing)

Who may:
- **a framework**: a country-wide administrator only. Every commune of the country is ranked
  in one national ranking, so the framework a year is scored with is one choice for the whole
  country, like the settings. A province's own set (Hà Nội's 5279/QĐ-UBND, say) is loaded by
  the country-wide administrator, for the years it applies to, once agreed. Frameworks per
  province would need a framework per province and year and a national ranking that says it
  compares different methods: not built.
- **boundaries**: an administrator of the province (a province's boundaries are its own
  business, as its reviews are), or a country-wide one.
"""
from __future__ import annotations

from pathlib import Path

from queries import clock
from queries.accounts import audit_log
from queries.accounts.permissions import LOCAL_ADMIN, QUAN_TRI, Account, province_in_scope, scope_label
from queries.accounts.service import fresh_actor
from queries.data import DataSource
from queries.errors import UserFacingError
from queries.frameworks import registry
from queries.frameworks.model import Framework, parse_framework
from queries.i18n import N_, _
from queries.maps import boundaries
from queries.maps.boundaries import Prepared
from queries.maps.geojson import BoundaryFileError, read_features
from queries.text import clean_line

FRAMEWORK_ONLY_COUNTRY = N_("Bộ khung chỉ số dùng chung cho xếp hạng cả nước nên chỉ Quản trị toàn quốc (tài khoản "
                            "Quản trị không gắn tỉnh) được nạp.")


class LoadRefused(UserFacingError):
    """A load this account may not make."""


def may_load_framework(actor: Account | None) -> bool:
    return actor is not None and actor.active and actor.role == QUAN_TRI and actor.country_wide


def may_load_boundaries(actor: Account | None, province: str | None) -> bool:
    return actor is not None and actor.active and actor.role == QUAN_TRI and province_in_scope(actor, province)


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def load_framework(db: DataSource, actor: Account, data: bytes, file_name: str) -> Framework:
    """Check a framework file against the catalog and the years, keep it, and put it in force
    for its years. `db` is the Database (its data folder holds the shipped frameworks)."""
    store_root = Path(db.store.root)
    actor = fresh_actor(store_root, actor)
    if not may_load_framework(actor):
        raise LoadRefused(_(FRAMEWORK_ONLY_COUNTRY))
    catalog = dict(db.run("indicator_catalog").select("code", "catalog_group").iter_rows())
    framework = parse_framework(data, catalog)
    registry.check_years(framework)
    data_dir = Path(getattr(db, "data_dir", registry.SHIPPED_FOLDER.parent))
    registry.check_version(framework, registry.every_framework(data_dir, store_root))
    name = clean_line(file_name) or "(không tên)"
    if not registry.record_load(store_root, framework, actor.username, name, _now()):
        registry.check_version(framework, registry.every_framework(data_dir, store_root))
    shares = framework.percentages()
    audit_log.record(store_root, actor.username, "framework_loaded", {
        "framework": framework.key, "name": framework.name, "years": framework.years_text,
        "status": framework.status, "file_name": name,
        "groups": ", ".join(f"{g.code} {shares[g.code]:.4g} %" for g in framework.groups),
        **({"via": "command_line"} if actor is LOCAL_ADMIN else {}),
    })
    return framework


def load_boundaries(db: DataSource, actor: Account, province: str, data: bytes, file_name: str) -> Prepared:
    """Check a GeoJSON file, match its features to the province's communes, simplify, and keep
    it as the province's boundaries (replacing the last). At least one commune must match."""
    store_root = Path(db.store.root)
    actor = fresh_actor(store_root, actor)
    if not may_load_boundaries(actor, province):
        raise LoadRefused(_("Chỉ Quản trị của tỉnh {province} (hoặc Quản trị toàn quốc) được tải lên ranh giới xã của "
                            "tỉnh này; tài khoản của bạn: {scope}.").format(province=province, scope=scope_label(actor)))
    features = read_features(data)
    communes = db.run("communes_in_province", province=province)
    if communes.is_empty():
        raise LoadRefused(_("Tỉnh {province} chưa có xã nào trong dữ liệu: hãy tải danh sách xã lên trước.").format(
            province=province))
    prepared = boundaries.prepare(features, communes, province)
    if not prepared.features:
        raise BoundaryFileError(
            _("Tệp ranh giới không dùng được, chưa lưu gì: không đối tượng nào trong {count} đối tượng khớp với một xã "
              "của tỉnh {province} (theo mã xã hoặc tên xã; ví dụ {example}).").format(
                count=len(features), province=province, example=prepared.unmatched[0]))
    name = clean_line(file_name) or "(không tên)"
    boundaries.write(store_root, prepared, illustrative=False, source_file=name, loaded_at=_now(),
                     loaded_by=actor.username)
    audit_log.record(store_root, actor.username, "boundaries_loaded", {
        "province": province, "file_name": name, "matched": len(prepared.features),
        "unmatched": prepared.unmatched[:50], "missing": len(prepared.missing),
        "vertices": f"{prepared.vertices_before} → {prepared.vertices_after}",
        **({"via": "command_line"} if actor is LOCAL_ADMIN else {}),
    })
    return prepared
