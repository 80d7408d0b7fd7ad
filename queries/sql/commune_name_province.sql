-- columns: commune_name, province
-- example: commune=thu/an-binh
-- One commune's name and the province it belongs to now (no row: no such commune): whose
-- scope a question, a review or a change of it falls in.
-- params: commune (commune_id)
with

final as (
    select commune_name, province
    from communes
    where commune_id = $commune
)

select * from final
