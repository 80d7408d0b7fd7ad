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
        commune_id, indicator, year(period) as year,
        arg_min(value, period) as first_value,
        min(period) as first_period
    from scoped
    group by all
)

select * from final;
