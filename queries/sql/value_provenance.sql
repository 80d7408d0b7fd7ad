-- columns: indicator, value_period, value_source, upload_id, uploader, file_name, received_at_vn, n_evidence, evidence, review_status, review_comment
-- example: period=2026-06-01, commune=thu/an-binh
-- reads: province
-- Where each value in force on one commune's profile came from: the upload that brought it,
-- the account that uploaded it, when it was received (Vietnam time), its evidence files
-- (a list of name, sha256, kind, size, priority), and the province's review of the value's
-- month. One row per targeted indicator of the month's year (value columns null when none).
-- params: period (DATE), commune (commune_id)
with

in_force as (
    select indicator, value_period, value_source, value_upload_id
    from indicator_scores($period::DATE, $period::DATE, null, $commune)
),

brought_by as (
    select upload_id, priority, "user", file_name, received_at, uploaded_at
    from uploads
    where upload_id in (select value_upload_id from in_force)
),

files as (
    select
        upload_id,
        list({'name': name, 'sha256': sha256, 'kind': kind, 'size': size, 'priority': priority}
             order by name) as evidence
    from evidence
    where upload_id in (select value_upload_id from in_force)
    group by upload_id
),

reviews as (
    select period, review_status, comment
    from month_reviews
    where commune_id = $commune
),

final as (
    select
        f.indicator, f.value_period, f.value_source, f.value_upload_id as upload_id,
        u."user" as uploader, u.file_name,
        try_cast(coalesce(u.received_at, u.uploaded_at) as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh'
            as received_at_vn,
        coalesce(len(e.evidence), 0) as n_evidence,
        e.evidence,
        r.review_status, r.comment as review_comment
    from in_force as f
    left join brought_by as u on u.upload_id = f.value_upload_id
    left join files as e on e.upload_id = f.value_upload_id
    left join reviews as r on r.period = f.value_period
)

select * from final
order by indicator
