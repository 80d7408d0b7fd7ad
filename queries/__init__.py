"""Data access for the DTI dashboard: no Streamlit imports anywhere in this package.

Pages, the command line and the tests all call `queries.db.run_query(name, **params)`.
"""
