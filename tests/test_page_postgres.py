"""The dashboard on PostgreSQL (AppTest): the pages read the shared database through a local
folder of their own; while the server is away the page says it is reconnecting and comes back
by itself."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries.store.postgres import RECONNECTING, close_pools
from tests.test_pages import _reset_caches

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def local_folder(tmp_path, monkeypatch, seed_tables):
    root = seed_tables(tmp_path / "store")
    monkeypatch.setenv("DTI_STORE", str(root))
    _reset_caches()
    yield root
    _reset_caches()


def test_the_overview_reads_through_postgresql(pg_url, local_folder):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Tổng quan" in t.value for t in at.title)
    assert RECONNECTING not in " ".join(i.value for i in at.info)


def test_a_server_that_went_away_shows_reconnecting_then_the_page(pg_url, postgres_cluster, local_folder):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception
    postgres_cluster.stop("fast")
    try:
        close_pools()  # a process that starts now: nothing cached of the connection
        _reset_caches()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert RECONNECTING in " ".join(i.value for i in at.info)
        assert "Traceback" not in str(at)
    finally:
        postgres_cluster.start()
    at.run()
    assert not at.exception
    assert RECONNECTING not in " ".join(i.value for i in at.info)
    assert any("Tổng quan" in t.value for t in at.title)
