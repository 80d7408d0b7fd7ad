"""Which frameworks exist, and which one scores each year.

- **Shipped** frameworks are the files of `data/frameworks/` (a data folder without that
  folder, such as the tests' fixture, uses the product's own). `six-pillars` is the default:
  it scores every year nobody loaded another framework for.
- **Loaded** frameworks are in the store, `<store>/frameworks/`: each file as loaded
  (`<id>@<version>.csv`) and `loads.json`, the list of loads in order. A load puts its
  framework in force for its years (year_from to year_to, or on), over what was there.
- A load may not reach back: its first year is this year or later, so the scores of years
  already past keep the framework they were computed with (`check_years`).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from queries import clock
from queries.errors import UserFacingError
from queries.frameworks.model import FIRST_YEAR, LAST_YEAR, Framework, parse_framework
from queries.i18n import _
from queries.settings import ROOT
from queries.store import documents

DEFAULT_ID = "six-pillars"
FOLDER = "frameworks"
LOADS = "loads.json"
LOCK = ".frameworks.lock"
SHIPPED_FOLDER = ROOT / "data" / FOLDER


class FrameworkRefused(UserFacingError):
    """A framework that may not be loaded now (its years, a version already taken)."""


@dataclass(frozen=True)
class Load:
    """One load of a framework file into the store."""

    key: str
    loaded_at: str
    loaded_by: str
    file_name: str


def shipped_folder(data_dir: Path) -> Path:
    own = Path(data_dir) / FOLDER
    return own if own.is_dir() else SHIPPED_FOLDER


def shipped(data_dir: Path) -> list[Framework]:
    """The frameworks that come with the product, the default first."""
    found = [parse_framework(path.read_bytes()) for path in sorted(shipped_folder(data_dir).glob("*.csv"))]
    return sorted(found, key=lambda f: (f.id != DEFAULT_ID, f.id, f.version))


def _folder(store_root: Path) -> Path:
    return Path(store_root) / FOLDER


def loads(store_root: Path) -> list[Load]:
    path = _folder(store_root) / LOADS
    if not path.exists():
        return []
    return [Load(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


def loaded(store_root: Path) -> list[Framework]:
    """The frameworks loaded into the store (each version once), in the order first loaded."""
    found: dict[str, Framework] = {}
    for load in loads(store_root):
        if load.key not in found:
            found[load.key] = parse_framework((_folder(store_root) / f"{load.key}.csv").read_bytes())
    return list(found.values())


def every_framework(data_dir: Path, store_root: Path) -> list[Framework]:
    """Shipped, then loaded (a loaded version of a shipped framework is the same content)."""
    known = {f.key: f for f in shipped(data_dir)}
    for framework in loaded(store_root):
        known.setdefault(framework.key, framework)
    return list(known.values())


def in_force(data_dir: Path, store_root: Path) -> dict[int, str]:
    """{year: framework key} for every year FIRST_YEAR..LAST_YEAR: the default, then each load
    over its years, in the order loaded."""
    default = next(f for f in shipped(data_dir) if f.id == DEFAULT_ID)
    years = dict.fromkeys(range(FIRST_YEAR, LAST_YEAR + 1), default.key)
    known = {f.key: f for f in every_framework(data_dir, store_root)}
    for load in loads(store_root):
        framework = known[load.key]
        for year in range(framework.year_from, (framework.year_to or LAST_YEAR) + 1):
            years[year] = framework.key
    return years


def stamp(store_root: Path) -> str:
    """Changes whenever a framework is loaded (what the tables were built from)."""
    try:
        info = os.stat(_folder(store_root) / LOADS)
    except FileNotFoundError:
        return "none"
    return f"{info.st_mtime_ns}:{info.st_size}"


def state(data_dir: Path, store_root: Path) -> str:
    """A digest of everything that decides the framework tables: the shipped files and the loads."""
    digest = hashlib.sha256()
    for path in sorted(shipped_folder(data_dir).glob("*.csv")):
        digest.update(path.name.encode() + path.read_bytes())
    loads_file = _folder(store_root) / LOADS
    if loads_file.exists():
        digest.update(loads_file.read_bytes())
    return digest.hexdigest()[:20]


def check_years(framework: Framework, today_year: int | None = None) -> None:
    """Refuse a framework that would change the scores of a year already past."""
    this_year = today_year or clock.today().year
    if framework.year_from < this_year:
        raise FrameworkRefused(
            _("Bộ khung bắt đầu từ năm {first}, nhưng điểm các năm đã qua (trước {year}) giữ bộ khung đã dùng để tính: "
              "hãy để year_from từ {year} trở đi.").format(first=framework.year_from, year=this_year))


def record_load(store_root: Path, framework: Framework, user: str, file_name: str, moment: str) -> bool:
    """Keep the framework's file and add its load to loads.json (both written atomically, under
    the frameworks' lock). False when the same version with other content exists: the caller
    refuses before that (`check_version`), this is the last guard against a race."""
    # loads.json is changed under the lock every machine shares (queries.store.documents: a
    # file lock, or the row's on PostgreSQL); the framework's file first, then its load.
    content = framework.to_csv()
    with documents.changing(store_root, f"{FOLDER}/{LOADS}") as load_list:
        with documents.changing(store_root, f"{FOLDER}/{framework.key}.csv") as kept:
            if kept[0] is not None and kept[0] != content:
                return False
            kept[0] = content
        entries = json.loads(load_list[0].decode("utf-8")) if load_list[0] else []
        entries.append(vars(Load(framework.key, moment, user, file_name)))
        load_list[0] = (json.dumps(entries, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return True


def check_version(framework: Framework, known: list[Framework]) -> None:
    """A version number names one content: new weights or members need a new version."""
    same = next((f for f in known if f.key == framework.key), None)
    if same is not None and same.content_hash() != framework.content_hash():
        newest = max(f.version for f in known if f.id == framework.id)
        raise FrameworkRefused(
            _("Bộ khung {id} phiên bản {version} đã có với nội dung khác: hãy ghi phiên bản mới (ví dụ {next}) để các "
              "điểm đã tính theo phiên bản cũ vẫn giữ nguyên.").format(id=framework.id, version=framework.version,
                                                                     next=newest + 1))
