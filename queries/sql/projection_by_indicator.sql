-- columns: province, commune_id, commune_name, is_demo, pillar, pillar_name, pillar_order, indicator, indicator_name, unit, direction, year, comparator, target, target_text, lead_unit, n_values, slope, intercept, projected_year_end, projected_status
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null
-- reads: province
-- The year-end projection of every targeted indicator of the communes in scope, as it can be
-- made in month `period` (table macro indicator_projection, macros/03_projection.sql), with
-- the names, pillar, target as the plan wrote it and lead unit the pages show.
-- params: period (DATE), province (VARCHAR or null), commune (id or null)
with

projected as (
    select * from indicator_projection($period::DATE, $province, $commune)
),

final as (
    select
        c.province, c.commune_id, c.commune_name, c.is_demo,
        i.pillar, pl.name_vi as pillar_name, coalesce(pl.sort_order, 99) as pillar_order,
        p.indicator, i.name_vi as indicator_name, p.unit, p.direction,
        p.year, p.comparator, p.target, t.target_text, t.lead_unit,
        p.n_values, p.slope, p.intercept, p.projected_year_end, p.projected_status
    from projected as p
    join communes as c using (commune_id)
    join indicators as i on i.code = p.indicator
    left join pillars as pl on pl.code = i.pillar
    left join targets as t on t.commune_id = p.commune_id and t.indicator = p.indicator and t.year = p.year
)

select * from final
order by province collate vi, commune_name collate vi, commune_id, pillar_order, indicator
