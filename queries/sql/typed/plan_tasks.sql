-- columns: commune_id, plan_year, seq, group_no, group_name, item, name, required_result, deadline_text, deadline, recurring, lead_unit, partner_units, indicators, source_doc, source_item, note
-- How the plans' tasks (data/tasks.csv, read as text; queries/plans/tasks.py) are typed: the
-- table `tasks` that tasks_status.sql reads. Not marked recurring: not recurring.
select
    commune_id::VARCHAR as commune_id,
    plan_year::INTEGER as plan_year,
    seq::INTEGER as seq,
    group_no::INTEGER as group_no,
    group_name::VARCHAR as group_name,
    item::VARCHAR as item,
    name::VARCHAR as name,
    required_result::VARCHAR as required_result,
    deadline_text::VARCHAR as deadline_text,
    deadline::DATE as deadline,
    coalesce(recurring::BOOLEAN, false) as recurring,
    lead_unit::VARCHAR as lead_unit,
    partner_units::VARCHAR as partner_units,
    indicators::VARCHAR as indicators,
    source_doc::VARCHAR as source_doc,
    source_item::VARCHAR as source_item,
    note::VARCHAR as note
from raw_rows
