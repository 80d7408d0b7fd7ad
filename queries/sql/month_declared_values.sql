-- columns: indicator, indicator_name, pillar, pillar_order, unit, value, numerator, denominator, target_text, source, upload_id, uploader, file_name, received_at_vn, n_evidence
-- example: commune=thu/an-binh, period=2026-06-01
-- reads: province
-- What one commune declared for one month, as it stands: each value in force for that month
-- (the newest active upload per indicator), with the year's target, who uploaded it, when it
-- was received (Vietnam time), from which file and how many evidence files came with it.
-- For the province's review of the month.
-- params: commune (commune_id), period (DATE)
with

declared as (
    select *
    from actuals
    where commune_id = $commune and period = $period::DATE
),

year_targets as (
    select indicator, target_text
    from targets
    where commune_id = $commune and year = year($period::DATE)
),

final as (
    select
        a.indicator, i.name_vi as indicator_name, i.pillar, coalesce(p.sort_order, 99) as pillar_order,
        i.unit, a.value, a.numerator, a.denominator, t.target_text,
        a.source, a.upload_id, u."user" as uploader, u.file_name,
        try_cast(coalesce(u.received_at, u.uploaded_at) as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh'
            as received_at_vn,
        coalesce(u.n_evidence, 0) as n_evidence
    from declared as a
    left join indicators as i on i.code = a.indicator
    left join pillars as p on p.code = i.pillar
    left join year_targets as t using (indicator)
    left join uploads as u on u.upload_id = a.upload_id and u.priority = a.priority
)

select * from final
order by pillar_order, indicator
