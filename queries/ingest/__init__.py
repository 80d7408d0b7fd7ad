"""Monthly files in: reading what offices send (readers, excel), understanding each cell
(parse), checking every row against the catalog and storing the good ones (pipeline), and the
templates offices fill in (template).

    pipeline.py   check_file(content, name, …) -> CheckResult; store_checked(result, store, …)
    kinds/        one module per kind of file (actuals, targets, communes, tasks, spending):
                  its columns, its key and check_row(ctx, row)
    resolve.py    the fields of one row: commune, indicator, month, year, value (RowProblem, Context)
    known.py      what the catalog knows, indexed for matching typed names (Catalog)
    results.py    Issue, RowResult, CheckResult and its JSON object
    preview.py    the page's table of a checked file, in Vietnamese
    log.py        the maintainer's log, <store>/logs/ingest.log
    catalog.py    CatalogDatabase: what checking needs, without building the store's tables
    cli.py        `python -m queries.ingest FILE...`
"""
