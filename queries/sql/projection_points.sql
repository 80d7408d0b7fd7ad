-- columns: indicator, period, month_number, value
-- example: period=2026-06-01, commune=thu/an-binh
-- reads: province
-- The monthly values one commune's projection is drawn through: for each indicator with a
-- target in the year of `period`, the values reported in that year up to `period` (the same
-- points as the table macro indicator_projection, macros/03_projection.sql; change both together).
-- params: period (DATE), commune (commune_id)
with

year_targets as (
    select indicator
    from targets
    where commune_id = $commune and year = year($period::DATE)
),

final as (
    select a.indicator, a.period, month(a.period) as month_number, a.value
    from actuals as a
    semi join year_targets as t on t.indicator = a.indicator
    where a.commune_id = $commune
      and a.period >= make_date(year($period::DATE), 1, 1)
      and a.period <= $period::DATE
      and a.value is not null
)

select * from final
order by indicator, period
