-- Built once per store version: the first value of each year per commune and indicator,
-- the fallback baseline when nothing was reported before the year began.
create or replace table actuals_first_of_year as
with

final as (
    select
        commune_id, indicator, year(period) as year,
        arg_min(value, period) as first_value,
        min(period) as first_period
    from actuals
    group by all
)

select * from final
