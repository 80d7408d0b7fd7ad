-- The shared state of every machine on one database. Each table says which file of the
-- embedded store it stands for (queries/store/uploads.py, queries/accounts/*).

-- journal.jsonl: one row per committed change, numbered in commit order (writers take an
-- advisory lock, so a reader asking "after seq N" never misses a row committed later).
create table journal (
    seq bigint primary key,
    at timestamptz not null default now(),
    action text not null,
    upload_id text,
    entry jsonb not null
);
create index journal_upload on journal (upload_id) where upload_id is not null;

-- One row per upload: the same file (kind + content hash) is active at most once. The
-- constraint, inside the commit's transaction, is what makes two machines receiving the same
-- file at the same moment store it once.
create table uploads (
    upload_id text primary key,
    seq bigint not null,  -- the journal row of the same transaction
    kind text not null,
    sha256 text not null,
    active boolean not null default true
);
create unique index uploads_one_active_copy on uploads (kind, sha256) where active;

-- uploads/<kind>/*.parquet: the rows each upload brought, with the spreadsheet row they came from.
create table values_actuals (
    upload_id text not null references uploads (upload_id) deferrable initially deferred,
    row_number integer, commune_id text, indicator text, period date,
    value double precision, numerator double precision, denominator double precision, note text
);
create index values_actuals_upload on values_actuals (upload_id);
create table values_targets (
    upload_id text not null references uploads (upload_id) deferrable initially deferred,
    row_number integer, commune_id text, indicator text, year integer, comparator text,
    target double precision, target_text text, lead_unit text, partner_units text,
    source_doc text, source_item text, note text
);
create index values_targets_upload on values_targets (upload_id);
create table values_communes (
    upload_id text not null references uploads (upload_id) deferrable initially deferred,
    row_number integer, commune_id text, commune_code text, commune_name text, province text,
    adult_population double precision, population_15plus double precision,
    working_age_population double precision, is_demo boolean
);
create index values_communes_upload on values_communes (upload_id);
create table values_tasks (
    upload_id text not null references uploads (upload_id) deferrable initially deferred,
    row_number integer, commune_id text, plan_year integer, item text, status text,
    completed_on date, note text
);
create index values_tasks_upload on values_tasks (upload_id);
create table values_spending (
    upload_id text not null references uploads (upload_id) deferrable initially deferred,
    row_number integer, commune_id text, year integer, item text, planned bigint, spent bigint,
    source_doc text, source_item text, note text
);
create index values_spending_upload on values_spending (upload_id);

-- originals/: each file exactly as it was sent, for audit.
create table originals (
    upload_id text primary key references uploads (upload_id) deferrable initially deferred,
    file_name text not null,
    content bytea not null
);

-- blobs/: evidence files by their content (when no evidence folder is set).
create table blobs (
    sha256 text primary key,
    size bigint not null,
    content bytea not null
);

-- accounts/accounts.json: one row per account; the record's fields as the file keeps them.
create table accounts (
    username text primary key,
    record jsonb not null
);

-- Small shared values kept whole: the sign-in throttle's counters (accounts/logins.json),
-- the key of keyed hashes (accounts/secret.key), settings (settings.json), this database's id.
create table shared_values (
    name text primary key,
    value jsonb not null,
    version bigint not null default 1
);
insert into shared_values (name, value) values ('database_id', to_jsonb(md5(random()::text || clock_timestamp()::text)));

-- accounts/sessions/: a sign-in session, filed under the SHA-256 of its id.
create table sessions (
    key text primary key,
    username text not null,
    credential_version integer not null,
    opened timestamptz not null,
    last_used timestamptz not null
);
create index sessions_username on sessions (username);

-- audit/<YYYY-MM>.jsonl: sign-ins, accounts, passwords, settings (data changes are the journal).
create table audit (
    id bigserial primary key,
    time timestamptz not null,
    "user" text not null,
    action text not null,
    line jsonb not null
);
create index audit_time on audit (time);
