-- columns: framework_key, code, name_vi, name_en, weight, share, n_indicators, sort_order
-- example: framework=null, period=2026-06-01
-- reads: reference
-- The groups of a framework in display order, with their weights and each weight's share of
-- 100 %: of the framework named (key, e.g. six-pillars@1), or (framework null) of the one in
-- force in the year of `period`.
-- params: framework (VARCHAR or null), period (DATE or null)
with

chosen as (
    select coalesce($framework::VARCHAR,
                    (select framework_key from year_frameworks where year = year($period::DATE))) as framework_key
),

members as (
    select framework_key, group_code as code, count(*) as n_indicators
    from framework_members
    group by all
),

final as (
    select
        g.framework_key, g.code, g.name_vi, g.name_en, g.weight,
        100 * g.weight / sum(g.weight) over () as share,
        coalesce(m.n_indicators, 0) as n_indicators,
        g.sort_order
    from framework_groups as g
    join chosen using (framework_key)
    left join members as m using (framework_key, code)
)

select * from final
order by sort_order
