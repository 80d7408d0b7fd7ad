-- columns: period, commune_id, commune_name, province, is_demo, score, HT, NL, AT, CQ, KT, XH, coverage, n_targets, n_reported, n_achieved
-- example: period_from=2026-01-01, period_to=2026-06-01, province=Thử Nghiệm, commune=null
-- reads: province
-- Overall and pillar scores (0–100, 2 decimals) and coverage of every commune in scope for
-- every month from period_from to period_to: trends, sparklines, month-on-month changes.
-- params: period_from (DATE), period_to (DATE), province (VARCHAR or null), commune (id or null)
with

scores as (
    select * from commune_scores($period_from::DATE, $period_to::DATE, $province, $commune, false)
),

final as (
    select
        period, commune_id, commune_name, province, is_demo,
        round(score, 2) as score,
        round("HT", 2) as "HT", round("NL", 2) as "NL", round("AT", 2) as "AT",
        round("CQ", 2) as "CQ", round("KT", 2) as "KT", round("XH", 2) as "XH",
        coverage, n_targets, n_reported, n_achieved
    from scores
)

select * from final
order by period, province collate vi, commune_name collate vi
