-- columns: name, commune_name, province
-- example: commune=thu/an-binh, plan_year=2026, item=1.1
-- reads: province
-- One task of a commune's plan (its year and item), with the commune's name and province: the
-- task a status set on the page is for (no row: the plan has no such task).
-- params: commune (commune_id), plan_year (INTEGER), item (VARCHAR)
with

final as (
    select t.name, c.commune_name, c.province
    from tasks as t
    join communes as c using (commune_id)
    where t.commune_id = $commune and t.plan_year = $plan_year and t.item = $item
)

select * from final
