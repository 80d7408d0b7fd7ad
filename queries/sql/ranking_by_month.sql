-- columns: rank, commune_id, commune_name, province, is_demo, score, HT, NL, AT, CQ, KT, XH, coverage, n_targets, n_reported, n_achieved, previous_rank, rank_change, score_change
-- example: period=2026-06-01, province=Thử Nghiệm
-- needs: score_cache(period)
-- reads: province
-- Ranking of communes for one month, within one province or (province null) all of them.
-- params: period (DATE, first of month), province (VARCHAR or null)
-- The ranks are computed once per month (macro ranking_of_cached_months, from the scores
-- of the scoring macro) and kept in ranking_cache; the runner fills the month and the one
-- before when they are not there yet (the needs line above: queries.db.score_months_needed).
with

final as (
    select
        rank,
        commune_id, commune_name, province, is_demo,
        score, "HT", "NL", "AT", "CQ", "KT", "XH",
        coverage, n_targets, n_reported, n_achieved,
        previous_rank, rank_change, score_change,
        position
    from ranking_cache
    where period = $period::DATE
      and scope = coalesce($province::VARCHAR, '@all')
)

select * exclude (position) from final
order by position
