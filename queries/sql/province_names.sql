-- columns: province
-- reads: reference
-- The provinces as the tables write them, in Vietnamese alphabetical order: what a province
-- typed any way (on the command line, in a URL) is matched against.
with

final as (
    select distinct province
    from communes
)

select * from final
order by province collate vi
