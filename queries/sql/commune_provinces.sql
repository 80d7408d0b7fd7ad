-- columns: commune_id, province
-- example: communes=[thu/an-binh; khac/anh-duong; no/such]
-- The province each of these communes belongs to now, for those the tables know: the scope an
-- upload's rows fall in, whatever province the rows write.
-- params: communes (VARCHAR[])
with

final as (
    select commune_id, province
    from communes
    where list_contains($communes, commune_id)
)

select * from final
