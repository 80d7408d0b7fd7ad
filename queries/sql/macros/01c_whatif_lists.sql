-- columns: period, commune_id, framework_key, scores, present, scores_before, present_before, n_targets, n_reported, n_achieved
-- What a what-if ranking needs of each commune that does not depend on the weights: for every
-- month from p_from to p_to in group_scores_cache and every framework, the commune's group
-- scores as a list in the framework's group order (0 where it has no target in the group, and
-- `present` 0 there, 1 elsewhere), and the same of the month before (for the change in rank;
-- all 0 when that month's group scores are not kept, which gives no previous rank). The engine keeps it as whatif_cache beside the group scores
-- (queries/engine/build.py), so a what-if ranking only weighs (two dot products) and ranks:
-- a leader moving a slider costs no grouping and no sorting of names. scope_commune as in
-- scoped_communes ('@refresh_scope': the communes a change touched).
create or replace macro whatif_lists(p_from, p_to, scope_commune) as table
with

grid as (
    select m.period, c.commune_id, g.framework_key, g.code, g.sort_order
    from (select unnest(generate_series((p_from::DATE - interval 1 month)::DATE, p_to::DATE, interval 1 month))::DATE
          as period) as m
    cross join scoped_communes(null, scope_commune) as c
    cross join framework_groups as g
),

lists as (
    select
        grid.period, grid.commune_id, grid.framework_key,
        list(coalesce(s.group_score, 0)::DOUBLE order by grid.sort_order) as scores,
        list(case when s.group_score is null then 0 else 1 end::DOUBLE order by grid.sort_order) as present,
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
        a.period, a.commune_id, a.framework_key, a.scores, a.present,
        b.scores as scores_before, b.present as present_before,
        a.n_targets, a.n_reported, a.n_achieved
    from lists as a
    left join lists as b
        on b.period = (a.period - interval 1 month)::DATE and b.commune_id = a.commune_id
        and b.framework_key = a.framework_key
    where a.period >= p_from::DATE
)

select * from final
