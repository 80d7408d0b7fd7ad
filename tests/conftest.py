"""Shared fixtures: a Database over the tiny hand-made fixture in tests/fixture/."""
from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

import pytest

import queries.db as qdb
from queries import clock
from queries.db import Database
from ui import heap

FIXTURE_DIR = Path(__file__).resolve().parent / "fixture"
# The day the tests live on unless a test states another: what is "in the future", the
# default month and the deadlines depend on it, and CI runs on any day. queries.clock reads
# DTI_NOW, and the commands and servers the tests start inherit it.
TEST_NOW = "2026-11-22T10:00:00+07:00"


def pytest_configure(config):
    # Fixtures of a module or of the session (the meeting pack, the shipped tables) run before
    # the per-test fixture below: they live on the tests' day too, never on the real one.
    os.environ["DTI_NOW"] = TEST_NOW
    clock.reset()
    # Before every run, AppTest scans the metadata of every installed package for Streamlit
    # components (0.17 s here, each of the suite's AppTest runs). The packages installed do not
    # change while the tests run: scan once per process. The served app scans once at start.
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture(autouse=True)
def settled_heap():
    # Every AppTest run ends with Streamlit's full garbage collection (runner.postScriptGC), which
    # walks every object of this process: pytest's, the test modules' and the libraries'. What is
    # alive before a test that imported something new is frozen (ui/heap.py, as the served
    # dashboard does), so each collection is the run's own garbage.
    if os.environ.get("DTI_TEST_NO_FREEZE") != "1":
        heap.settle()


@pytest.fixture(autouse=True)
def stated_day(monkeypatch):
    monkeypatch.setenv("DTI_NOW", TEST_NOW)
    clock.reset()  # the clock starts at TEST_NOW for this test, not at an earlier test's start


@pytest.fixture(autouse=True)
def own_main_module(monkeypatch):
    # Streamlit runs a page as the module `__main__` and leaves it in sys.modules after an AppTest
    # run; a later test in the same worker that starts a process with `spawn` then ran that page
    # (tai_len.py) in the child, and the child failed.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture(scope="session")
def shipped_tables(tmp_path_factory) -> Path:
    """A store whose cache/ holds the snapshot of the shipped data and demo, built once per
    session on the tests' day. Building takes about 3 s; a store seeded with this snapshot
    opens in 0.05 s, the way a new process opens a store (and still applies its own uploads)."""
    root = tmp_path_factory.mktemp("shipped-tables")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_NOW", TEST_NOW)
        clock.reset()
        Database(store=root).ensure_fresh()
    clock.reset()
    assert list((root / "cache").glob("tables-*.duckdb")), "the build saved no snapshot"
    return root


@pytest.fixture
def seed_tables(shipped_tables):
    """seed_tables(store_root): put the shipped data's snapshot into a fresh store."""
    def seed(store_root: Path) -> Path:
        shutil.copytree(shipped_tables / "cache", Path(store_root) / "cache", dirs_exist_ok=True)
        return Path(store_root)
    return seed


@pytest.fixture
def fixture_db(tmp_path) -> Database:
    """The fixture's communes, targets and results, an empty store, no demo data."""
    return Database(store=tmp_path / "store", include_demo=False, data_dir=FIXTURE_DIR)


@pytest.fixture(scope="module")
def shipped_db(tmp_path_factory, shipped_tables) -> Database:
    """The shipped data and demo through get_database(), as the app and the CLI see them,
    over an empty store of the module's own (opened from the session's snapshot)."""
    store = tmp_path_factory.mktemp("store")
    shutil.copytree(shipped_tables / "cache", store / "cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_STORE", str(store))
        qdb._databases.clear()
        yield qdb.get_database()
        qdb._databases.clear()


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory):
    """A throwaway PostgreSQL cluster (Debian's package) for the whole session, on a free
    loopback port. `make test` installs the package; only without it is a test skipped."""
    import tempfile

    from deploy.postgres_cluster import Cluster, ClusterUnavailable

    # Not under pytest's own temporary folder: pytest makes that its owner's only (0700) at
    # every start, which would lock the server's `postgres` user out mid-session.
    folder = Path(tempfile.mkdtemp(prefix="dti-postgres-"))
    try:
        cluster = Cluster(folder)
        cluster.init()
        cluster.start()
    except ClusterUnavailable as error:
        if os.environ.get("CI"):
            raise  # `make test` installs postgresql: in CI its absence is a failure, not a skip
        pytest.skip(f"PostgreSQL is not available here: {error}")
    yield cluster
    from queries.store.postgres import close_pools

    close_pools()
    cluster.stop("immediate")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_cluster, monkeypatch, request):
    """An empty database of its own for one test, named for it; DTI_DATABASE_URL points at it."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + "_" + os.urandom(3).hex()
    url = postgres_cluster.create_database(name)
    monkeypatch.setenv("DTI_DATABASE_URL", url)
    yield url
    from queries.store.postgres import _pools, close_pools

    if url in _pools:
        close_pools()
