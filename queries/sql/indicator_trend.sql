-- columns: period, indicator, indicator_name, pillar, unit, direction, n_communes, n_values, value, target, target_text, path_value
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null, pillar=null, indicator=null
-- reads: province
-- Month by month through the year of `period`: the value of each targeted indicator against
-- its target and the expected path to it (both from the scoring macro), averaged over the
-- communes in scope (one commune when `commune` is set). Values stop at `period`; the path
-- runs to December. When the path starts from last year's result, last December is added as
-- its first point.
-- params: period (DATE), province (VARCHAR or null), commune (id or null),
--         pillar (VARCHAR or null), indicator (VARCHAR or null)
with

bounds as (
    select
        make_date(year($period::DATE), 1, 1) as first_month,
        make_date(year($period::DATE), 12, 1) as last_month
),

scores as (
    select s.*
    from indicator_scores(
        (select first_month from bounds), (select last_month from bounds), $province, $commune
    ) as s
    where ($pillar::VARCHAR is null or s.pillar = $pillar::VARCHAR)
      and ($indicator::VARCHAR is null or s.indicator = $indicator::VARCHAR)
),

rows as (
    select
        s.*,
        lead(s.expected_value) over pair as next_expected,
        lead(s.baseline) over pair as next_baseline
    from scores as s
    window pair as (partition by s.commune_id, s.indicator order by s.period)
),

-- the path starts at the baseline, the month before its first expected value
in_year as (
    select
        period, commune_id, indicator, indicator_name, pillar, unit, direction, target, target_text,
        case when period <= $period::DATE then value end as value,
        coalesce(expected_value, case when next_expected is not null then next_baseline end) as path_value
    from rows
),

-- a path from January on starts from last December's result (its baseline)
last_december as (
    select
        (period - interval 1 month)::DATE as period, commune_id, indicator, indicator_name, pillar,
        unit, direction, target, target_text,
        baseline as value,
        baseline as path_value
    from rows
    where period = (select first_month from bounds) and expected_value is not null
),

points as (
    select * from in_year
    union all
    select * from last_december
),

final as (
    select
        period, indicator,
        any_value(indicator_name) as indicator_name,
        any_value(pillar) as pillar,
        any_value(unit) as unit,
        any_value(direction) as direction,
        count(distinct commune_id) as n_communes,
        count(value) as n_values,
        avg(value) as value,
        avg(target) as target,
        case when count(distinct commune_id) = 1 then any_value(target_text) end as target_text,
        avg(path_value) as path_value
    from points
    group by period, indicator
)

select * from final
order by indicator, period
