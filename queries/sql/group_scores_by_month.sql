-- columns: period, commune_id, commune_name, province, is_demo, framework_key, group_code, group_name, group_score, group_order, n_targets, n_reported, n_achieved
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null, framework=null
-- needs: score_cache(period)
-- reads: province
-- The group scores (0–100, 2 decimals) of every commune in scope for one month, under the
-- framework in force that year (framework null) or the one named (its key: a what-if under
-- another framework), one row per commune and group it has targets in: what the pages draw
-- for a framework whose groups are not the six pillars' columns.
-- params: period (DATE, first of month), province (VARCHAR or null), commune (id or null),
--         framework (key or null)
with

in_force as (
    select coalesce($framework::VARCHAR, framework_key) as framework_key
    from year_frameworks
    where year = year($period::DATE)
),

final as (
    select
        g.period, g.commune_id, c.commune_name, c.province, c.is_demo, g.framework_key, g.group_code,
        f.name_vi as group_name, round(g.group_score, 2) as group_score, f.sort_order as group_order,
        g.n_targets, g.n_reported, g.n_achieved
    from group_scores_cache as g
    join in_force using (framework_key)
    join communes as c using (commune_id)
    join framework_groups as f on f.framework_key = g.framework_key and f.code = g.group_code
    where g.period = $period::DATE
      and ($province::VARCHAR is null or c.province = $province::VARCHAR)
      and ($commune::VARCHAR is null or g.commune_id = $commune::VARCHAR)
)

select * from final
order by province collate vi, commune_name collate vi, group_order
