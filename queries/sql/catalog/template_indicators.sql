-- columns: code, name_vi, name_en, unit
-- The indicators of a template's drop-down lists (an English template lists the English names).
select code, name_vi, name_en, unit from indicators order by code
