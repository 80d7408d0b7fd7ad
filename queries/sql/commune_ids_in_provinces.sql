-- columns: commune_id
-- example: provinces=[Thử Nghiệm]
-- The communes of these provinces (as the tables write them): what a reader limited to those
-- provinces may see of an answer that names communes only.
-- params: provinces (VARCHAR[])
with

final as (
    select commune_id
    from communes
    where list_contains($provinces, province)
)

select * from final
