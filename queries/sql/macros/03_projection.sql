-- columns: period, commune_id, indicator, year, unit, direction, n_values, slope, intercept, projected_year_end, projected_status, target, comparator
-- Projection to the year's end of every targeted indicator of every commune in scope, as it
-- can be made in month p_period: the least-squares line through that year's monthly values
-- reported up to p_period (at least 3), read at month 12, clipped to the unit's range and
-- rounded to 2 decimals, then compared with the year's target under its comparator. The
-- "Phương pháp" page states this rule in Vietnamese (queries/plans/projection.py,
-- METHOD_TEXT_VI): change both together.
create or replace macro indicator_projection(p_period, scope_province, scope_commune) as table
with

in_scope as (
    select * from scoped_communes(scope_province, scope_commune)
),

year_targets as (
    select t.commune_id, t.indicator, t.year, t.comparator, t.target, i.unit, i.direction
    from targets as t
    join in_scope as c using (commune_id)
    join indicators as i on i.code = t.indicator
    where t.year = year(p_period::DATE)
),

-- (month number, value) of the year's reports up to the month
points as (
    select a.commune_id, a.indicator, month(a.period) as x, a.value as y
    from actuals as a
    semi join year_targets as t on t.commune_id = a.commune_id and t.indicator = a.indicator
    where a.period >= make_date(year(p_period::DATE), 1, 1)
      and a.period <= p_period::DATE
      and a.value is not null
),

fits as (
    select
        commune_id, indicator,
        count(*) as n_values,
        regr_slope(y, x) as slope,
        regr_intercept(y, x) as intercept
    from points
    group by commune_id, indicator
),

projected as (
    select
        t.commune_id, t.indicator, t.year, t.comparator, t.target, t.unit, t.direction,
        coalesce(f.n_values, 0) as n_values,
        case when f.n_values >= 3 then f.slope end as slope,
        case when f.n_values >= 3 then f.intercept end as intercept,
        case when f.n_values >= 3 then
            round(case t.unit
                when 'percent' then least(greatest(f.intercept + 12 * f.slope, 0), 100)
                when 'yes_no' then least(greatest(f.intercept + 12 * f.slope, 0), 1)
                else greatest(f.intercept + 12 * f.slope, 0)
            end, 2)
        end as projected_year_end
    from year_targets as t
    left join fits as f using (commune_id, indicator)
),

final as (
    select
        p_period::DATE as period,
        commune_id, indicator, year, unit, direction,
        n_values, slope, intercept, projected_year_end,
        case
            when projected_year_end is null then 'Chưa đủ dữ liệu dự báo'
            when case comparator
                    when '>=' then projected_year_end >= target
                    when '>' then projected_year_end > target
                    when '<=' then projected_year_end <= target
                    when '<' then projected_year_end < target
                 end then 'Dự kiến đạt'
            else 'Dự kiến không đạt'
        end as projected_status,
        target, comparator
    from projected
)

select * from final;
