-- columns: commune_id, commune_code, commune_name, province, adult_population, population_15plus, working_age_population, is_demo
-- How a commune is typed when it is read, whatever file it comes from (see actuals.sql);
-- also the catalog database's communes (queries/ingest/catalog.py). Not marked demo: not demo.
select
    commune_id::VARCHAR as commune_id,
    commune_code::VARCHAR as commune_code,
    commune_name::VARCHAR as commune_name,
    province::VARCHAR as province,
    adult_population::DOUBLE as adult_population,
    population_15plus::DOUBLE as population_15plus,
    working_age_population::DOUBLE as working_age_population,
    coalesce(is_demo::BOOLEAN, false) as is_demo
from raw_rows
