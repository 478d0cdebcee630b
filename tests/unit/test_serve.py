"""lib/serve.py: cold pages run one at a time, warm pages never wait; a few early runs freeze the heap."""
import gc
import importlib
import threading

import pytest

from lib import serve


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.delenv(serve.NO_COLD_LOCK_ENV, raising=False)
    monkeypatch.delenv(serve.DISABLE_ENV, raising=False)
    mod = importlib.reload(serve)
    yield mod
    gc.unfreeze()
    importlib.reload(serve)


def _holding(context, inside, release):
    """A thread inside `context()` (a context manager factory) until `release` is set."""
    def run():
        with context():
            inside.set()
            release.wait(30)
    t = threading.Thread(target=run)
    t.start()
    assert inside.wait(30)
    return t


def _holder(mod, page, inside, release):
    return _holding(lambda: mod.cold_start(page), inside, release)


def test_a_cold_page_waits_for_another_cold_page(fresh):
    inside, release = threading.Event(), threading.Event()
    t = _holder(fresh, "a", inside, release)
    second = threading.Event()
    u = threading.Thread(target=lambda: fresh.cold_start("b").__enter__() or second.set())
    u.start()
    assert not second.wait(0.3), "a second cold page ran while the first was still cold"
    release.set()
    t.join(30)
    assert second.wait(30)
    u.join(30)


def test_a_warm_page_never_waits(fresh):
    with fresh.cold_start("warm"):
        pass
    inside, release = threading.Event(), threading.Event()
    t = _holder(fresh, "cold", inside, release)
    ran = threading.Event()
    u = threading.Thread(target=lambda: [ran.set() for _ in [fresh.cold_start("warm").__enter__()]])
    u.start()
    assert ran.wait(30), "a warm page waited for a cold one"
    release.set()
    t.join(30)
    u.join(30)


def test_a_run_that_fails_leaves_the_page_cold(fresh):
    with pytest.raises(RuntimeError):
        with fresh.cold_start("p"):
            raise RuntimeError("boom")
    assert "p" not in fresh._warm
    with fresh.cold_start("p"):
        pass
    assert "p" in fresh._warm


def test_freezes_on_early_runs_only(fresh):
    for _ in range(300):
        fresh.after_run()
    assert fresh.freezes == len(fresh.FREEZE_RUNS) == 9


def test_freezing_can_be_switched_off(fresh, monkeypatch):
    monkeypatch.setenv(fresh.DISABLE_ENV, "1")
    for _ in range(10):
        fresh.after_run()
    assert fresh.freezes == 0


def _second_computation(mod, held: bool, message: str) -> None:
    """While one thread holds computing(), another tries to enter: it waits when `held` is expected, else not."""
    inside, release = threading.Event(), threading.Event()
    t = _holding(mod.computing, inside, release)
    entered = threading.Event()

    def other():
        with mod.computing():
            entered.set()
    u = threading.Thread(target=other)
    u.start()
    if held:
        assert not entered.wait(0.3), message
    else:
        assert entered.wait(30), message
    release.set()
    t.join(30)
    assert entered.wait(30)
    u.join(30)


def test_lesson_computations_run_one_at_a_time(fresh, monkeypatch):
    monkeypatch.delenv(fresh.NO_COMPUTE_LOCK_ENV, raising=False)
    _second_computation(fresh, True, "a second computation ran while the first held the lock")


def test_a_computation_may_compute_another(fresh):
    with fresh.computing():
        with fresh.computing():  # re-entrant: no deadlock
            pass


def test_the_compute_lock_can_be_switched_off(fresh, monkeypatch):
    monkeypatch.setenv(fresh.NO_COMPUTE_LOCK_ENV, "1")
    _second_computation(fresh, False, "with the lock off, computations should run side by side")


def test_a_warm_up_runs_once_after_the_run_in_the_background_and_waits_for_cold_pages(fresh):
    ran, started = [], threading.Event()

    def work():
        ran.append(threading.current_thread().name)
        started.set()

    fresh.warm_up_later("x", work)
    fresh.warm_up_later("x", work)  # asked twice in a process: runs once
    assert ran == []                 # nothing before the run has ended
    inside, release = threading.Event(), threading.Event()
    holder = _holder(fresh, "cold page", inside, release)
    fresh.after_run()
    assert not started.wait(0.3)     # a cold page holds the import lock: the warm-up waits for it
    release.set()
    holder.join(30)
    assert started.wait(30) and ran == ["ufm-warm-up"]
    fresh.after_run()
    fresh.warm_up_later("x", work)
    fresh.after_run()
    assert ran == ["ufm-warm-up"]


def test_a_failing_warm_up_is_harmless(fresh):
    done = threading.Event()

    def boom():
        done.set()
        raise RuntimeError("no")

    fresh.warm_up_later("boom", boom)
    fresh.after_run()
    assert done.wait(30)
    with fresh.cold_start("next page"):  # the lock was released
        pass


def test_the_training_warm_up_imports_what_the_first_optimizer_needs():
    import subprocess
    import sys

    code = ("import sys, torch; from lib.train import loop; assert 'torch._dynamo' not in sys.modules; "
            "loop.warm_up(); print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=str(__import__("lib.paths", fromlist=["ROOT"]).ROOT))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "True"



def _run_python(code: str, timeout: float = 600):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          cwd=str(__import__("lib.paths", fromlist=["ROOT"]).ROOT))


def test_a_process_that_ends_during_a_warm_up_waits_for_it_and_exits_cleanly():
    """A daemon warm-up thread inside a torch call when Python finalises is made to exit through a C++ frame that
    cannot unwind: 'terminate called without an active exception', exit status 134. The pytest process did that
    at random (a page's warm-up still tokenizing at the end of the app tests). The process now waits for its
    warm-ups at exit, then exits."""
    out = _run_python("import torch; from lib import serve\n"
                      "def work():\n"
                      "    a = torch.randn(200, 200)\n"
                      "    for _ in range(3000):\n"
                      "        a = torch.tanh(a @ a)\n"
                      "    print('warm-up finished', flush=True)\n"
                      "serve.warm_up_later('busy', work)\n"
                      "serve.after_run()\n"
                      "print('main done', flush=True)\n")
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert out.stdout.split() == ["main", "done", "warm-up", "finished"]


def test_a_warm_up_that_hangs_does_not_hold_the_process_past_the_bound():
    out = _run_python("import time; from lib import serve\n"
                      "serve.EXIT_WAIT_S = 0.5\n"
                      "serve.warm_up_later('stuck', lambda: time.sleep(3600))\n"
                      "serve.after_run()\n"
                      "print('main done', flush=True)\n",
                      timeout=300)  # the bound is 0.5 s; without it the process would sleep an hour (TimeoutExpired)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert out.stdout.split() == ["main", "done"]
