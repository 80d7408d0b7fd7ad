-- columns: commune_id, commune_code, commune_name, province, is_demo, adult_population, population_15plus, working_age_population
-- example: province=null
-- reads: province
-- Communes of one province (or all, province null), in Vietnamese alphabetical order.
-- params: province (VARCHAR or null)
with

final as (
    select commune_id, commune_code, commune_name, province, is_demo,
        adult_population, population_15plus, working_age_population
    from communes
    where $province::VARCHAR is null or province = $province::VARCHAR
)

select * from final
order by province collate vi, commune_name collate vi
