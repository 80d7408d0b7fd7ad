-- columns: commune_id, commune_code, commune_name, province, adult_population, population_15plus, working_age_population, is_demo
-- The communes in force, for matching the codes and names typed in a row.
select commune_id, commune_code, commune_name, province, adult_population,
    population_15plus, working_age_population, is_demo
from communes
