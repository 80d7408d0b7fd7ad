"""Meeting outputs: tables and exports (export, tables), the slides and their charts
(slides, figures), chart images (images) and the meeting pack PDF (pack).

`python -m queries.export ...` is the command line (see `queries.reports.export`).
"""
