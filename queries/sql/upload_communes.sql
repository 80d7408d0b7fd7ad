-- columns: upload_id, commune_id, province
-- example: upload=null
-- The communes each upload touched (or one upload's, `upload` set), with the province each
-- belongs to now (null for a commune the tables no longer know): who may undo it, and what
-- filters the audit log by commune.
-- params: upload (VARCHAR or null)
with

final as (
    select u.upload_id, u.commune_id, c.province
    from upload_communes as u
    left join communes as c using (commune_id)
    where $upload::VARCHAR is null or u.upload_id = $upload::VARCHAR
)

select * from final
