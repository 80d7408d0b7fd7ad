-- columns: commune_id, commune_name, province, is_demo, pillar, pillar_name, pillar_weight, pillar_order, indicator, indicator_name, unit, direction, year, comparator, target, target_text, value, value_period, numerator, denominator, baseline, expected_value, progress_ratio, points, achieved, status, lead_unit, partner_units, source_doc, source_item, value_source, value_received, unreported_rule
-- example: period=2026-06-01, commune=thu/an-binh
-- reads: province
-- One commune's targeted indicators for one month, for its profile: target, latest value,
-- status and points (from the scoring macro), the pillar's weight, the lead unit, when the
-- value's upload arrived and which document set the target; innovation targets (no pillar)
-- come last with pillar_weight null. Also the rule for unreported targets, which the
-- "why this score" explanation states.
-- params: period (DATE), commune (commune_id)
with

scores as (
    select * from indicator_scores($period::DATE, $period::DATE, null, $commune)
),

rules as (
    select max(value) filter (where name = 'unreported_rule') as unreported_rule
    from settings
),

final as (
    select
        s.commune_id, s.commune_name, s.province, s.is_demo,
        s.pillar, p.name_vi as pillar_name, p.weight as pillar_weight,
        coalesce(p.sort_order, 99) as pillar_order,
        s.indicator, s.indicator_name, s.unit, s.direction,
        s.year, s.comparator, s.target, s.target_text,
        s.value, s.value_period, s.numerator, s.denominator,
        s.baseline, s.expected_value, s.progress_ratio,
        s.points, s.achieved, s.status,
        s.lead_unit, s.partner_units, s.source_doc, s.source_item,
        s.value_source,
        try_cast(u.uploaded_at as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh' as value_received,
        r.unreported_rule
    from scores as s
    left join pillars as p on p.code = s.pillar
    left join uploads as u on u.upload_id = s.value_upload_id
    cross join rules as r
)

select * from final
order by pillar_order, indicator
