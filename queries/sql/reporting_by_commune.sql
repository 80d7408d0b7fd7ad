-- columns: commune_id, commune_name, province, is_demo, n_values_this_month, reported_this_month, last_period, last_received
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null
-- reads: province
-- Whether each commune in scope reported for one month, and when it last reported: results
-- with that month as their period, the latest period reported up to that month, and when
-- the upload carrying it arrived.
-- params: period (DATE), province (VARCHAR or null), commune (id or null)
with

scoped_communes as (
    select commune_id, commune_name, province, is_demo
    from communes
    where ($province::VARCHAR is null or province = $province::VARCHAR)
      and ($commune::VARCHAR is null or commune_id = $commune::VARCHAR)
),

results as (
    select a.commune_id, a.period, a.upload_id
    from actuals as a
    join scoped_communes using (commune_id)
    where a.period <= $period::DATE
),

by_commune as (
    select
        r.commune_id,
        count(*) filter (where r.period = $period::DATE) as n_values_this_month,
        max(r.period) as last_period,
        max(try_cast(u.uploaded_at as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh') as last_received
    from results as r
    left join uploads as u on u.upload_id = r.upload_id
    group by r.commune_id
),

final as (
    select
        c.commune_id, c.commune_name, c.province, c.is_demo,
        coalesce(b.n_values_this_month, 0) as n_values_this_month,
        coalesce(b.n_values_this_month, 0) > 0 as reported_this_month,
        b.last_period,
        b.last_received
    from scoped_communes as c
    left join by_commune as b using (commune_id)
)

select * from final
order by province collate vi, commune_name collate vi
