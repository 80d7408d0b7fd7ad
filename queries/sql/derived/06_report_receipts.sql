-- columns: commune_id, period, received_at, upload_id
-- When each commune's report for each month was received: the earliest still-active upload
-- that brought an accepted value for that commune and month (its stated received_at, else
-- when it was stored). A later correction does not move it; an undone upload no longer
-- counts. Values from the signed plans have no upload and no receipt. For the communes in
-- refresh_scope; compliance_by_month.sql turns it into on time / late / missing.
create or replace macro report_receipts_in_scope() as table
with

brought as (
    select h.commune_id, h.period, h.upload_id, h.priority
    from actuals_history as h
    semi join refresh_scope as s on s.commune_id = h.commune_id
    where h.active and h.upload_id is not null
),

final as (
    select
        b.commune_id, b.period,
        min(try_cast(u.received_at as TIMESTAMPTZ)) as received_at,
        arg_min(u.upload_id, try_cast(u.received_at as TIMESTAMPTZ)) as upload_id
    from brought as b
    join uploads as u on u.upload_id = b.upload_id and u.priority = b.priority
    group by all
)

select * from final;
