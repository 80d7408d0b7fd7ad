-- Built once per store version: for every commune and indicator with results, and every
-- month from its first result to the snapshot's end, the value in force that month (the
-- latest reported with period <= month), the baseline candidates of that month's year, and
-- where the value came from. Scoring a month is then an equality join, not a search.
-- params: snapshot_end (DATE: the later of the last reported month and the current month)
create or replace table actuals_monthly as
with

pairs as (
    select commune_id, indicator, min(period) as first_period
    from actuals
    group by all
),

months as (
    select unnest(generate_series(
        (select min(period) from actuals), $snapshot_end::DATE, interval 1 month))::DATE as period
),

grid as (
    select p.commune_id, p.indicator, m.period
    from pairs as p
    join months as m on m.period >= p.first_period
),

-- carry the latest reported row forward month by month (a window, cheaper than ASOF here);
-- the whole row is carried as one struct so its fields never mix with an older row's
carried as (
    select
        g.commune_id, g.indicator, g.period,
        last_value(
            case when a.period is not null then {
                'value_period': a.period, 'value': a.value, 'numerator': a.numerator,
                'denominator': a.denominator, 'value_source': a.source,
                'value_upload_id': a.upload_id
            } end ignore nulls
        ) over (partition by g.commune_id, g.indicator order by g.period
                rows between unbounded preceding and current row) as latest
    from grid as g
    left join actuals as a
        on a.commune_id = g.commune_id and a.indicator = g.indicator and a.period = g.period
),

in_force as (
    select commune_id, indicator, period, unnest(latest)
    from carried
),

first_of_year as (
    select
        commune_id, indicator, year(period) as year,
        arg_min(value, period) as first_value,
        min(period) as first_period
    from actuals
    group by all
),

final as (
    select
        f.*,
        december.value as prior_value,
        case when y.first_period <= f.period then y.first_value end as first_value,
        case when y.first_period <= f.period then y.first_period end as first_period
    from in_force as f
    left join in_force as december
        on december.commune_id = f.commune_id and december.indicator = f.indicator
        and december.period = make_date(year(f.period) - 1, 12, 1)
    left join first_of_year as y
        on y.commune_id = f.commune_id and y.indicator = f.indicator and y.year = year(f.period)
)

select * from final
order by period, commune_id, indicator
