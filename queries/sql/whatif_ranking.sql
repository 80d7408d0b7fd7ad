-- columns: rank, commune_id, commune_name, province, is_demo, score, coverage, n_targets, n_reported, n_achieved, previous_rank, rank_change, score_change, official_rank, official_score, rank_change_official
-- example: period=2026-06-01, province=Thử Nghiệm, framework=six-pillars@1, weights=[10; 10; 10; 40; 15; 15]
-- needs: score_cache(period)
-- What the ranking would be under other group weights (a leader's what-if), from the group
-- scores kept in the score cache, so nothing stored changes: the weights' average of a
-- commune's group scores (groups without a target left out), as the official score is (macro
-- commune_scores), ranked the same way (2 decimals, ties share a rank, the unranked last, ties
-- and the unranked by name), this month and the month before, beside the official rank of the
-- month. `framework` may be another framework than the one in force (its group scores are
-- kept too). What does not depend on the weights is ready: each commune's group scores as
-- lists (whatif_cache, macro whatif_lists), its official rank and the order of its name
-- (ranking_cache); the group scores themselves are group_scores_by_month's.
-- params: period (DATE, first of month), province (VARCHAR or null), framework (key),
--         weights (DOUBLE[], one per group in the framework's order, as framework_groups lists them)
with

base as (
    select
        r.commune_id, r.commune_name, r.province, r.is_demo, r.rank as official_rank, r.score as official_score,
        r.name_order, a.n_targets, a.n_reported, a.n_achieved,
        round(round(list_dot_product(a.scores, $weights::DOUBLE[])
                    / nullif(list_dot_product(a.present, $weights::DOUBLE[]), 0), 9), 2) as score,
        round(round(list_dot_product(a.scores_before, $weights::DOUBLE[])
                    / nullif(list_dot_product(a.present_before, $weights::DOUBLE[]), 0), 9), 2) as score_before
    from ranking_cache as r
    left join whatif_cache as a
        on a.commune_id = r.commune_id and a.period = $period::DATE and a.framework_key = $framework::VARCHAR
    where r.period = $period::DATE and r.scope = coalesce($province::VARCHAR, '@all')
),

final as (
    select
        case when score is not null then rank() over (order by score desc nulls last) end as rank,
        commune_id, commune_name, province, is_demo, score,
        n_reported / nullif(n_targets, 0) as coverage,
        coalesce(n_targets, 0) as n_targets,
        coalesce(n_reported, 0) as n_reported,
        coalesce(n_achieved, 0) as n_achieved,
        case when score_before is not null then rank() over (order by score_before desc nulls last) end
            as previous_rank,
        score_before, official_rank, official_score, name_order
    from base
)

select
    rank, commune_id, commune_name, province, is_demo, score, coverage, n_targets, n_reported, n_achieved,
    previous_rank, previous_rank - rank as rank_change, round(score - score_before, 2) as score_change,
    official_rank, official_score, official_rank - rank as rank_change_official
from final
order by rank nulls last, name_order
