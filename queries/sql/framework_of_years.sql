-- columns: year, framework_key, framework_id, version, name_vi, status, official
-- Which framework (and version) scores each year that has targets or results, and this
-- year and the next: what the method page and the meeting pack say beside every score.
-- params: this_year (INTEGER)
-- example: this_year=2026
with

years as (
    select distinct year from commune_years
    union
    select $this_year::INTEGER
    union
    select $this_year::INTEGER + 1
),

final as (
    select y.year, f.framework_key, f.framework_id, f.version, f.name_vi, f.status, f.official
    from years as y
    join year_frameworks as w using (year)
    join frameworks as f using (framework_key)
)

select * from final
order by year
