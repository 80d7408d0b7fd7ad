-- columns: commune_id, indicator, year, first_value, first_period, province
-- The first value that counts of each year per commune and indicator: the fallback baseline when nothing
-- was reported before the year began. For the communes in refresh_scope.
create or replace macro actuals_first_of_year_in_scope() as table
with

scoped as (
    select a.*
    from scored_actuals as a
    semi join refresh_scope as s on s.commune_id = a.commune_id
),

final as (
    select
        s.commune_id, s.indicator, year(s.period) as year,
        arg_min(s.value, s.period) as first_value,
        min(s.period) as first_period,
        any_value(c.province) as province  -- see actuals_intervals
    from scoped as s
    left join communes as c using (commune_id)
    group by s.commune_id, s.indicator, year(s.period)
)

select * from final;
