-- columns: commune_id, commune_code, commune_name, province
-- Every commune in force with its code, name and province: what a commune or province typed
-- any way (an id, a code, a name) is resolved against (queries.accounts.places).
with

final as (
    select commune_id, commune_code, commune_name, province
    from communes
)

select * from final
