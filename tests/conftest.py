"""Shared fixtures: a Database over the tiny hand-made fixture in tests/fixture/."""
from __future__ import annotations

from pathlib import Path

import pytest

from queries.db import Database

FIXTURE_DIR = Path(__file__).resolve().parent / "fixture"


@pytest.fixture
def fixture_db(tmp_path) -> Database:
    """The fixture's communes, targets and results, an empty store, no demo data."""
    return Database(store=tmp_path / "store", include_demo=False, data_dir=FIXTURE_DIR)
