-- columns: commune_id, indicator, period, value, numerator, denominator, note, source, priority, seq, upload_id, row_number
-- The values that count for the score. With the setting score_basis = 'all' (the default),
-- every value in force; with 'reviewed', only values of months the province has reviewed
-- ('da_tham_dinh'), so an unreviewed later value waits and the last reviewed one stands.
-- Values from the signed plans count as reviewed. For the communes in refresh_scope.
create or replace macro scored_actuals_in_scope() as table
with

rules as (
    select coalesce(max(value) filter (where name = 'score_basis'), 'all') as score_basis
    from settings
),

scoped as (
    select a.*
    from actuals as a
    semi join refresh_scope as s on s.commune_id = a.commune_id
),

final as (
    select a.*
    from scoped as a
    left join month_reviews as r using (commune_id, period)
    cross join rules
    where rules.score_basis = 'all'
       or a.source = 'plan'
       or r.review_status = 'da_tham_dinh'
)

select * from final;
