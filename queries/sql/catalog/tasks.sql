-- columns: commune_id, plan_year, item, name
-- The plans' numbered tasks, which a task-status row names by its item (1.1).
select commune_id, plan_year, item, name from tasks where item is not null
