-- columns: period, commune_id, commune_name, province, is_demo, score, HT, NL, AT, CQ, KT, XH, n_targets, n_reported, n_achieved, coverage, framework_key
-- Overall score, the six pillars' scores and coverage of every commune in scope, for every
-- month from p_from to p_to, under the framework in force in each month's year: the weighted
-- average of its group scores (macro group_scores), groups without a target left out.
-- Columns HT…XH hold the groups of those codes (every shipped framework has them); a
-- framework's other groups are read from group_scores. Communes in scope without any target
-- that year are kept, with null scores. p_cached true reads the group scores kept in
-- group_scores_cache (queries/engine/build.py fills it) instead of computing them: the same
-- sum either way.
create or replace macro commune_scores(p_from, p_to, scope_province, scope_commune, p_cached) as table
with

months as (
    select m.period, y.framework_key
    from (select unnest(generate_series(p_from::DATE, p_to::DATE, interval 1 month))::DATE as period) as m
    join year_frameworks as y on y.year = year(m.period)
),

in_scope as (
    select * from scoped_communes(scope_province, scope_commune)
),

-- the year's framework only; DuckDB drops the branch p_cached rules out before running it
by_group as (
    select *
    from group_scores(p_from, p_to, scope_province, scope_commune, null)
    where not p_cached
    union all
    select g.*
    from group_scores_cache as g
    semi join months as m on m.period = g.period and m.framework_key = g.framework_key
    semi join in_scope as c on c.commune_id = g.commune_id
    where p_cached
),

by_commune as (
    select
        period, commune_id,
        round(sum(group_weight * group_score)
              / nullif(sum(group_weight) filter (where group_score is not null), 0), 9) as score,
        max(group_score) filter (where group_code = 'HT') as "HT",
        max(group_score) filter (where group_code = 'NL') as "NL",
        max(group_score) filter (where group_code = 'AT') as "AT",
        max(group_score) filter (where group_code = 'CQ') as "CQ",
        max(group_score) filter (where group_code = 'KT') as "KT",
        max(group_score) filter (where group_code = 'XH') as "XH",
        sum(n_targets)::INTEGER as n_targets,
        sum(n_reported)::INTEGER as n_reported,
        sum(n_achieved)::INTEGER as n_achieved
    from by_group
    group by all
),

final as (
    select
        m.period, c.commune_id, c.commune_name, c.province, c.is_demo,
        s.score, s."HT", s."NL", s."AT", s."CQ", s."KT", s."XH",
        coalesce(s.n_targets, 0) as n_targets,
        coalesce(s.n_reported, 0) as n_reported,
        coalesce(s.n_achieved, 0) as n_achieved,
        s.n_reported / nullif(s.n_targets, 0) as coverage,
        m.framework_key
    from months as m
    cross join in_scope as c
    left join by_commune as s on s.period = m.period and s.commune_id = c.commune_id
)

select * from final;
