-- columns: period, n_communes_reporting
-- Months that have at least one reported value, newest first, with how many communes reported.
with

final as (
    select period, count(distinct commune_id) as n_communes_reporting
    from actuals
    group by period
)

select * from final
order by period desc
