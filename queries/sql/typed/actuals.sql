-- columns: commune_id, indicator, period, value, numerator, denominator, note
-- How a monthly value is typed when it is read, whatever file it comes from (shipped CSV read
-- as text, a store's Parquet). raw_rows is the rows as read; queries/engine/build.py writes
-- this column list before each row's origin (source, priority, seq, upload_id…).
select
    commune_id::VARCHAR as commune_id,
    indicator::VARCHAR as indicator,
    period::DATE as period,
    value::DOUBLE as value,
    numerator::DOUBLE as numerator,
    denominator::DOUBLE as denominator,
    note::VARCHAR as note
from raw_rows
