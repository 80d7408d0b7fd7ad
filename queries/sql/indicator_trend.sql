-- Month by month through the year of `period`: the value of each targeted indicator against
-- its target and the expected path to it (both from the scoring macro), averaged over the
-- communes in scope (one commune when `commune` is set). The year starts from last December,
-- where the path starts when it is last year's result; values stop at `period`.
-- params: period (DATE), province (VARCHAR or null), commune (id or null),
--         pillar (VARCHAR or null), indicator (VARCHAR or null)
with

bounds as (
    select
        make_date(year($period::DATE) - 1, 12, 1) as first_month,
        make_date(year($period::DATE), 12, 1) as last_month,
        year($period::DATE) as target_year
),

scores as (
    select s.*
    from indicator_scores(
        (select first_month from bounds), (select last_month from bounds), $province, $commune
    ) as s
    where ($pillar::VARCHAR is null or s.pillar = $pillar::VARCHAR)
      and ($indicator::VARCHAR is null or s.indicator = $indicator::VARCHAR)
),

-- the pairs targeted this year; last December's row only shows where the year starts
this_year as (
    select commune_id, indicator, target, target_text, comparator, unit, direction,
        indicator_name, pillar
    from scores
    where year = (select target_year from bounds)
      and period = (select last_month from bounds)
),

rows as (
    select
        s.period, s.commune_id, s.indicator,
        case when s.period <= $period::DATE then s.value end as value,
        case when s.year = (select target_year from bounds) then s.expected_value end as expected_value,
        lead(s.expected_value) over pair as next_expected,
        lead(s.baseline) over pair as next_baseline,
        s.year = (select target_year from bounds) as in_year
    from scores as s
    join this_year as t using (commune_id, indicator)
    window pair as (partition by s.commune_id, s.indicator order by s.period)
),

-- the path starts at the baseline, the month before its first expected value
paths as (
    select
        *,
        case
            when in_year and expected_value is not null then expected_value
            when (not in_year or expected_value is null) and next_expected is not null
                then next_baseline
        end as path_value
    from rows
),

final as (
    select
        p.period, p.indicator,
        any_value(t.indicator_name) as indicator_name,
        any_value(t.pillar) as pillar,
        any_value(t.unit) as unit,
        any_value(t.direction) as direction,
        count(distinct p.commune_id) as n_communes,
        count(p.value) as n_values,
        avg(p.value) as value,
        avg(t.target) as target,
        case when count(distinct p.commune_id) = 1 then any_value(t.target_text) end as target_text,
        avg(p.path_value) as path_value
    from paths as p
    join this_year as t using (commune_id, indicator)
    group by p.period, p.indicator
)

select * from final
order by indicator, period
