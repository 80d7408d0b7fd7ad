"""Shared fixtures: a Database over the tiny hand-made fixture in tests/fixture/."""
from __future__ import annotations

from pathlib import Path

import pytest

import queries.db as qdb
from queries.db import Database

FIXTURE_DIR = Path(__file__).resolve().parent / "fixture"


@pytest.fixture
def fixture_db(tmp_path) -> Database:
    """The fixture's communes, targets and results, an empty store, no demo data."""
    return Database(store=tmp_path / "store", include_demo=False, data_dir=FIXTURE_DIR)


@pytest.fixture(scope="module")
def shipped_db(tmp_path_factory) -> Database:
    """The shipped data and demo through get_database(), as the app and the CLI see them,
    over an empty store of the module's own."""
    store = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_STORE", str(store))
        qdb._databases.clear()
        yield qdb.get_database()
        qdb._databases.clear()
