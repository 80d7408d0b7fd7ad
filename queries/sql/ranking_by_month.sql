-- Ranking of communes for one month, within one province or (province null) all of them.
-- params: period (DATE, first of month), province (VARCHAR or null)
-- needs: commune_scores_cache filled for period and the month before (db.SCORE_MONTHS)
with

-- whole-month scores are computed once per month by the scoring macro (commune_scores) and
-- kept in commune_scores_cache; the runner fills this month and the one before (db.py)
scores as (
    select *, round(score, 2) as rounded_score
    from commune_scores_cache
    where period between ($period::DATE - interval 1 month)::DATE and $period::DATE
      and ($province::VARCHAR is null or province = $province::VARCHAR)
),

ranked as (
    select
        *,
        case when rounded_score is not null
            then rank() over (partition by period order by rounded_score desc nulls last)
        end as rank
    from scores
),

current_month as (
    select * from ranked where period = $period::DATE
),

previous_month as (
    select commune_id, rank as previous_rank, rounded_score as previous_score
    from ranked where period < $period::DATE
),

final as (
    select
        c.rank,
        c.commune_id, c.commune_name, c.province, c.is_demo,
        c.rounded_score as score,
        round(c."HT", 2) as "HT", round(c."NL", 2) as "NL", round(c."AT", 2) as "AT",
        round(c."CQ", 2) as "CQ", round(c."KT", 2) as "KT", round(c."XH", 2) as "XH",
        c.coverage, c.n_targets, c.n_reported, c.n_achieved,
        p.previous_rank,
        p.previous_rank - c.rank as rank_change,
        round(c.rounded_score - p.previous_score, 2) as score_change
    from current_month as c
    left join previous_month as p using (commune_id)
)

select * from final
order by rank nulls last, commune_name collate vi, province collate vi, commune_id
