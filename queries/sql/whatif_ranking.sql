-- columns: rank, commune_id, commune_name, province, is_demo, score, groups, coverage, n_targets, n_reported, n_achieved, previous_rank, rank_change, score_change, official_rank, official_score, rank_change_official
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
with

weights as (
    select unnest($codes::VARCHAR[]) as group_code, unnest($weights::DOUBLE[]) as weight
),

in_scope as (
    select commune_id, commune_name, province, is_demo
    from communes
    where $province::VARCHAR is null or province = $province::VARCHAR
),

months as (
    select $period::DATE as period
    union all
    select ($period::DATE - interval 1 month)::DATE
),

groups as (
    select g.*, coalesce(w.weight, 0) as weight, f.sort_order as group_order
    from group_scores_cache as g
    join framework_groups as f on f.framework_key = g.framework_key and f.code = g.group_code
    left join weights as w using (group_code)
    semi join in_scope as c on c.commune_id = g.commune_id
    where g.framework_key = $framework::VARCHAR
      and g.period in (select period from months)
),

scores as (
    select
        period, commune_id,
        round(round(sum(weight * group_score) / nullif(sum(weight) filter (where group_score is not null), 0), 9), 2)
            as score,
        list(struct_pack(code := group_code, score := round(group_score, 2)) order by group_order) as groups,
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

official as (
    select commune_id, rank as official_rank, score as official_score
    from ranking_cache
    where period = $period::DATE and scope = coalesce($province::VARCHAR, '@all')
),

name_order as (
    select
        commune_id,
        row_number() over (order by commune_name collate vi, province collate vi, commune_id) as name_order
    from in_scope
),

final as (
    select
        r.rank, c.commune_id, c.commune_name, c.province, c.is_demo, r.score, r.groups,
        r.n_reported / nullif(r.n_targets, 0) as coverage,
        coalesce(r.n_targets, 0) as n_targets,
        coalesce(r.n_reported, 0) as n_reported,
        coalesce(r.n_achieved, 0) as n_achieved,
        p.rank as previous_rank,
        p.rank - r.rank as rank_change,
        round(r.score - p.score, 2) as score_change,
        o.official_rank, o.official_score,
        o.official_rank - r.rank as rank_change_official,
        n.name_order
    from in_scope as c
    left join (select * from ranked where period = $period::DATE) as r using (commune_id)
    left join (select * from ranked where period <> $period::DATE) as p using (commune_id)
    left join official as o using (commune_id)
    left join name_order as n using (commune_id)
)

select * exclude (name_order) from final
order by rank nulls last, name_order
