-- columns: source_doc, province, communes, years, n_targets, is_demo
-- reads: targets
-- The documents the shipped and uploaded targets come from, with how many targets each set.
with

final as (
    select
        t.source_doc,
        c.province,
        string_agg(distinct c.commune_name, ', ' order by c.commune_name collate vi) as communes,
        string_agg(distinct t.year::VARCHAR, ', ' order by t.year::VARCHAR) as years,
        count(*) as n_targets,
        bool_and(c.is_demo) as is_demo
    from targets as t
    join communes as c using (commune_id)
    group by all
)

select * from final
order by is_demo, province collate vi, source_doc
