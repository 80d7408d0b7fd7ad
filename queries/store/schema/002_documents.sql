-- Small files an admin loads that change how scores are computed or drawn (frameworks and
-- their loads.json, provinces' boundaries), by their path under the store folder. Each machine
-- copies a changed one into its folder before its next page view (queries.store.documents).
create sequence document_changes;
create table documents (
    name text primary key,
    content bytea not null,
    changed bigint not null default nextval('document_changes')
);
