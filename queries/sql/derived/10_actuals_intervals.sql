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
        *,
        lead(period, 1, date '9999-12-01') over (
            partition by commune_id, indicator order by period) as valid_to
    from scoped
)

select * from final;
