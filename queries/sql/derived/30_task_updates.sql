-- columns: commune_id, plan_year, item, status, completed_on, note, updated_at, upload_id, row_number
-- Every status a commune reported for its plan's tasks (uploads still active), with when it
-- was received in Vietnam time; tasks_status.sql takes the newest known on a given day.
-- For the communes in refresh_scope.
create or replace macro task_updates_in_scope() as table
with

final as (
    select
        h.commune_id, h.plan_year, h.item, h.status, h.completed_on, h.note,
        try_cast(u.uploaded_at as TIMESTAMPTZ) at time zone 'Asia/Ho_Chi_Minh' as updated_at,
        h.upload_id, h.row_number
    from tasks_history as h
    join uploads as u on u.upload_id = h.upload_id and u.priority = h.priority
    semi join refresh_scope as s on s.commune_id = h.commune_id
    where h.active
)

select * from final;
