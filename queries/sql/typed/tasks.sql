-- columns: commune_id, plan_year, item, status, completed_on, note
-- How a task's status, as a commune reports it, is typed when it is read from a store (see
-- actuals.sql). The plans' tasks themselves are typed by plan_tasks.sql.
select
    commune_id::VARCHAR as commune_id,
    plan_year::INTEGER as plan_year,
    item::VARCHAR as item,
    status::VARCHAR as status,
    completed_on::DATE as completed_on,
    note::VARCHAR as note
from raw_rows
