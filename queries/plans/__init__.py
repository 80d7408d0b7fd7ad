"""What a commune's plan asks beyond numeric targets, and where the year is heading.

- deadlines.py: the one rule that turns a plan's "Thời gian thực hiện" text into a date;
- tasks.py: task statuses, the derived "Quá hạn", and the cells of a task-status upload
  (the SQL is queries/sql/tasks_status.sql);
- spending.py: spending by item in đồng, and reading amounts as staff write them;
- projection.py: the statuses and the Vietnamese text of the year-end projection (the SQL is
  the table macro in queries/sql/macros/03_projection.sql).

Shipped data: data/tasks.csv (seed 002, Xã Nghĩa Hành) and data/spending.csv (seed 001,
Xã Định Tiến). Like the rest of queries/, nothing here imports Streamlit.
"""
