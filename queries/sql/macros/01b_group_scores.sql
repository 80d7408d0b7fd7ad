-- columns: period, commune_id, framework_key, group_code, group_weight, group_score, n_targets, n_reported, n_achieved
-- Group scores of every commune in scope, for every month from p_from to p_to, under a
-- framework (queries/frameworks): p_framework null is the framework in force in each month's
-- year (table year_frameworks), '@all' every framework known (what the score cache keeps, so a
-- what-if under another framework costs no scoring), else that framework's key (six-pillars@1).
-- A group's score is the weighted average of the points of its member indicators the commune
-- has a target for; a commune without any target in a group has no score for it. Innovation
-- targets (DM) are in no framework and never enter a score.
create or replace macro group_scores(p_from, p_to, scope_province, scope_commune, p_framework) as table
with

chosen as (
    select year, framework_key
    from year_frameworks
    where p_framework::VARCHAR is null
    union all
    select y.year, f.framework_key
    from year_frameworks as y
    cross join frameworks as f
    where p_framework::VARCHAR is not null
      and (p_framework::VARCHAR = '@all' or f.framework_key = p_framework::VARCHAR)
),

members as (
    select
        c.year, c.framework_key, m.group_code, m.indicator, m.weight as indicator_weight,
        g.weight as group_weight
    from chosen as c
    join framework_members as m using (framework_key)
    join framework_groups as g on g.framework_key = m.framework_key and g.code = m.group_code
    where c.year between year(p_from::DATE) and year(p_to::DATE)
),

scored as (
    select s.period, s.commune_id, s.points, s.value, s.achieved, m.*
    from indicator_scores(p_from, p_to, scope_province, scope_commune) as s
    join members as m on m.year = year(s.period) and m.indicator = s.indicator
),

final as (
    select
        period, commune_id, framework_key, group_code,
        any_value(group_weight) as group_weight,
        -- rounded to 9 decimals: a sum of doubles depends on the order its rows arrive in,
        -- and a half cent must not become 98,79 on one run and 98,80 on the next
        round(sum(indicator_weight * points)
              / nullif(sum(indicator_weight) filter (where points is not null), 0), 9) as group_score,
        count(*)::INTEGER as n_targets,
        count(value)::INTEGER as n_reported,
        (count(*) filter (where achieved))::INTEGER as n_achieved
    from scored
    group by period, commune_id, framework_key, group_code
)

select * from final;
