-- columns: commune_id, commune_name, province, is_demo
-- The communes a question is about: one province, one commune, or (both null) all of them.
-- scope_commune '@refresh_scope' names the communes in table refresh_scope: the engine
-- (queries/engine/build.py) recomputes derived tables for just the communes a change touched.
create or replace macro scoped_communes(scope_province, scope_commune) as table
select commune_id, commune_name, province, is_demo
from communes
where (scope_province::VARCHAR is null or province = scope_province::VARCHAR)
  and (scope_commune::VARCHAR is null
       or commune_id = scope_commune::VARCHAR
       or (scope_commune::VARCHAR = '@refresh_scope'
           and commune_id in (select commune_id from refresh_scope)));
