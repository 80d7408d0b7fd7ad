-- columns: code, name_vi, name_en, pillar, catalog_group
-- reads: reference
-- The indicator catalog with each code's pillar and group ('pillar', or 'innovation' for the
-- targets that belong to no score): what a framework file is checked against.
with

final as (
    select code, name_vi, name_en, pillar, "group" as catalog_group
    from indicators
)

select * from final
order by code
