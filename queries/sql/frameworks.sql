-- columns: framework_key, framework_id, version, name_vi, year_from, year_to, status, official, document, shipped, n_groups, n_indicators, in_force, loaded_at, loaded_by
-- reads: reference
-- Every framework known (queries/frameworks: shipped in data/frameworks, loaded into the
-- store), with the years it scores now (a later load over the same years replaces it there),
-- the shipped ones first. in_force: runs of years, {first, last}, last null when open-ended.
with

groups as (
    select framework_key, count(*) as n_groups
    from framework_groups
    group by framework_key
),

members as (
    select framework_key, count(*) as n_indicators
    from framework_members
    group by framework_key
),

-- runs of consecutive years (gaps and islands)
runs as (
    select framework_key, year, year - row_number() over (partition by framework_key order by year) as run
    from year_frameworks
),

years as (
    select framework_key,
        list(struct_pack(first := first_year, last := case when last_year < 2100 then last_year end)
             order by first_year) as in_force
    from (select framework_key, min(year) as first_year, max(year) as last_year from runs group by framework_key, run)
    group by framework_key
),

last_load as (
    select framework_key, arg_max(loaded_at, seq) as loaded_at, arg_max(loaded_by, seq) as loaded_by
    from framework_loads
    group by framework_key
),

final as (
    select
        f.framework_key, f.framework_id, f.version, f.name_vi, f.year_from, f.year_to, f.status, f.official,
        f.document, f.shipped, g.n_groups, m.n_indicators,
        y.in_force,
        l.loaded_at, l.loaded_by,
        f.sort_order
    from frameworks as f
    left join groups as g using (framework_key)
    left join members as m using (framework_key)
    left join years as y using (framework_key)
    left join last_load as l using (framework_key)
)

select * exclude (sort_order) from final
order by sort_order
