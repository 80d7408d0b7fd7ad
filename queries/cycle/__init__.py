"""The monthly reporting cycle: when a month's report is due and when the month
closes (calendar), what counts as evidence (evidence), and the province's review of a
commune's month (review). The on-time status of every commune and month is the SQL query
`compliance_by_month`, which follows the same calendar.
"""
