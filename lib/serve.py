"""Server-wide policy, once per process: garbage collection and torch threads. app.py calls `after_run()` at the
end of every script run; it costs a counter increment except on a few early runs.

Why (issue 12): Streamlit's `runner.postScriptGC` (on by default) runs a full `gc.collect(2)` after every script
run. With torch, transformers, pandas and altair imported and the models loaded, the heap holds millions of
container objects, so every page run paid 0.1-0.4 s of CPU walking them (72% of a page run in a py-spy profile),
whatever the page did. .streamlit/config.toml switches it off. Python's own generational collector still runs, so
reference cycles are still collected; what it walks on a full collection is kept small by `gc.freeze()`: once the
imports are done and the models loaded, the objects that live as long as the process (modules, functions, model
tensors and their wrappers) move to the permanent generation, which no collection walks again.

Freezing captures whatever is alive at that moment, so it happens just after a full collection (no garbage gets
frozen) and only on a few early runs of the process (1, 2, 4, ... 256: by then every page has loaded its models
in a lecture's first minutes). Later garbage is collected as usual. The memory soak in the class benchmark
(`python -m tests.bench --soak 2000`) checks that memory stays bounded over 2,000 page runs.
"""
from __future__ import annotations

import gc
import os
import threading

FREEZE_RUNS = frozenset(2 ** k for k in range(9))  # 1, 2, 4, ..., 256
DISABLE_ENV = "UFM_NO_GC_FREEZE"                  # set to 1 to compare against the plain collector

_lock = threading.Lock()
_runs = 0
freezes = 0


def after_run() -> None:
    """Count the process's script runs; on a few early ones, collect once and freeze what survives."""
    global _runs, freezes
    with _lock:
        _runs += 1
        due = _runs in FREEZE_RUNS
    if due and os.environ.get(DISABLE_ENV, "") not in ("1", "true"):
        gc.collect()
        gc.freeze()
        freezes += 1
