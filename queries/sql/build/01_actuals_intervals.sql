-- Built once per store version: each value in force together with the month its successor
-- arrives (valid_to), so "the latest value with period <= p" is a range filter, not a search.
create or replace table actuals_intervals as
with

final as (
    select
        *,
        lead(period, 1, date '9999-12-01') over (
            partition by commune_id, indicator order by period) as valid_to
    from actuals
)

select * from final
order by period
