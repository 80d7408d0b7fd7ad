-- columns: commune_id, lead_unit
-- example: province=Thử Nghiệm, year=2026
-- reads: province
-- The offices that lead each commune's targets in one year (as the plans write them; the pages
-- group spelling variants with ui.format.split_units), so a "who to call" list can name them.
-- params: province (VARCHAR or null), year (INTEGER)
with

in_scope as (
    select * from scoped_communes($province, null)
),

final as (
    select distinct t.commune_id, trim(t.lead_unit) as lead_unit
    from targets as t
    semi join in_scope as c on c.commune_id = t.commune_id
    where t.year = $year::INTEGER
      and t.lead_unit is not null
      and trim(t.lead_unit) <> ''
)

select * from final
order by commune_id, lead_unit
