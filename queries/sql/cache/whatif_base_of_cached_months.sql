-- columns: scope, period, framework_key, commune_id, commune_name, province, is_demo, official_rank, official_score, name_order, scores, present, scores_before, present_before, n_targets, n_reported, n_achieved
-- What a what-if ranking needs that does not depend on the weights, for every month in the
-- score cache, every scope of ranking_cache ('@all' and each province) and every framework:
-- each commune's group scores as a list in the framework's group order (0 where it has no
-- target in the group, and `present` 0 there, 1 elsewhere), this month's and the month before's,
-- beside its official rank and the order of its name (ranking_cache). whatif_ranking.sql then
-- only weighs (two dot products) and ranks: a leader moving a slider costs no join and no
-- sorting of names.
create or replace macro whatif_base_of_cached_months() as table
with

grid as (
    select m.period, c.commune_id, g.framework_key, g.code, g.sort_order
    from commune_scores_cache_months as m
    cross join communes as c
    cross join framework_groups as g
),

aligned as (
    select
        grid.period, grid.commune_id, grid.framework_key,
        list(coalesce(s.group_score, 0) order by grid.sort_order) as scores,
        list(case when s.group_score is null then 0.0 else 1.0 end order by grid.sort_order) as present,
        sum(s.n_targets)::INTEGER as n_targets,
        sum(s.n_reported)::INTEGER as n_reported,
        sum(s.n_achieved)::INTEGER as n_achieved
    from grid
    left join group_scores_cache as s
        on s.period = grid.period and s.commune_id = grid.commune_id
        and s.framework_key = grid.framework_key and s.group_code = grid.code
    group by grid.period, grid.commune_id, grid.framework_key
),

final as (
    select
        r.scope, r.period, a.framework_key, r.commune_id, r.commune_name, r.province, r.is_demo,
        r.rank as official_rank, r.score as official_score, r.name_order,
        a.scores, a.present, b.scores as scores_before, b.present as present_before,
        a.n_targets, a.n_reported, a.n_achieved
    from ranking_cache as r
    join aligned as a on a.period = r.period and a.commune_id = r.commune_id
    left join aligned as b
        on b.period = (r.period - interval 1 month)::DATE and b.commune_id = r.commune_id
        and b.framework_key = a.framework_key
)

select * from final
