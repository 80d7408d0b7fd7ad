-- columns: first
-- reads: targets
select min(year) as first from targets
