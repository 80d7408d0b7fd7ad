-- columns: commune_id, commune_name, province, is_demo, period, deadline_date, received_at, upload_id, received_at_vn, status, days_late
-- example: province=Thử Nghiệm, commune=null, period_from=2026-05-01, period_to=2026-06-01, now=2026-11-22T10:00:00+07:00
-- reads: province
-- Whether each commune of the scope reported each month on time (queries/cycle/calendar.py
-- states the rule): the report for month M is on time when received before day
-- report_deadline_day of month M+1 in Vietnam time (UTC+7); late by (date received −
-- deadline date + 1) days; missing once the deadline has passed; not yet due before.
-- "Received" is the earliest still-active upload that brought a value (report_receipts).
-- params: province (VARCHAR or null), commune (id or null), period_from (DATE),
--         period_to (DATE), now (TIMESTAMPTZ: deadlines after it have not passed)
with

rules as (
    select coalesce(max(try_cast(value as INTEGER)) filter (where name = 'report_deadline_day'), 20) as deadline_day
    from settings
),

months as (
    select unnest(generate_series($period_from::DATE, $period_to::DATE, interval 1 month))::DATE as period
),

grid as (
    select c.commune_id, c.commune_name, c.province, c.is_demo, m.period
    from scoped_communes($province, $commune) as c
    cross join months as m
),

-- Vietnam has kept UTC+7 without daylight saving since 1975: a fixed offset is exact.
deadlines as (
    select
        g.*,
        make_date(year(g.period + interval 1 month), month(g.period + interval 1 month), r.deadline_day) as deadline_date
    from grid as g
    cross join rules as r
),

received as (
    select
        d.*,
        r.received_at,
        r.upload_id,
        (r.received_at at time zone 'UTC' + interval 7 hour) as received_local,
        (d.deadline_date::TIMESTAMP - interval 7 hour) as deadline_utc
    from deadlines as d
    left join report_receipts as r using (commune_id, period)
),

final as (
    select
        commune_id, commune_name, province, is_demo, period, deadline_date,
        received_at, upload_id,
        strftime(received_local, '%Y-%m-%dT%H:%M:%S+07:00') as received_at_vn,
        case
            when received_at is null and ($now::TIMESTAMPTZ at time zone 'UTC') >= deadline_utc then 'chua_nop'
            when received_at is null then 'chua_den_han'
            when (received_at at time zone 'UTC') < deadline_utc then 'dung_han'
            else 'tre_han'
        end as status,
        case
            when received_at is null then null
            when (received_at at time zone 'UTC') < deadline_utc then 0
            else date_diff('day', deadline_date, received_local::DATE) + 1
        end as days_late
    from received
)

select * from final
order by province collate vi, commune_name collate vi, commune_id, period
