-- Points, achievement and progress status of every targeted indicator of every commune in
-- scope, for every month from p_from to p_to. This is the scoring method; the "Phương pháp"
-- page states it in Vietnamese: change both together.
create or replace macro indicator_scores(p_from, p_to, scope_province, scope_commune) as table
with

months as (
    select unnest(generate_series(p_from::DATE, p_to::DATE, interval 1 month))::DATE as period
),

rules as (
    select
        max(value) filter (where name = 'unreported_rule') as unreported_rule,
        max(try_cast(value as DOUBLE)) filter (where name = 'on_track_ratio') as on_track_ratio,
        max(try_cast(value as DOUBLE)) filter (where name = 'speed_up_ratio') as speed_up_ratio
    from settings
),

scoped_communes as (
    select commune_id, commune_name, province, is_demo
    from communes
    where (scope_province::VARCHAR is null or province = scope_province::VARCHAR)
      and (scope_commune::VARCHAR is null or commune_id = scope_commune::VARCHAR)
),

-- the target of the year of each month
targets_in_force as (
    select
        m.period,
        make_date(year(m.period), 1, 1) as year_start,
        c.commune_name, c.province, c.is_demo,
        t.commune_id, t.indicator, t.year, t.comparator, t.target, t.target_text,
        t.lead_unit, t.partner_units, t.source_doc, t.source_item,
        t.source as target_source, t.upload_id as target_upload_id,
        i.pillar, i.direction, i.unit, i.name_vi as indicator_name
    from months as m
    join targets as t on t.year = year(m.period)
    join scoped_communes as c on c.commune_id = t.commune_id
    join indicators as i on i.code = t.indicator
),

-- months after the snapshot's end carry its values forward (nothing newer exists)
lookups as (
    select
        t.period, t.commune_id, t.indicator,
        least(t.period, b.snapshot_end) as lookup_period,
        year(t.period) > year(b.snapshot_end) as beyond_snapshot_year
    from targets_in_force as t, snapshot_bounds as b
),

joined as (
    select
        t.*,
        m.value_period, m.value, m.numerator, m.denominator, m.value_source, m.value_upload_id,
        case when l.beyond_snapshot_year then m.value else m.prior_value end as prior_value,
        case when not l.beyond_snapshot_year then m.first_value end as first_value,
        case when not l.beyond_snapshot_year then m.first_period end as first_period
    from targets_in_force as t
    join lookups as l using (period, commune_id, indicator)
    left join actuals_monthly as m
        on m.commune_id = t.commune_id and m.indicator = t.indicator
        and m.period = l.lookup_period
),

paths as (
    select
        *,
        coalesce(prior_value, first_value) as baseline,
        case when prior_value is not null then 0 else month(first_period) end as baseline_month,
        case direction when 'down' then -1 else 1 end as sign
    from joined
),

expected as (
    select
        *,
        case
            when baseline is not null and baseline_month < month(period)
                and sign * (target - baseline) > 0
            then baseline + (target - baseline)
                * (month(period) - baseline_month) / (12 - baseline_month)
        end as expected_value
    from paths
),

scored as (
    select
        e.*,
        case
            when e.value is null then
                case when r.unreported_rule = 'exclude' then null else 0.0 end
            when e.direction = 'down' then
                case when e.value <= e.target then 100.0 else 100.0 * greatest(e.target, 0) / e.value end
            when e.target <= 0 then 100.0
            else 100.0 * least(greatest(e.value, 0) / e.target, 1)
        end as points,
        case e.comparator
            when '>=' then e.value >= e.target
            when '>' then e.value > e.target
            when '<=' then e.value <= e.target
            when '<' then e.value < e.target
        end as achieved,
        (e.value - e.baseline) / (e.expected_value - e.baseline) as progress_ratio,
        r.on_track_ratio, r.speed_up_ratio
    from expected as e, rules as r
),

final as (
    select
        period, commune_id, commune_name, province, is_demo,
        indicator, indicator_name, pillar, unit, direction,
        year, comparator, target, target_text, lead_unit, partner_units, source_doc, source_item,
        target_source, target_upload_id,
        value, value_period, numerator, denominator, value_source, value_upload_id,
        baseline, expected_value, progress_ratio, points, coalesce(achieved, false) as achieved,
        case
            when value is null then 'Chưa có số liệu'
            when achieved then 'Đạt'
            when expected_value is null then
                case when sign * (value - baseline) < 0 then 'Đi lùi' else 'Chưa đủ dữ liệu' end
            when progress_ratio >= on_track_ratio then 'Đúng tiến độ'
            when progress_ratio >= speed_up_ratio then 'Cần đẩy nhanh'
            when progress_ratio >= 0 then 'Chậm'
            else 'Đi lùi'
        end as status
    from scored
)

select * from final;
