-- columns: first
select min(year) as first from targets
