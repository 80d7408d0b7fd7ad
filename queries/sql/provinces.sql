-- columns: province, n_communes, is_demo
-- reads: reference
-- Provinces with how many communes each has and whether they are demo data.
with

final as (
    select
        province,
        count(*) as n_communes,
        bool_and(is_demo) as is_demo
    from communes
    group by province
)

select * from final
order by is_demo, province collate vi
