-- columns: commune_id, period, review_status, last_review_status, comment, reviewer, reviewed_at, last_upload_at
-- The province's review (thẩm định) of each commune's month, as it stands: the latest review,
-- unless an upload for that month arrived after it, which puts the month back to
-- 'cho_tham_dinh' (awaiting review). For the communes in refresh_scope.
create or replace macro month_reviews_in_scope() as table
with

reviewed as (
    select r.*, try_cast(r.reviewed_at as TIMESTAMPTZ) as reviewed_moment,
        -- the later of two reviews in the same instant is the one committed later
        (try_cast(r.reviewed_at as TIMESTAMPTZ), r.seq) as review_order
    from reviews as r
    semi join refresh_scope as s on s.commune_id = r.commune_id
),

last_review as (
    select
        commune_id, period,
        arg_max_null(status, review_order) as status,
        arg_max_null(comment, review_order) as comment,
        arg_max_null("user", review_order) as reviewer,
        max(reviewed_moment) as reviewed_at
    from reviewed
    group by all
),

last_upload as (
    select h.commune_id, h.period, max(try_cast(u.uploaded_at as TIMESTAMPTZ)) as last_upload_at
    from actuals_history as h
    join uploads as u on u.upload_id = h.upload_id and u.priority = h.priority
    semi join last_review as r on r.commune_id = h.commune_id and r.period = h.period
    where h.active
    group by all
),

final as (
    select
        r.commune_id, r.period,
        case when u.last_upload_at > r.reviewed_at then 'cho_tham_dinh' else r.status end as review_status,
        r.status as last_review_status, r.comment, r.reviewer, r.reviewed_at, u.last_upload_at
    from last_review as r
    left join last_upload as u using (commune_id, period)
)

select * from final;
