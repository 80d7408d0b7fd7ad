-- columns: commune_id, indicator, period, value, numerator, denominator, note, source, priority, seq, upload_id, row_number, valid_to, province
-- Each value that counts (scored_actuals) together with the month its successor arrives (valid_to), so "the
-- latest value with period <= p" is a range filter, not a search. For the communes in
-- refresh_scope (all of them on a full build).
create or replace macro actuals_intervals_in_scope() as table
with

scoped as (
    select a.*
    from scored_actuals as a
    semi join refresh_scope as s on s.commune_id = a.commune_id
),

final as (
    select
        s.*,
        lead(s.period, 1, date '9999-12-01') over (
            partition by s.commune_id, s.indicator order by s.period) as valid_to,
        -- the commune's province, so a question about one province reads only its rows
        c.province
    from scoped as s
    left join communes as c using (commune_id)
)

select * from final;
