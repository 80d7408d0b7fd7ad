"""Keep Streamlit's collection after every run to the run's own garbage.

Streamlit runs a full garbage collection after each script run (runner.postScriptGC), so memory
never builds up between runs. A full collection walks every object the process holds: the
libraries' classes and functions (about 200,000 objects once Streamlit, Polars, DuckDB, Altair
and Plotly are imported) as well as the run's garbage; that walk took 0.1–0.2 s of each page
view, a quarter of a warm view's CPU. `gc.freeze()` moves what is alive into a generation the
collector skips. Done after a run that imported something new (the first run, the first map,
the first download), after collecting, so no garbage is frozen with it; objects frozen are still
freed by reference counting when let go. Runs of other sessions may be under way then: what they
hold is frozen too and freed by reference counting, and this happens a few times per process.
"""
from __future__ import annotations

import gc
import sys
import threading

_modules_at_freeze = 0
_settling = threading.Lock()  # sessions' runs end side by side: one collection and freeze at a time


def settle() -> None:
    global _modules_at_freeze
    if len(sys.modules) == _modules_at_freeze:
        return
    with _settling:
        if len(sys.modules) == _modules_at_freeze:
            return
        gc.collect()
        gc.freeze()
        _modules_at_freeze = len(sys.modules)
