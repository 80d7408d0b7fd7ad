-- columns: commune_id, indicator, year, projected_year_end, projected_status
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null
-- reads: province
-- The year-end projection of every targeted indicator of the communes in scope, as it can be
-- made in month `period` (table macro indicator_projection, macros/03_projection.sql): what
-- the progress export adds to each indicator's row.
-- params: period (DATE), province (VARCHAR or null), commune (id or null)
with

final as (
    select commune_id, indicator, year, projected_year_end, projected_status
    from indicator_projection($period::DATE, $province, $commune)
)

select * from final
order by commune_id, indicator
