-- columns: commune_id, commune_name, province, plan_year, seq, group_no, group_name, item, name, required_result, deadline_text, deadline, recurring, lead_unit, partner_units, indicators, source_doc, source_item, note, status, status_label, completed_on, is_overdue, completed_late, days_overdue, last_update_at, last_upload_id, reported_in_month
-- example: as_of=2026-11-22, province=null, commune=null
-- reads: province
-- Every task of the plans of the communes in scope as it stood on one day: the newest status
-- update per task (updates received after that day are not yet known), the deadline from the
-- plan, and the derived overdue flag. The rules are those of queries/plans/tasks.py:
-- overdue = a deadline, the day after it, and not completed on or before the day; a
-- completion dated after the day counts from that date only; recurring tasks and tasks
-- without a readable deadline are never overdue.
-- params: as_of (DATE), province (VARCHAR or null), commune (commune_id or null)
with

in_scope as (
    select * from scoped_communes($province, $commune)
),

scoped_tasks as (
    select t.*, c.commune_name, c.province
    from tasks as t
    join in_scope as c using (commune_id)
    where t.plan_year <= year($as_of::DATE)
),

-- newest update per task known on the day (upload ids sort by time; within one file the
-- later row wins)
latest_update as (
    select
        u.commune_id, u.plan_year, u.item, u.status as reported_status, u.completed_on,
        u.updated_at, u.upload_id
    from task_updates as u
    semi join in_scope as c on c.commune_id = u.commune_id
    where u.updated_at::DATE <= $as_of::DATE
    qualify row_number() over (
        partition by u.commune_id, u.plan_year, u.item
        order by u.updated_at desc, u.upload_id desc, u.row_number desc nulls last) = 1
),

joined as (
    select
        t.*,
        u.reported_status, u.completed_on, u.updated_at, u.upload_id,
        case
            when u.reported_status is null then 'chua_bat_dau'
            when u.reported_status = 'hoan_thanh' and u.completed_on > $as_of::DATE then 'dang_thuc_hien'
            else u.reported_status
        end as status
    from scoped_tasks as t
    left join latest_update as u using (commune_id, plan_year, item)
),

flagged as (
    select
        *,
        coalesce(deadline is not null and $as_of::DATE > deadline and status <> 'hoan_thanh', false)
            as is_overdue,
        coalesce(status = 'hoan_thanh' and completed_on > deadline, false) as completed_late
    from joined
),

final as (
    select
        commune_id, commune_name, province, plan_year, seq, group_no, group_name, item, name,
        required_result, deadline_text, deadline, recurring, lead_unit, partner_units, indicators,
        source_doc, source_item, note,
        status,
        case
            when is_overdue then 'Quá hạn'
            when status = 'hoan_thanh' then 'Hoàn thành'
            when status = 'dang_thuc_hien' then 'Đang thực hiện'
            else 'Chưa bắt đầu'
        end as status_label,
        case when status = 'hoan_thanh' then completed_on end as completed_on,
        is_overdue,
        completed_late,
        case when is_overdue then date_diff('day', deadline, $as_of::DATE) end as days_overdue,
        updated_at as last_update_at,
        upload_id as last_upload_id,
        -- recurring tasks are followed month by month: was there a report in the day's month?
        coalesce(date_trunc('month', updated_at) = date_trunc('month', $as_of::DATE), false)
            as reported_in_month
    from flagged
)

select * from final
order by province collate vi, commune_name collate vi, plan_year, seq
