-- columns: upload_id, priority, name, sha256, kind, size, uploader, file_name, received_at_vn
-- example: commune=thu/an-binh, period=2026-06-01
-- reads: province
-- The evidence files (minh chứng) sent with the still-active uploads that brought values for
-- one commune's month, with who sent them and when; the bytes are in the store of the upload's
-- source (priority) under blobs/, by SHA-256.
-- params: commune (commune_id), period (DATE)
with

brought as (
    select distinct upload_id, priority
    from actuals_history
    where commune_id = $commune and period = $period::DATE and active and upload_id is not null
),

final as (
    select
        e.upload_id, e.priority, e.name, e.sha256, e.kind, e.size,
        u."user" as uploader, u.file_name,
        try_cast(coalesce(u.received_at, u.uploaded_at) as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh'
            as received_at_vn
    from evidence as e
    join brought as b using (upload_id, priority)
    join uploads as u on u.upload_id = e.upload_id and u.priority = e.priority
)

select * from final
order by received_at_vn, upload_id, name
