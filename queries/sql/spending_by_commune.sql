-- columns: province, commune_id, commune_name, is_demo, year, item, planned, spent, source_doc, source_item, source, upload_id, row_number
-- example: province=null, commune=null
-- reads: province
-- Spending (kinh phí) in force of the communes in scope: planned and spent in whole đồng per
-- commune, year and item, with the document it was reported in and its source (shipped plan
-- or upload). Items keep the order the plan or file lists them.
-- params: province (VARCHAR or null), commune (id or null)
with

in_scope as (
    select * from scoped_communes($province, $commune)
),

final as (
    select
        c.province, s.commune_id, c.commune_name, c.is_demo, s.year, s.item, s.planned, s.spent,
        s.source_doc, s.source_item, s.source, s.upload_id, s.row_number
    from spending as s
    join in_scope as c using (commune_id)
)

select * from final
order by province collate vi, commune_name collate vi, commune_id, year, source_item, row_number, item collate vi
