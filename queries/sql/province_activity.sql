-- columns: province, n_communes, is_demo, latest_period, n_reporting_latest
-- example: today=2026-11-22
-- Provinces with their communes and how recently and how widely they report: the default
-- province is the one with the most communes reporting in its latest month.
-- params: today (DATE: months after it are ignored)
with

scoped_actuals as (
    select a.commune_id, a.period, c.province
    from actuals as a
    join communes as c using (commune_id)
    where a.period <= $today::DATE
),

latest as (
    select province, max(period) as latest_period
    from scoped_actuals
    group by province
),

reporting as (
    select l.province, l.latest_period, count(distinct a.commune_id) as n_reporting_latest
    from latest as l
    join scoped_actuals as a on a.province = l.province and a.period = l.latest_period
    group by all
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
