"""Several machines, one PostgreSQL database: processes with different local folders and the
same DTI_DATABASE_URL are one service. Against a real server (Debian's postgresql, a
throwaway cluster the suite starts; see the `postgres_cluster` fixture)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from queries.store.pg_store import PgStore
from queries.store.postgres import close_pools, connection
from tests.test_store import current, monthly, upload
from tests.upload_data import TODAY, make_data_dir, make_database

ROOT = Path(__file__).resolve().parent.parent
# A row for a commune of the shipped data, as an office would send it.
SHIPPED_ROW = "Tên xã;Tỉnh;Kỳ báo cáo;Mã chỉ tiêu;Giá trị\nĐịnh Tiến;Thanh Hóa;{month}/2026;XH05;{value}\n"


def cli(folder: Path, url: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """A command on a machine of its own: its own local folder, the shared database."""
    env = {**os.environ, "DTI_STORE": str(folder), "DTI_DATABASE_URL": url, "HOME": str(folder)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def test_values_undo_redo_and_the_same_file_twice(pg_url, tmp_path):
    db = make_database(tmp_path)
    assert isinstance(db.store, PgStore)
    first = upload(db, monthly("80,44"), "a.csv")
    second = upload(db, monthly("81,5"), "b.csv")
    assert current(db) == [81.5]
    again = upload(db, monthly("81,5"), "b-again.csv")
    assert again.upload_id == second.upload_id and again.duplicate
    db.store.undo(second.upload_id, user="tỉnh")
    assert current(db) == [80.44]
    db.store.redo(second.upload_id)
    assert current(db) == [81.5]
    assert [e["upload_id"] for e in db.store.entries()] == [first.upload_id, second.upload_id]
    with connection(pg_url) as conn:
        assert conn.execute("select count(*) from values_actuals").fetchone()[0] == 2
        assert conn.execute("select array_agg(seq order by seq) from journal").fetchone()[0] == [1, 2, 3, 4]


def test_a_second_machine_with_its_own_folder_sees_everything(pg_url, tmp_path):
    data = make_data_dir(tmp_path / "data")
    from queries.db import Database

    one = Database(store=tmp_path / "one", include_demo=False, data_dir=data)
    stored = upload(one, monthly("77"), "a.csv")
    two = Database(store=tmp_path / "two", include_demo=False, data_dir=data)
    assert current(two) == [77.0]
    two.store.undo(stored.upload_id, user="máy hai")
    assert current(one) == []  # the undo on the second machine, seen by the first
    assert not (tmp_path / "one" / "journal.jsonl").exists()  # nothing of the store in the folders


def _row(value: float, month: int = 3):
    import polars as pl

    from queries.store import ROW_SCHEMAS

    return pl.DataFrame([{"row_number": 2, "commune_id": "thanh-hoa/dinh-tien", "indicator": "XH05",
                          "period": TODAY.replace(month=month, day=1), "value": value, "numerator": None,
                          "denominator": None, "note": None}], schema=ROW_SCHEMAS["actuals"])


def test_twenty_senders_at_once_one_upload_per_file(pg_url, tmp_path):
    """Twenty senders, each a store of its own (its own folder, its own connection), released
    together: ten send one and the same file, ten send files of their own. The same file is one
    upload with one id for all ten callers; the journal is numbered in commit order. (Two whole
    processes sending the same file: test_the_operators_commands_on_two_machines.)"""
    make_database(tmp_path)  # the schema, before the race
    barrier = threading.Barrier(20)
    results: list = [None] * 20
    errors: list = []

    def send(number: int) -> None:
        try:
            store = PgStore(tmp_path / f"m{number}", pg_url)
            content = b"the same file" if number < 10 else f"file {number}".encode()
            rows = _row(66.0) if number < 10 else _row(float(number), month=number - 9)
            barrier.wait()
            results[number] = store.add_upload("actuals", rows, file_name=f"gui-{number}.csv", content=content,
                                               user=f"máy {number}")
        except Exception as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)

    senders = [threading.Thread(target=send, args=(n,)) for n in range(20)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(120)
    assert errors == []
    same = {r.upload_id for r in results[:10]}
    assert len(same) == 1 and sum(not r.duplicate for r in results[:10]) == 1
    assert len({r.upload_id for r in results[10:]} - same) == 10
    with connection(pg_url) as conn:
        assert conn.execute("select count(*) from uploads").fetchone()[0] == 11
        assert conn.execute("select count(*) from values_actuals").fetchone()[0] == 11
        seqs = conn.execute("select array_agg(seq order by seq) from journal").fetchone()[0]
    assert seqs == list(range(1, 12))  # numbered in commit order, no gap, no double


def test_postgres_restarted_while_uploads_arrive(pg_url, postgres_cluster, tmp_path):
    """A sender keeps sending while the server restarts: every upload lands exactly once."""
    db = make_database(tmp_path)
    store = db.store
    rows = _row

    receipts, errors = [], []

    def sender():
        try:
            for number in range(40):
                receipts.append(store.add_upload("actuals", rows(float(number)), file_name=f"{number}.csv",
                                                 content=f"tệp {number}".encode()))
                time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)

    thread = threading.Thread(target=sender)
    thread.start()
    time.sleep(0.5)
    postgres_cluster.restart(pause=1.0)
    thread.join(120)
    assert errors == [] and len(receipts) == 40
    assert len({r.upload_id for r in receipts}) == 40 and not any(r.duplicate for r in receipts)
    with connection(pg_url) as conn:
        assert conn.execute("select count(*) from uploads").fetchone()[0] == 40
        assert conn.execute("select count(*), count(distinct value) from values_actuals").fetchone() == (40, 40)


def test_an_unreachable_server_at_start_is_one_sentence_and_exit_2(tmp_path):
    from deploy.postgres_cluster import free_port

    secret = "s3cr3t-" + os.urandom(4).hex()
    url = f"postgresql://dti:{secret}@127.0.0.1:{free_port()}/dti"
    data = tmp_path / "thang3.csv"
    data.write_text(SHIPPED_ROW.format(month="03", value="80"), encoding="utf-8")
    result = cli(tmp_path / "store", url, "-m", "queries.ingest", str(data), "--json")
    assert result.returncode == 2
    assert "Không kết nối được cơ sở dữ liệu PostgreSQL 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and secret not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_operators_commands_on_two_machines(pg_url, tmp_path):
    """`python -m queries.ingest FILE --json`, `--undo ID` and `python -m queries.export audit`
    hold on PostgreSQL; the same file sent to both machines is one upload; the log on either
    names what both did."""
    one, two = tmp_path / "may-mot", tmp_path / "may-hai"
    sheet = tmp_path / "thang10.csv"
    sheet.write_text(SHIPPED_ROW.format(month="10", value="81,5"), encoding="utf-8")
    sent = [subprocess.Popen([sys.executable, "-m", "queries.ingest", str(sheet), "--json", "--user", user],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "DTI_STORE": str(folder), "DTI_DATABASE_URL": pg_url})
            for folder, user in ((one, "an"), (two, "binh"))]
    outputs = [process.communicate(timeout=180) for process in sent]
    assert [process.returncode for process in sent] == [0, 0], outputs
    stored = [json.loads(out)["stored"] if out.lstrip().startswith("{") else json.loads(out)[0]["stored"]
              for out, _ in outputs]
    assert stored[0]["upload_id"] == stored[1]["upload_id"]
    assert sorted(s["duplicate"] for s in stored) == [False, True]
    upload_id = stored[0]["upload_id"]
    winner = ["an", "binh"][[s["duplicate"] for s in stored].index(False)]
    undone = cli(two, pg_url, "-m", "queries.ingest", "--undo", upload_id, "--json", "--user", "chi")
    assert undone.returncode == 0, undone.stderr
    for folder in (one, two):
        audit = cli(folder, pg_url, "-m", "queries.export", "audit", "--format", "json")
        assert audit.returncode == 0, audit.stderr
        events = json.loads(audit.stdout)
        done = {(e["user"], e["action"], e["details"]["upload_id"]) for e in events}
        assert done == {(winner, "upload", upload_id), ("chi", "undo", upload_id)}


def test_migrating_the_demo_store_keeps_every_count(postgres_cluster, tmp_path):
    url = postgres_cluster.create_database("migrate_demo")
    store = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", store)
    from tests.browser.conftest import create_test_account

    password = create_test_account(store, "canbo.dinhtien", "can_bo_xa", "Nguyễn Văn An",
                                   communes=["thanh-hoa/dinh-tien"])
    first = cli(tmp_path / "local", url, "-m", "queries.store", "migrate", "--to", url, "--store", str(store), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["status"] == "copied"
    figures = report["figures"]
    assert all(files == database for files, database in figures.values())
    assert figures["lần tải lên"][0] > 500 and figures["dòng actuals"][0] > 40_000
    assert figures["tài khoản"] == [1, 1] and figures["dòng nhật ký hoạt động"] == [1, 1]
    # The account signs in on the database with the password it had in the files.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_DATABASE_URL", url)
        from queries.accounts.service import authenticate

        assert authenticate(tmp_path / "local", "canbo.dinhtien", password).account is not None
        assert authenticate(tmp_path / "local", "canbo.dinhtien", password + "x").account is None
        close_pools()
    again = cli(tmp_path / "local", url, "-m", "queries.store", "migrate", "--to", url, "--store", str(store), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "already"
    other = tmp_path / "other"
    other.mkdir()
    refused = cli(tmp_path / "local", url, "-m", "queries.store", "migrate", "--to", url, "--store", str(other))
    assert refused.returncode == 2 and "đã có dữ liệu khác" in refused.stderr
    # The migrated store reads as the original: the same ranking from both.
    rankings = []
    for env_url in (None, url):
        env = {**os.environ, "DTI_STORE": str(store if env_url is None else tmp_path / "local")}
        env.pop("DTI_DATABASE_URL", None)
        if env_url:
            env["DTI_DATABASE_URL"] = env_url
        done = subprocess.run([sys.executable, "-m", "queries.export", "ranking", "--format", "json",
                               "--period", "2026-10"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        rankings.append(json.loads(done.stdout))
    assert rankings[0] == rankings[1]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_lives_in_the_database_or_in_the_folder_named_for_it(pg_url, tmp_path, monkeypatch):
    one = make_database(tmp_path / "a").store
    sha = one.put_blob(PDF)
    two = PgStore(tmp_path / "b" / "store", pg_url)  # another machine
    assert two.has_blob(sha) and two.read_blob(sha) == PDF
    assert not list((tmp_path / "a").rglob(sha))  # nothing of it in the local folder
    shared = tmp_path / "evidence"
    monkeypatch.setenv("DTI_EVIDENCE_DIR", str(shared))
    other = one.put_blob(PDF + b"%2\n")
    assert (shared / other[:2] / other).read_bytes() == PDF + b"%2\n"
    assert two.read_blob(other) == PDF + b"%2\n"
    with connection(pg_url) as conn:
        assert conn.execute("select count(*) from blobs").fetchone()[0] == 1


def test_settings_come_from_the_database_not_a_folder_used_before(pg_url, tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "settings.json").write_text('{"include_demo": false, "report_deadline_day": 5}', encoding="utf-8")
    from queries.settings import load_settings

    PgStore(folder, pg_url).version()
    assert load_settings(folder)["report_deadline_day"] == 20  # the database has no override
    with connection(pg_url) as conn:
        conn.execute("insert into shared_values (name, value) values ('settings', '{\"report_deadline_day\": 12}')")
    other = PgStore(tmp_path / "other", pg_url)
    other.version()
    assert load_settings(tmp_path / "other")["report_deadline_day"] == 12


def test_the_migration_compares_counts_exactly_and_sums_to_a_billionth():
    from queries.migrate import _same

    files = {"dòng actuals": 4_040_788, "tổng actuals.value": 200415633.79}
    # The national store's real case: the database adds the same values in another order.
    assert _same(files, {"dòng actuals": 4_040_788, "tổng actuals.value": 200415633.789997})
    assert not _same(files, {"dòng actuals": 4_040_787, "tổng actuals.value": 200415633.79})
    assert not _same(files, {"dòng actuals": 4_040_788, "tổng actuals.value": 200415634.79})  # one value off by 1


def test_the_local_cache_merges_small_files_and_leaves_large_ones(pg_url, tmp_path, monkeypatch):
    import queries.store.pg_store as pg_store

    db = make_database(tmp_path)
    store = db.store
    for number in range(3):
        store.add_upload("actuals", _row(float(number)), file_name=f"{number}.csv", content=f"{number}".encode())
    first = store.data_files("actuals")
    assert len(first) == 1
    monkeypatch.setattr(pg_store, "MERGE_AFTER_FILES", 4)
    monkeypatch.setattr(pg_store, "SMALL_FILE_BYTES", first[0].stat().st_size)  # the first file counts as large
    for number in range(3, 9):
        store.add_upload("actuals", _row(float(number)), file_name=f"{number}.csv", content=f"{number}".encode())
        store.data_files("actuals")
    files = store.data_files("actuals")
    assert files[0] == first[0] and len(files) <= 5  # the large file kept as it was, the small ones merged
    import polars as pl

    values = pl.concat([pl.read_parquet(f) for f in files])["value"].sort().to_list()
    assert values == [float(n) for n in range(9)]  # every upload's row once
