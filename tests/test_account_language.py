"""The interface language kept in the account: saved by the person themself, audited, read back
on the next sign-in; an account written before the field existed reads as Vietnamese. The same
on the file store and on PostgreSQL (the record's JSON gains a key: no schema change)."""
from __future__ import annotations

import pytest

from queries.accounts import audit, service
from queries.accounts.permissions import LANH_DAO, LOCAL_ADMIN
from queries.accounts.storage import account_storage
from tests.test_accounts_postgres import person, rows


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    monkeypatch.setenv("DTI_TEST_FAST_HASH", "1")


def _check_language_round_trip(store) -> None:
    account, password = person(store)
    assert account.language is None  # never chosen: Vietnamese
    saved = service.set_own_language(store, account, "en")
    assert saved.language == "en"
    # a preference, not a credential: the session signed in before stays valid
    assert service.current_account(store, account) is not None
    signed_in = service.authenticate(store, account.username, password)
    assert signed_in.ok and signed_in.account.language == "en"
    assert service.set_own_language(store, saved, "EN-gb").language == "en"  # nothing new: no second line
    lines = [line for line in audit.audit_lines(store) if line["action"] == "language_changed"]
    assert [(line["user"], line["details"]["old"], line["details"]["new"]) for line in lines] == [
        (account.username, "vi", "en")]
    assert service.set_own_language(store, saved, "xx").language == "vi"  # unknown: the default


def test_language_is_kept_in_the_accounts_file(tmp_path):
    store = tmp_path / "store"
    _check_language_round_trip(store)
    assert (store / "accounts" / "accounts.json").exists()
    assert account_storage(store).record("lanhdao.tinh")["language"] == "vi"


def test_an_account_written_before_the_field_reads_as_vietnamese(tmp_path):
    store = tmp_path / "store"
    account = service.create_account(LOCAL_ADMIN, store, username="cu.truoc", role=LANH_DAO, name="Người cũ",
                                     password="mat-khau-du-dai-123")
    with account_storage(store).changing_accounts() as records:
        records["cu.truoc"].pop("language", None)
        records["cu.truoc"]["language"] = "klingon"  # a value no version wrote: ignored
    assert service.get_account(store, account.username).language is None


def test_language_is_kept_in_the_postgresql_row(pg_url, tmp_path):
    store = tmp_path / "store"
    _check_language_round_trip(store)
    [(record,)] = rows(pg_url, "select record from accounts")
    assert record["language"] == "vi"
