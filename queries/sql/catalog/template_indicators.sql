-- columns: code, name_vi, unit
-- The indicators of a template's drop-down lists.
select code, name_vi, unit from indicators order by code
