-- columns: province, n_communes, is_demo, latest_period, n_reporting_latest
-- example: today=2026-11-22
-- Provinces with their communes and how recently and how widely they report: the default
-- province is the one with the most communes reporting in its latest month.
-- params: today (DATE: months after it are ignored)
with

-- A commune reports in its province's latest month exactly when that month is its own latest:
-- no commune's latest is later. So one pass over the results, grouped by commune, is enough.
commune_latest as (
    select a.commune_id, c.province, max(a.period) as latest_period
    from actuals as a
    join communes as c using (commune_id)
    where a.period <= $today::DATE
    group by all
),

with_province_latest as (
    select *, max(latest_period) over (partition by province) as province_latest
    from commune_latest
),

reporting as (
    select
        province,
        max(province_latest) as latest_period,
        count(*) filter (where latest_period = province_latest) as n_reporting_latest
    from with_province_latest
    group by province
),

provinces as (
    select province, count(*) as n_communes, bool_and(is_demo) as is_demo
    from communes
    group by province
),

final as (
    select
        p.province, p.n_communes, p.is_demo,
        r.latest_period,
        coalesce(r.n_reporting_latest, 0) as n_reporting_latest
    from provinces as p
    left join reporting as r using (province)
)

select * from final
order by province collate vi
