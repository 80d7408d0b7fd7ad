"""Frameworks: the groups a year's scores use (six pillars, the commune DTI's eight groups, a
province's own set), their weights and member indicators, as reviewable CSV files.

    model.py      Framework, Group; parse_framework(bytes, catalog) -> Framework or FrameworkFileError
    registry.py   shipped (data/frameworks/) and loaded (<store>/frameworks/) frameworks; in_force:
                  {year: framework key}; record_load; the refusals of a load (past years, versions)
    whatif.py     what-if weights: parsed from '--weights HT=20,…' or the URL, checked, in percent

The engine (queries/engine/build.py) turns them into tables; loading one, with its permission
and audit line, is queries/admin_loads.py.
"""
from queries.frameworks.model import (
    OFFICIAL,
    PROVISIONAL,
    Framework,
    FrameworkFileError,
    Group,
    parse_framework,
)
from queries.frameworks.registry import DEFAULT_ID, FrameworkRefused, every_framework, in_force, shipped

__all__ = ["DEFAULT_ID", "OFFICIAL", "PROVISIONAL", "Framework", "FrameworkFileError", "FrameworkRefused", "Group",
           "every_framework", "in_force", "parse_framework", "shipped"]
