-- columns: commune_id, indicator, year, comparator, target, target_text, lead_unit, partner_units, source_doc, source_item, note
-- How a year's target is typed when it is read, whatever file it comes from (see actuals.sql).
select
    commune_id::VARCHAR as commune_id,
    indicator::VARCHAR as indicator,
    year::INTEGER as year,
    comparator::VARCHAR as comparator,
    target::DOUBLE as target,
    target_text::VARCHAR as target_text,
    lead_unit::VARCHAR as lead_unit,
    partner_units::VARCHAR as partner_units,
    source_doc::VARCHAR as source_doc,
    source_item::VARCHAR as source_item,
    note::VARCHAR as note
from raw_rows
