"""Monthly files in: reading what offices send (readers), understanding each cell (parse),
checking every row against the catalog (check) and the templates offices fill in (template).

`python -m queries.ingest FILE...` is the command line (queries/ingest/cli.py); catalog.py reads
what checking needs without building the store's tables.
"""
