-- columns: commune_id, year
-- The years in which each commune has a target or a result (any value in force, counted or
-- not): the years the method page names a framework for, without reading every value again
-- (framework_of_years.sql took 40 ms at national scale after every upload, 7 ms on this). For
-- the communes in refresh_scope.
create or replace macro commune_years_in_scope() as table
with

targets_years as (
    select t.commune_id, t.year
    from targets as t
    semi join refresh_scope as s on s.commune_id = t.commune_id
),

results_years as (
    select a.commune_id, year(a.period) as year
    from actuals as a
    semi join refresh_scope as s on s.commune_id = a.commune_id
),

final as (
    select distinct commune_id, year::INTEGER as year from targets_years
    union
    select distinct commune_id, year::INTEGER as year from results_years
)

select * from final;
