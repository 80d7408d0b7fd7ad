-- columns: period, commune_id, commune_name, province, is_demo, score, HT, NL, AT, CQ, KT, XH, n_targets, n_reported, n_achieved, coverage
-- Pillar scores, overall score and coverage of every commune in scope, for every month from
-- p_from to p_to. Communes in scope without any target that year are kept, with null scores.
create or replace macro commune_scores(p_from, p_to, scope_province, scope_commune) as table
with

months as (
    select unnest(generate_series(p_from::DATE, p_to::DATE, interval 1 month))::DATE as period
),

in_scope as (
    select * from scoped_communes(scope_province, scope_commune)
),

-- innovation targets (group DM) belong to no pillar and never enter a score
pillar_indicators as (
    select s.*, p.weight
    from indicator_scores(p_from, p_to, scope_province, scope_commune) as s
    join pillars as p on p.code = s.pillar
),

by_pillar as (
    select
        period, commune_id, pillar, any_value(weight) as weight,
        -- rounded to 9 decimals: a sum of doubles depends on the order its rows arrive in,
        -- and a half cent must not become 98,79 on one run and 98,80 on the next
        round(avg(points), 9) as pillar_score,
        count(*) as n_targets,
        count(value) as n_reported,
        count(*) filter (where achieved) as n_achieved
    from pillar_indicators
    group by all
),

by_commune as (
    select
        period, commune_id,
        round(sum(weight * pillar_score) / nullif(sum(weight) filter (where pillar_score is not null), 0), 9) as score,
        max(pillar_score) filter (where pillar = 'HT') as "HT",
        max(pillar_score) filter (where pillar = 'NL') as "NL",
        max(pillar_score) filter (where pillar = 'AT') as "AT",
        max(pillar_score) filter (where pillar = 'CQ') as "CQ",
        max(pillar_score) filter (where pillar = 'KT') as "KT",
        max(pillar_score) filter (where pillar = 'XH') as "XH",
        sum(n_targets)::INTEGER as n_targets,
        sum(n_reported)::INTEGER as n_reported,
        sum(n_achieved)::INTEGER as n_achieved
    from by_pillar
    group by all
),

final as (
    select
        m.period, c.commune_id, c.commune_name, c.province, c.is_demo,
        s.score, s."HT", s."NL", s."AT", s."CQ", s."KT", s."XH",
        coalesce(s.n_targets, 0) as n_targets,
        coalesce(s.n_reported, 0) as n_reported,
        coalesce(s.n_achieved, 0) as n_achieved,
        s.n_reported / nullif(s.n_targets, 0) as coverage
    from months as m
    cross join in_scope as c
    left join by_commune as s on s.period = m.period and s.commune_id = c.commune_id
)

select * from final;
