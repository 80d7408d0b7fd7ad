-- columns: commune_id, commune_name, province, is_demo, pillar, indicator, indicator_name, unit, direction, year, comparator, target, target_text, value, value_period, numerator, denominator, baseline, expected_value, progress_ratio, points, achieved, status, lead_unit, partner_units, source_doc, source_item, value_source, value_upload_id, target_source, target_upload_id, pillar_order
-- example: period=2026-06-01, province=Thử Nghiệm, commune=null
-- reads: province
-- Every targeted indicator of every commune in scope for one month: target, current value,
-- points, status, lead unit and where each number came from.
-- params: period (DATE), province (VARCHAR or null), commune (commune_id or null)
with

scores as (
    select * from indicator_scores($period::DATE, $period::DATE, $province, $commune)
),

pillar_order as (
    select code, sort_order from pillars
),

final as (
    select
        s.commune_id, s.commune_name, s.province, s.is_demo,
        s.pillar, s.indicator, s.indicator_name, s.unit, s.direction,
        s.year, s.comparator, s.target, s.target_text,
        s.value, s.value_period, s.numerator, s.denominator,
        s.baseline, s.expected_value, s.progress_ratio,
        s.points, s.achieved, s.status,
        s.lead_unit, s.partner_units, s.source_doc, s.source_item,
        s.value_source, s.value_upload_id, s.target_source, s.target_upload_id,
        coalesce(p.sort_order, 99) as pillar_order
    from scores as s
    left join pillar_order as p on p.code = s.pillar
)

select * from final
order by province collate vi, commune_name collate vi, pillar_order, indicator
