-- columns: commune_id, commune_name, province, is_demo, official_rank, official_score, name_order, n_targets, n_reported, n_achieved, scores, present, scores_before, present_before
-- example: period=2026-06-01, province=Thử Nghiệm, framework=six-pillars@1
-- needs: score_cache(period)
-- reads: province
-- What a what-if ranking (a leader's own group weights) needs that the weights do not change:
-- each commune of the scope with its official rank and score of the month, the order of its
-- name, and its group scores as lists in the framework's group order (whatif_cache, macro
-- whatif_lists: 0 and `present` 0 where it has no target in the group), this month and the
-- month before. The weighing and ranking of these rows is queries/frameworks/whatif.py
-- (rank_under): a slider's move then costs ~2 ms of Polars on a frame the page keeps, not a
-- query whose planning alone costs more than the work. `framework` may be another framework
-- than the one in force (its group scores are kept too).
-- params: period (DATE, first of month), province (VARCHAR or null), framework (key)
with

ranked as (
    select commune_id, commune_name, province, is_demo, rank as official_rank, score as official_score, name_order
    from ranking_cache
    where period = $period::DATE and scope = coalesce($province::VARCHAR, '@all')
),

lists as (
    select commune_id, scores, present, scores_before, present_before, n_targets, n_reported, n_achieved
    from whatif_cache
    where period = $period::DATE and framework_key = $framework::VARCHAR
),

final as (
    select
        r.commune_id, r.commune_name, r.province, r.is_demo, r.official_rank, r.official_score, r.name_order,
        l.n_targets, l.n_reported, l.n_achieved, l.scores, l.present, l.scores_before, l.present_before
    from ranked as r
    left join lists as l using (commune_id)
)

select * from final
order by name_order
