-- columns: period, n_reporting, n_communes, has_targets
-- example: province=Thử Nghiệm, today=2026-11-22
-- reads: province
-- Months a province (or every province, province null) can be viewed for: from the earlier of
-- its first result and the first January of its target years, up to the current month; with
-- how many of its communes reported that month and whether it has targets that year.
-- params: province (VARCHAR or null), today (DATE)
with

scoped_communes as (
    select commune_id
    from communes
    where $province::VARCHAR is null or province = $province::VARCHAR
),

reported as (
    select a.period, count(distinct a.commune_id) as n_reporting
    from actuals as a
    join scoped_communes using (commune_id)
    where a.period <= $today::DATE
    group by a.period
),

target_years as (
    select distinct t.year
    from targets as t
    join scoped_communes using (commune_id)
),

bounds as (
    select
        least(
            (select min(period) from reported),
            (select make_date(min(year), 1, 1) from target_years where make_date(year, 1, 1) <= $today::DATE)
        ) as first_month,
        date_trunc('month', $today::DATE)::DATE as last_month
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::DATE as period
    from bounds
    where first_month is not null
),

final as (
    select
        m.period,
        coalesce(r.n_reporting, 0) as n_reporting,
        (select count(*) from scoped_communes) as n_communes,
        year(m.period) in (select year from target_years) as has_targets
    from months as m
    left join reported as r using (period)
)

select * from final
order by period desc
