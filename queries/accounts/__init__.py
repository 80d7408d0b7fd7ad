"""Accounts, roles, permissions and the audit log.

Accounts live in the store (`queries.settings.store_dir()`, DTI_STORE), or with DTI_DATABASE_URL
in the shared PostgreSQL database (`storage.account_storage`, `pg_storage.py`: accounts, the
throttle's state, keys, sessions, the audit log and settings), so every replica sharing it sees
the same ones; passwords are hashed with argon2id and no hash ever leaves
this package. Roles: quan_tri (Quản trị tỉnh), can_bo_xa (Cán bộ xã), lanh_dao (Lãnh đạo);
not signed in, a visitor may only browse, and only when the setting `public_view` is true.

Who may do what (pure functions, `permissions.py`, the one place the rules live):

    Account(username, name, role, provinces, communes, email, active, commune_names)
    LOCAL_ADMIN                          the command line: country-wide quan_tri, system user name
    ROLE_LABELS, KIND_LABELS             Vietnamese, marked N_(): role_label(code), kind_label(kind)
                                         and Account.role_label give them in the interface's language
    may_browse(account, public_view)     show pages at all (else only the login screen)
    province_in_scope(account, province) visible_provinces(account, all_provinces)
    readable_provinces(account, public_view) -> provinces | None (all)   (queries/reading.py applies it)
    commune_in_scope(account, commune_id, province)
    may_upload(account, kind)            may_upload_row(account, kind, commune_id, province)
    may_move_commune(account)            only a country-wide quan_tri moves a commune between provinces
    may_undo(account, upload_entry, communes_of_upload)
    may_redo(...)     as may_undo, but staff redo only what they undid themselves (`undone_by`)
    may_see_upload(account, upload_entry, communes_of_upload)
    may_review(account, province)        may_manage_accounts / may_change_settings / may_see_audit(account)
    may_manage(actor, target_provinces)
    scope_label(account) -> 'Xã Định Tiến' | 'Tỉnh Thanh Hóa, Đồng Nai' | 'Toàn quốc'
    describe(account)    -> 'Nguyễn Văn An — Cán bộ xã, Xã Định Tiến'     shown_name(account)
    upload_refusal(account, kind) / undo_refusal(...) / redo_refusal(...) / review_refusal(...) -> message | None
    row_refusal(account, commune_name, province) -> 'xã Phú Mỹ (Đồng Nai) không thuộc phạm vi
        tài khoản của bạn (Xã Định Tiến)'   (the importer prefixes 'Dòng 5: ')
    commune_row_refusal(account, commune_name, current_province, new_province) -> message | None
        (a row of a commune list: scope is the commune's province now)

Signing in and managing (`service.py`; each call re-reads the actor from the store and checks
its permission itself: PermissionDenied / InvalidInput, both with a `.message` to show):

    authenticate(store, username, password, address=None) -> LoginResult(account | None, message, locked_until)
        (address: throttle.client_address(...); locks by name and address, waits by address: throttle.py)
    sso_login(store, claims) -> LoginResult   (claims: the ID token's, e.g. st.user: email_verified
        must be true; the first sign-in binds the account to iss + sub, later ones must match)
    account_by_email(store, email) -> Account | None   (exact, after email_key: NFC, strip, ASCII lower-case)
    logout(store, account)
    current_account(store, account) -> Account | None   (call on every page run: None = disabled, or its
        credential_version changed: a new password, role, scope or e-mail)
    get_account(store, username) -> Account | None
    display_names(store, usernames) -> {username: the person's name}   (what pages show, never user names)
    list_accounts(actor, store) -> [Account]
    create_account(actor, store, *, username, role, password=None, name="", email=None,
                   provinces=(), communes=(), places=None) -> Account
    update_account(actor, store, username, *, places=None, name=, role=, provinces=, communes=, email=)
    disable_account(actor, store, username) / enable_account(actor, store, username) -> Account
    set_password(actor, store, username, password)
    change_own_password(store, account, old_password, new_password) -> Account   (keep it: the others end)
    change_settings(actor, store, {name: value}) -> [(name, old, new)]

Communes may be given as the importer reads them: commune id, commune code or name within the
given provinces (`places.Places`, built from the Database: `Places.from_database(db)`).

Sessions that survive a reload (`sessions.py`, `cookie.py`, `signin.py`): a random id in a signed
HttpOnly cookie, the session in `<store>/accounts/sessions/` under the id's hash, ended on sign-out
and by every change of credentials (end_all); served by the routes of web/signin.py.

    signin.sign_in(store, username, password, address) -> SignIn(result, cookie)
    signin.resume(store, cookie) -> Resumed(account | None, ended)      signin.sign_out(store, cookie)
    sessions.session_store(store) -> SessionStore (open, get, touch, end, end_all)

The audit log: sign-ins, accounts and settings appended to `<store>/audit/<YYYY-MM>.jsonl` by
`audit_log.py` (the service writes through it); uploads, undo, redo and reviews read from the
store's journal. Reading it, as far as the viewer may, is `audit.py`, which asks the service
who the viewer manages (one way: the service never imports audit.py).

    audit_events(store, since=None) -> [{"time", "user", "action", "details"}], oldest first
    audit_frame(store, since=None, *, viewer, places=None, upload_communes=None) -> polars, newest first
    upload_communes(db) -> {upload_id: {commune_id: province}}   (for may_undo and the log)
    ACTION_LABELS (marked N_()), audit_log.action_label(code), details_text(event), shown_user(name)

Every sentence here is written in Vietnamese and passed through queries.i18n's `_()`: in English
(`--lang en`, or the page's language) refusals, labels, the log's details and the command line
read in English (locales/en/LC_MESSAGES/accounts.po). What is stored (accounts, the log's events,
codes) and JSON never change with the language.

The command line is `python -m queries.users` (queries/accounts/cli.py).
"""
from queries.accounts.audit import ACTION_LABELS, audit_events, audit_frame, details_text, shown_user, upload_communes
from queries.accounts.audit_log import action_label
from queries.accounts.permissions import (
    CAN_BO_XA,
    KIND_LABELS,
    LANH_DAO,
    LOCAL_ADMIN,
    QUAN_TRI,
    ROLE_LABELS,
    ROLES,
    Account,
    commune_in_scope,
    commune_row_refusal,
    describe,
    kind_label,
    may_browse,
    may_change_settings,
    may_manage,
    may_manage_accounts,
    may_move_commune,
    may_redo,
    may_review,
    may_see_audit,
    may_see_upload,
    may_undo,
    may_upload,
    may_upload_row,
    province_in_scope,
    readable_provinces,
    redo_refusal,
    review_refusal,
    role_label,
    row_refusal,
    scope_label,
    shown_name,
    undo_refusal,
    upload_refusal,
    visible_provinces,
)
from queries.accounts.places import Places
from queries.accounts.service import (
    WRONG_CREDENTIALS,
    AccountsError,
    InvalidInput,
    LoginResult,
    PermissionDenied,
    account_by_email,
    authenticate,
    change_own_password,
    change_settings,
    create_account,
    current_account,
    disable_account,
    enable_account,
    get_account,
    list_accounts,
    logout,
    set_password,
    sso_login,
    update_account,
)

__all__ = [
    "ACTION_LABELS", "CAN_BO_XA", "KIND_LABELS", "LANH_DAO", "LOCAL_ADMIN", "QUAN_TRI", "ROLES", "ROLE_LABELS",
    "WRONG_CREDENTIALS", "Account", "AccountsError", "InvalidInput", "LoginResult", "PermissionDenied", "Places",
    "account_by_email", "action_label", "audit_events", "audit_frame", "authenticate", "change_own_password",
    "change_settings", "commune_in_scope", "commune_row_refusal", "create_account", "current_account", "describe",
    "details_text", "disable_account", "enable_account", "get_account", "kind_label", "list_accounts", "logout",
    "may_browse", "may_change_settings", "may_manage", "may_manage_accounts", "may_move_commune", "may_redo",
    "may_review", "may_see_audit", "may_see_upload", "may_undo", "may_upload", "may_upload_row", "province_in_scope",
    "readable_provinces", "redo_refusal", "review_refusal", "role_label", "row_refusal", "scope_label",
    "set_password", "shown_name", "shown_user", "sso_login", "undo_refusal", "update_account", "upload_communes",
    "upload_refusal", "visible_provinces",
]
