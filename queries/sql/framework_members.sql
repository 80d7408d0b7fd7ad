-- columns: framework_key, group_code, group_name, indicator, indicator_name, weight, group_order
-- example: framework=null, period=2026-06-01
-- reads: reference
-- The member indicators of each group of a framework (the one named, or the one in force in
-- the year of `period`), with their weights within the group, in the groups' order.
-- params: framework (VARCHAR or null), period (DATE or null)
with

chosen as (
    select coalesce($framework::VARCHAR,
                    (select framework_key from year_frameworks where year = year($period::DATE))) as framework_key
),

final as (
    select
        m.framework_key, m.group_code, g.name_vi as group_name, m.indicator, i.name_vi as indicator_name, m.weight,
        g.sort_order as group_order
    from framework_members as m
    join chosen using (framework_key)
    join framework_groups as g on g.framework_key = m.framework_key and g.code = m.group_code
    left join indicators as i on i.code = m.indicator
)

select * from final
order by group_order, indicator
