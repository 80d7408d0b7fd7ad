"""One page run at a time in a replica.

Polars runs a `map_elements` function on its own worker threads, which must take Python's GIL;
a second script thread that holds the GIL while it waits for those workers (Polars reading a
cached frame back, pyarrow building a column for st.dataframe) then waits forever, and with it
the whole replica, its event loop included (pola-rs/polars#10970 and #24448 are the same kind):
twenty sessions opening pages at once froze both replicas of `bench.load_bench`. A page run is
Python-bound (the GIL lets one thread run Python at a time), so a replica loses little by taking
its runs one after another; the replicas are where pages run side by side.
"""
from __future__ import annotations

import threading

page_runs = threading.Lock()
