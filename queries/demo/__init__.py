"""Synthetic demo data in a clearly fictional province (`python -m queries.demo`)."""
