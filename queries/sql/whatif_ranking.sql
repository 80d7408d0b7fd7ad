-- columns: rank, commune_id, commune_name, province, is_demo, score, coverage, n_targets, n_reported, n_achieved, previous_rank, rank_change, score_change, official_rank, official_score, rank_change_official
-- example: period=2026-06-01, province=Thử Nghiệm, framework=six-pillars@1, codes=[HT; NL; AT; CQ; KT; XH], weights=[10; 10; 10; 40; 15; 15]
-- needs: score_cache(period)
-- What the ranking would be under other group weights (a leader's what-if), computed from the
-- group scores kept in the score cache, so nothing stored changes: the weights' average of a
-- commune's group scores, as the official score is (macro commune_scores), ranked the same
-- way (2 decimals, ties share a rank, the unranked last, ties and unranked by name), beside
-- the official rank of the month (ranking_cache). `framework` may be another framework than
-- the one in force (its group scores are kept too); groups missing from `codes` weigh 0.
-- params: period (DATE, first of month), province (VARCHAR or null), framework (key),
--         codes (VARCHAR[]), weights (DOUBLE[], the same order)
-- The group scores themselves do not depend on the weights: group_scores_by_month gives them.
with

weights as (
    select unnest($codes::VARCHAR[]) as group_code, unnest($weights::DOUBLE[]) as weight
),

-- the official ranking of the month and scope: its communes, their ranks, their names' order
official as (
    select commune_id, commune_name, province, is_demo, rank as official_rank, score as official_score, name_order
    from ranking_cache
    where period = $period::DATE and scope = coalesce($province::VARCHAR, '@all')
),

groups as (
    select g.period, g.commune_id, g.group_score, g.n_targets, g.n_reported, g.n_achieved,
        coalesce(w.weight, 0) as weight
    from group_scores_cache as g
    left join weights as w using (group_code)
    semi join official as o on o.commune_id = g.commune_id
    where g.framework_key = $framework::VARCHAR
      and g.period in ($period::DATE, ($period::DATE - interval 1 month)::DATE)
),

scores as (
    select
        period, commune_id,
        round(round(sum(weight * group_score) / nullif(sum(weight) filter (where group_score is not null), 0), 9), 2)
            as score,
        sum(n_targets)::INTEGER as n_targets,
        sum(n_reported)::INTEGER as n_reported,
        sum(n_achieved)::INTEGER as n_achieved
    from groups
    group by period, commune_id
),

ranked as (
    select
        *,
        case when score is not null then rank() over (partition by period order by score desc nulls last) end as rank
    from scores
),

final as (
    select
        r.rank, o.commune_id, o.commune_name, o.province, o.is_demo, r.score,
        r.n_reported / nullif(r.n_targets, 0) as coverage,
        coalesce(r.n_targets, 0) as n_targets,
        coalesce(r.n_reported, 0) as n_reported,
        coalesce(r.n_achieved, 0) as n_achieved,
        p.rank as previous_rank,
        p.rank - r.rank as rank_change,
        round(r.score - p.score, 2) as score_change,
        o.official_rank, o.official_score,
        o.official_rank - r.rank as rank_change_official,
        o.name_order
    from official as o
    left join (select * from ranked where period = $period::DATE) as r using (commune_id)
    left join (select * from ranked where period <> $period::DATE) as p using (commune_id)
)

select * exclude (name_order) from final
order by rank nulls last, name_order
