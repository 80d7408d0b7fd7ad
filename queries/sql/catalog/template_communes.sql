-- columns: commune_name, province
-- The communes of a template's drop-down list: one province's (or all, province null).
-- params: province (VARCHAR or null)
select commune_name, province from communes
where $province is null or province = $province
order by province collate vi, commune_name collate vi
