"""Server-wide policy, once per process: cold pages run one at a time, and garbage collection. app.py runs each
page inside `cold_start(page)` and calls `after_run()` at the end of every script run; both cost a set lookup or a
counter increment once the process is warm.

Cold pages one at a time (issue 12): sessions run in threads of one process, and a page's first run in a process
imports its heavy modules (torch, transformers, pandas, altair) and loads its models. Two threads importing
overlapping modules at once can meet in Python's import machinery (its per-module locks detect the cross-thread
cycle and hand one thread a partly initialised module): on a fresh server, ten sessions opening different pages at
once got "ImportError: cannot import name 'TemperatureLogitsWarper' from 'transformers'" on the post-training page.
So until a page has once run to its end in this process, its runs hold one process-wide lock; warm pages never
take it (their imports are done, their models cached).

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

import atexit
import gc
import os
import threading
import time
from contextlib import contextmanager

FREEZE_RUNS = frozenset(2 ** k for k in range(9))  # 1, 2, 4, ..., 256
DISABLE_ENV = "UFM_NO_GC_FREEZE"                  # set to 1 to compare against the plain collector
NO_COLD_LOCK_ENV = "UFM_NO_COLD_START_LOCK"       # set to 1 to let cold pages import side by side (the bug above)

NO_COMPUTE_LOCK_ENV = "UFM_NO_COMPUTE_LOCK"       # set to 1 to let lesson computations run side by side

_lock = threading.Lock()
_compute = threading.RLock()
_cold = threading.RLock()
_warm: set[str] = set()
_runs = 0
freezes = 0
_pending: list = []           # warm-ups asked for during this run, started by after_run
_asked: set[str] = set()      # every warm-up asked for in this process (each runs once)
_started: list = []           # warm-up threads started, waited for at exit (up to EXIT_WAIT_S seconds)
EXIT_WAIT_S = 120.0


@contextmanager
def computing():
    """Hold while computing a lesson result that no session has computed yet (ui.memo's misses): one at a time.

    Thirty sessions drawing samples with thirty new seeds at once cannot compute faster side by side: the GIL lets
    one thread run Python at a time, and every torch operation hands the GIL over, so thirty threads mostly pass it
    around. Measured on the sampling page (a new seed, 30 sessions at once): 0.23 s of server CPU per run side by
    side, 0.12 s alone. A thread waiting on this lock does not compete for the GIL, so the queue costs what the work
    costs. Re-entrant: a computation may compute another."""
    if os.environ.get(NO_COMPUTE_LOCK_ENV, "") in ("1", "true"):
        yield
        return
    with _compute:
        yield


@contextmanager
def cold_start(page: str):
    """Run a page; while it has never run to its end in this process, one cold page at a time."""
    if page in _warm or os.environ.get(NO_COLD_LOCK_ENV, "") in ("1", "true"):
        yield
        return
    with _cold:
        yield
        _warm.add(page)  # not reached when the run raised or was stopped: the next run is still cold


def warm_up_later(name: str, fn) -> None:
    """Run `fn` once per process, in a background thread that starts when the current script run has ended (at
    after_run), holding the cold-start lock (its imports must not meet a cold page's). For one-off costs a page
    would otherwise pay on a button press: the first torch optimizer of a process imports torch._dynamo (about 800
    modules, 1.0-1.4 s), which the first "train" click on the transfer-learning or post-training page paid; the live
    DPO run's preference pairs (5-6 s, once per server)."""
    with _lock:
        if name in _asked:
            return
        _asked.add(name)
        _pending.append(fn)


def _wait_for_warm_ups() -> None:
    """At exit, give running warm-ups up to EXIT_WAIT_S seconds to finish. A daemon thread still inside a torch or
    tokenizer call when Python finalises is made to exit through a C++ frame that cannot unwind ("terminate called
    without an active exception", exit status 134): the test process did that at random, and a stopped server would
    too. Waiting here (atexit runs before finalisation) avoids it; the bound keeps a warm-up that hangs from holding
    the process forever, which a non-daemon thread would."""
    deadline = time.monotonic() + EXIT_WAIT_S
    for t in list(_started):
        t.join(max(0.0, deadline - time.monotonic()))


def _run_warm_up(fn) -> None:
    try:
        with _cold:
            fn()
    except Exception:  # noqa: BLE001 - a warm-up that fails costs nothing: the button pays as before
        pass


def after_run() -> None:
    """Count the process's script runs; on a few early ones, collect once and freeze what survives. Start the
    warm-ups the run asked for."""
    global _runs, freezes
    with _lock:
        _runs += 1
        due = _runs in FREEZE_RUNS
        warmups, _pending[:] = list(_pending), []
    for fn in warmups:
        t = threading.Thread(target=_run_warm_up, args=(fn,), name="ufm-warm-up", daemon=True)
        with _lock:
            if not _started:
                atexit.register(_wait_for_warm_ups)
            _started.append(t)
        t.start()
    if due and os.environ.get(DISABLE_ENV, "") not in ("1", "true"):
        gc.collect()
        gc.freeze()
        freezes += 1
