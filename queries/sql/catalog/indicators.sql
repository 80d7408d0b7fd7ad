-- columns: code, unit, direction, name_vi
-- The indicators a file may name, for matching codes and names typed in a row.
select code, unit, direction, name_vi from indicators
