-- columns: commune_name, plan_year, item, name, deadline_text
-- The plans' tasks of a template's drop-down lists: one province's communes (or all, province null).
-- params: province (VARCHAR or null)
select c.commune_name, t.plan_year, t.item, t.name, t.deadline_text
from tasks as t join communes as c using (commune_id)
where $province is null or c.province = $province
order by c.province collate vi, c.commune_name collate vi, t.plan_year, t.seq
