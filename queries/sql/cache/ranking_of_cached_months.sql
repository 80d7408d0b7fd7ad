-- columns: scope, period, rank, commune_id, commune_name, province, is_demo, score, HT, NL, AT, CQ, KT, XH, coverage, n_targets, n_reported, n_achieved, previous_rank, rank_change, score_change, position, name_order
-- Ranks of every commune for every month in the score cache, among all communes (scope
-- '@all') and within its province (scope = the province), with its rank the month before:
-- ranking_by_month reads one month and one scope of it. Scores are rounded to 2 decimals
-- before ranking, ties share a rank (1, 1, 3), communes without a score have no rank, and
-- position lists ties and the unranked in Vietnamese alphabetical order (name_order, kept for
-- the what-if ranking, which orders its own ties the same way without sorting names again).
create or replace macro ranking_of_cached_months() as table
with

scores as (
    select *, round(score, 2) as rounded_score
    from commune_scores_cache
),

scoped as (
    select '@all' as scope, * from scores
    union all
    select province as scope, * from scores
),

ranked as (
    select
        *,
        case when rounded_score is not null
            then rank() over (partition by scope, period order by rounded_score desc nulls last)
        end as rank
    from scoped
),

previous_month as (
    select
        scope, commune_id, (period + interval 1 month)::DATE as period,
        rank as previous_rank, rounded_score as previous_score
    from ranked
),

name_order as (
    select
        commune_id,
        row_number() over (order by commune_name collate vi, province collate vi, commune_id) as name_order
    from communes
),

final as (
    select
        c.scope, c.period,
        c.rank,
        c.commune_id, c.commune_name, c.province, c.is_demo,
        c.rounded_score as score,
        round(c."HT", 2) as "HT", round(c."NL", 2) as "NL", round(c."AT", 2) as "AT",
        round(c."CQ", 2) as "CQ", round(c."KT", 2) as "KT", round(c."XH", 2) as "XH",
        c.coverage, c.n_targets, c.n_reported, c.n_achieved,
        p.previous_rank,
        p.previous_rank - c.rank as rank_change,
        round(c.rounded_score - p.previous_score, 2) as score_change,
        -- the row's place in the ranking as shown: by rank, ties and the unranked by name
        row_number() over (partition by c.scope, c.period
                           order by c.rank nulls last, n.name_order) as position,
        n.name_order
    from ranked as c
    left join previous_month as p using (scope, commune_id, period)
    left join name_order as n using (commune_id)
)

select * from final;
