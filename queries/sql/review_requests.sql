-- columns: commune_id, commune_name, province, period, comment, reviewer, reviewed_at
-- The months the province asked a commune to complete (review 'yeu_cau_bo_sung', as it stands:
-- derived table month_reviews), newest month first: what the upload page asks its communes for.
with

final as (
    select r.commune_id, c.commune_name, c.province, r.period, r.comment, r.reviewer, r.reviewed_at
    from month_reviews as r
    join communes as c using (commune_id)
    where r.review_status = 'yeu_cau_bo_sung'
)

select * from final
order by period desc, commune_name collate vi
