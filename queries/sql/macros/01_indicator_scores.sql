-- columns: period, commune_id, commune_name, province, is_demo, indicator, indicator_name, pillar, unit, direction, year, comparator, target, target_text, lead_unit, partner_units, source_doc, source_item, target_source, target_upload_id, value, value_period, numerator, denominator, value_source, value_upload_id, baseline, expected_value, progress_ratio, points, achieved, status
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

in_scope as (
    select * from scoped_communes(scope_province, scope_commune)
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
    join in_scope as c on c.commune_id = t.commune_id
    join indicators as i on i.code = t.indicator
),

-- the filters on province and commune are constants: they let the scan skip the row groups
-- of other provinces (the tables are stored by commune); the semi join is what decides
scoped_intervals as (
    select a.*
    from actuals_intervals as a
    semi join in_scope as c on c.commune_id = a.commune_id
    where (scope_province::VARCHAR is null or a.province = scope_province::VARCHAR)
      and (scope_commune::VARCHAR is null or scope_commune::VARCHAR = '@refresh_scope'
           or a.commune_id = scope_commune::VARCHAR)
),

-- current value: the latest reported value with period <= the month, any year
latest as (
    select
        t.period, t.commune_id, t.indicator,
        a.period as value_period, a.value, a.numerator, a.denominator,
        a.source as value_source, a.upload_id as value_upload_id
    from targets_in_force as t
    join (select * from scoped_intervals
          where period <= p_to::DATE and valid_to > p_from::DATE) as a
        on a.commune_id = t.commune_id and a.indicator = t.indicator
        and a.period <= t.period and t.period < a.valid_to
),

-- baseline candidate 1: the value in force just before the year began
before_year as (
    select t.period, t.commune_id, t.indicator, a.value as prior_value
    from targets_in_force as t
    join (select * from scoped_intervals
          where period < make_date(year(p_to::DATE), 1, 1)
            and valid_to >= make_date(year(p_from::DATE), 1, 1)) as a
        on a.commune_id = t.commune_id and a.indicator = t.indicator
        and a.period < t.year_start and t.year_start <= a.valid_to
),

joined as (
    select
        t.*,
        l.value_period, l.value, l.numerator, l.denominator, l.value_source, l.value_upload_id,
        b.prior_value,
        case when f.first_period <= t.period then f.first_value end as first_value,
        case when f.first_period <= t.period then f.first_period end as first_period
    from targets_in_force as t
    left join latest as l using (period, commune_id, indicator)
    left join before_year as b using (period, commune_id, indicator)
    left join (select * from actuals_first_of_year
               where (scope_province::VARCHAR is null or province = scope_province::VARCHAR)
                 and (scope_commune::VARCHAR is null or scope_commune::VARCHAR = '@refresh_scope'
                      or commune_id = scope_commune::VARCHAR)) as f
        on f.commune_id = t.commune_id and f.indicator = t.indicator and f.year = t.year
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
