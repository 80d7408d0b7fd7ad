-- columns: commune_id, year, item, planned, spent, source_doc, source_item, note
-- How a spending row (planned and spent amounts in đồng, queries/plans/spending.py) is typed
-- when it is read: data/spending.csv as text, or a store's Parquet (see actuals.sql).
select
    commune_id::VARCHAR as commune_id,
    year::INTEGER as year,
    item::VARCHAR as item,
    planned::BIGINT as planned,
    spent::BIGINT as spent,
    source_doc::VARCHAR as source_doc,
    source_item::VARCHAR as source_item,
    note::VARCHAR as note
from raw_rows
