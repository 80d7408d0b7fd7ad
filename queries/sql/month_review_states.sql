-- columns: commune_id, period, review_status, last_review_status, comment, reviewer, reviewed_at_vn
-- example: province=null, commune=null, period_from=2026-01-01, period_to=2026-12-01
-- reads: province
-- The province's review (thẩm định) of each commune's months, as it stands (derived table
-- month_reviews: the latest review, back to 'cho_tham_dinh' when an upload came after it).
-- Months never reviewed have no row: the pages call them awaiting review once a report came.
-- params: province (VARCHAR or null), commune (id or null), period_from (DATE), period_to (DATE)
with

in_scope as (
    select * from scoped_communes($province, $commune)
),

final as (
    select
        r.commune_id, r.period, r.review_status, r.last_review_status, r.comment, r.reviewer,
        r.reviewed_at at time zone 'Asia/Ho_Chi_Minh' as reviewed_at_vn
    from month_reviews as r
    semi join in_scope as c on c.commune_id = r.commune_id
    where r.period between $period_from::DATE and $period_to::DATE
)

select * from final
order by commune_id, period
