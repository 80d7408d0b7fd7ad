-- columns: code, name_vi, weight, sort_order
-- reads: reference
-- The six pillars with their names and weights in the overall score, in display order.
with

final as (
    select code, name_vi, weight, sort_order
    from pillars
)

select * from final
order by sort_order
