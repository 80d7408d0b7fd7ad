-- columns: code, unit, direction, name_vi, name_en
-- The indicators a file may name, for matching codes and names typed in a row (in Vietnamese or English).
select code, unit, direction, name_vi, name_en from indicators
