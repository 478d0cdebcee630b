"""Benchmark: start-up, every interaction, in-browser latency and memory. Not part of the pass/fail test run.

    .venv/bin/python -m tests.bench            # everything; prints a table, writes artifacts/bench.json
    .venv/bin/python -m tests.bench --quick    # fewer repetitions
    .venv/bin/python -m tests.bench --class    # the class: 30 protocol sessions per page, against hello world
    .venv/bin/python -m tests.bench --class --gc both --soak 2000 --replicas 2    # issue 12's figures, all of them
    .venv/bin/python -m tests.bench --live     # the live buttons: transfer learning (N = 16-256), DPO, seq2seq

The class sections (tests/classbench.py) run only when asked for, and merge their figures into artifacts/bench.json
under "class", "soak" and "replicas".

What it measures (issue 7):
- start-up: `streamlit run app.py` until the home page is drawn in headless Chromium, against a one-line hello-world
  app, several times each, in the same run;
- every interaction: an AppTest tour through app.py that visits every registered page and changes each of its main
  widgets, timing each rerun (median and p95 per page), against an empty page's rerun; buttons labelled train /
  evaluate / run are timed separately;
- in the browser: for a few widgets per page, from the change to `data-test-script-state="notRunning"`;
- memory: the server's resident memory after the browser tour, and its growth when 10 more sessions open the
  heaviest page.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from lib import site
from tests.apptest import open_page
from tests.browser.server import (CHARTS_DRAWN, CHROMIUM_ARGS, DONE, ROOT, chromium_path, streamlit_server,
                                  wait_done)

OUT = ROOT / "artifacts" / "bench.json"
HEAVY_BUTTON_WORDS = ("train", "evaluat", "run dpo", "re-evaluate")
SKIP_KEYS_PREFIX = ("quiz_",)
SIDEBAR_KEYS = ("projector", "model_source")  # shared sidebar, not a page's own widgets


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


# -------------------------------------------------------------------------------------------------- start-up
def _wait_drawn(page, ours: bool, timeout_ms: int = 600_000) -> None:
    """The page is drawn: a title, the script finished and, for our app, its scripts in and every chart drawn. No
    fixed pause (a pause added to both sides would pull the ratio towards 1). wait_done is not for hello world: it
    waits on our app's own script (window.__ufmSidebar), which a one-line app never sets."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    if ours:
        page.wait_for_function("() => window.__ufmSidebar === true", timeout=timeout_ms)
        page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)


def startup(browser, script: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with streamlit_server(script) as (base, _proc):
            ctx = browser.new_context(viewport={"width": 1280, "height": 720})
            page = ctx.new_page()
            page.goto(base)
            _wait_drawn(page, ours=script.resolve() == (ROOT / "app.py").resolve())
            times.append(time.perf_counter() - t0)
            ctx.close()
    return times


# ----------------------------------------------------------------------------------------------- AppTest tour
def _new_value(w):
    """A different valid value for a widget, or None when there is nothing to change."""
    kind = type(w).__name__
    if kind == "Selectbox":  # options are the formatted labels: choose by index
        if len(w.options) < 2:
            return None
        return ("index", 1 if (w.index or 0) == 0 else 0)
    if kind == "Radio":  # AppTest sets a radio by value; labels are values only without a format_func
        if len(w.options) < 2 or w.value is None or str(w.format_func(w.value)) != str(w.value):
            return None
        return next(o for o in w.options if o != str(w.value))
    if kind == "SelectSlider":
        opts = list(w.options)
        for o in opts:
            if str(o) != str(w.value):
                return o
        return None
    if kind == "Slider":
        lo, hi, v = w.min, w.max, w.value
        if isinstance(v, (tuple, list)):
            return None
        step = w.step or 1
        nv = v + step if v + step <= hi else v - step
        return type(v)(nv) if not isinstance(v, float) else round(nv, 6)
    if kind in ("Checkbox", "Toggle"):
        return not w.value
    if kind == "NumberInput":
        step = w.step or 1
        nv = (w.value or 0) + step
        if w.max is not None and nv > w.max:
            nv = (w.value or 0) - step
        return nv
    if kind == "Multiselect":
        opts = list(w.options)
        cur = list(w.value)
        return cur[:-1] if len(cur) > 1 else (opts[:2] if len(opts) > 1 else None)
    if kind in ("TextInput", "TextArea"):
        return (w.value or "") + " the"
    return None


def _extremes(w) -> list:
    """A widget's extreme values: min and max of a slider or number box, first and last option of a choice, both
    states of a checkbox (issue 12: reruns timed with every widget at its extremes). Empty when AppTest cannot set it."""
    kind = type(w).__name__
    if kind == "Selectbox":
        n = len(w.options)
        return [("index", 0), ("index", n - 1)] if n > 1 else []
    if kind == "Radio":
        if len(w.options) < 2 or w.value is None or str(w.format_func(w.value)) != str(w.value):
            return []
        return [w.options[0], w.options[-1]]
    if kind == "SelectSlider":
        opts = list(w.options)
        return [opts[0], opts[-1]] if len(opts) > 1 else []
    if kind == "Slider":
        if isinstance(w.value, (tuple, list)):
            return [(w.min, w.min), (w.min, w.max)]
        return [w.min, w.max]
    if kind in ("Checkbox", "Toggle"):
        return [not w.value, w.value]
    if kind == "NumberInput":
        return [v for v in (w.min, w.max) if v is not None]
    if kind == "Multiselect":
        opts = list(w.options)
        return [opts[:1], opts] if opts else []
    return []


WIDGET_KINDS = ("selectbox", "radio", "select_slider", "slider", "checkbox", "toggle", "number_input",
                "multiselect", "text_input", "text_area")


def _page_widgets(current):
    """(kind, key, widget) for each of the page's own enabled, keyed widgets (quizzes and the sidebar left out), each
    looked up afresh by key in `current()`, the AppTest now in use (a rerun, or a reopened page, replaces the widget
    objects)."""
    for kind in WIDGET_KINDS:
        for w in list(getattr(current(), kind)):
            key = getattr(w, "key", None)
            if key is None or str(key).startswith(SKIP_KEYS_PREFIX) or key in SIDEBAR_KEYS:
                continue
            if getattr(w, "disabled", False):
                continue
            try:
                yield kind, key, getattr(current(), kind)(key=key)
            except KeyError:
                continue


def tour(repeats: int, only: list[str] | None = None) -> dict:
    """Change every main widget of every page `repeats` times through AppTest; time each rerun. Before that, set
    every widget to its extremes (min and max, first and last option) `repeats` times, timed apart. `only`: url
    paths ("home" for the home page) to tour just those pages."""
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:  # the empty page: what any rerun costs in AppTest
        empty = Path(tmp) / "empty.py"
        empty.write_text("import streamlit as st\nst.title('empty')\nst.slider('x', 0, 10, key='x')\n")
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(empty)).run()
        base = []
        for i in range(max(20, repeats * 5)):
            t0 = time.perf_counter()
            at.slider(key="x").set_value(i % 10).run()
            base.append(time.perf_counter() - t0)
    results["(empty page)"] = {"median_ms": statistics.median(base) * 1000, "p95_ms": pct(base, 95) * 1000,
                               "n": len(base)}
    for info in [site.HOME, *site.PAGES]:
        if only and info.url_path not in only and not (info is site.HOME and "home" in only):
            continue
        at = open_page(info.path)
        times, heavy, changed, skipped = [], {}, [], []
        ext_times, ext_slowest = [], {}
        for _ in range(repeats):  # every widget at its min and max (first and last option), one after another
            for kind, key, start in _page_widgets(lambda: at):
                for value in _extremes(start):
                    try:
                        widget = getattr(at, kind)(key=key)
                    except KeyError:
                        break
                    t0 = time.perf_counter()
                    try:
                        if isinstance(value, tuple) and len(value) == 2 and value[0] == "index":
                            widget.select_index(value[1]).run()
                        else:
                            widget.set_value(value).run()
                    except ValueError as exc:
                        skipped.append(f"{key} extreme: {exc}")
                        at = open_page(info.path)
                        break
                    dt = time.perf_counter() - t0
                    ext_times.append(dt)
                    ext_slowest[key] = max(ext_slowest.get(key, 0.0), dt * 1000)
                    if at.exception:
                        raise RuntimeError(f"{info.path}: exception with {key}={value!r}: {at.exception}")
        for _ in range(repeats):
            for kind, key, widget in _page_widgets(lambda: at):
                value = _new_value(widget)
                if value is None:
                    continue
                t0 = time.perf_counter()
                try:
                    if isinstance(value, tuple) and value[0] == "index":
                        widget.select_index(value[1]).run()
                    else:
                        widget.set_value(value).run()
                except ValueError as exc:  # AppTest cannot drive some format_func widgets; say so, go on
                    skipped.append(f"{key}: {exc}")
                    at = open_page(info.path)
                    continue
                times.append(time.perf_counter() - t0)
                changed.append(key)
                if at.exception:
                    raise RuntimeError(f"{info.path}: exception after changing {key}: {at.exception}")
        for b in list(at.button):
            if b.disabled:  # e.g. the lecture's "previous" on its first slide: nobody can press it
                continue
            label = str(b.label).lower()
            t0 = time.perf_counter()
            b.click().run()
            dt = time.perf_counter() - t0
            if any(word in label for word in HEAVY_BUTTON_WORDS):
                heavy[b.label] = dt
            else:
                times.append(dt)
                changed.append(f"button:{b.label}")
        results[info.title] = {"median_ms": statistics.median(times) * 1000 if times else None,
                               "p95_ms": pct(times, 95) * 1000 if times else None, "n": len(times),
                               "widgets": sorted(set(changed)), "heavy_buttons_s": heavy,
                               "not_driven": skipped,
                               "extremes_median_ms": statistics.median(ext_times) * 1000 if ext_times else None,
                               "extremes_p95_ms": pct(ext_times, 95) * 1000 if ext_times else None,
                               "extremes_n": len(ext_times),
                               "extremes_slowest_ms": dict(sorted(ext_slowest.items(), key=lambda kv: -kv[1])[:3])}
        print(f"tour {info.title}: median {results[info.title]['median_ms'] or 0:.0f} ms; extremes median "
              f"{results[info.title]['extremes_median_ms'] or 0:.0f} ms, p95 {results[info.title]['extremes_p95_ms'] or 0:.0f}"
              f" ms (n={len(ext_times)}), slowest {results[info.title]['extremes_slowest_ms']}", flush=True)
    return results


# ------------------------------------------------------------------------------------------------ in browser
_OBSERVER = """() => {
  // poll the script state every 2 ms and keep its changes with their times (a MutationObserver misses them)
  if (window.__poll) clearInterval(window.__poll);
  window.__states = [];
  let last = null;
  window.__poll = setInterval(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const s = app ? app.getAttribute('data-test-script-state') : null;
    if (s !== last) { window.__states.push([s, performance.now()]); last = s; }
  }, 2);
}"""


def _time_action(page, action) -> float:
    page.evaluate(_OBSERVER)
    t0 = page.evaluate("performance.now()")
    action()
    page.wait_for_function("(t0) => window.__states.some(s => s[0] === 'running' && s[1] >= t0)", arg=t0,
                           timeout=30_000)
    page.wait_for_function("(t0) => { const r = window.__states.filter(s => s[1] >= t0);"
                           " return r.length && r[r.length - 1][0] === 'notRunning'; }", arg=t0, timeout=120_000)
    t1 = max(s[1] for s in page.evaluate("window.__states") if s[0] == "notRunning")
    return (t1 - t0) / 1000


def browser_tour(browser, base: str, per_page: int) -> dict:
    out = {}
    for info in [site.HOME, *site.PAGES]:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        try:
            page.goto(f"{base}/{'' if info is site.HOME else info.url_path}")
            wait_done(page)
        except Exception as exc:  # noqa: BLE001 - a page that did not load is reported, the tour goes on
            out[info.title] = {"median_ms": None, "max_ms": None, "n": 0, "error": str(exc)[:200]}
            ctx.close()
            continue
        times = []
        sliders = page.locator('[data-testid="stSlider"] [role="slider"], [data-testid="stSlider"] input[type="range"]')
        for i in range(min(per_page, sliders.count())):
            handle = sliders.nth(i)
            try:
                handle.focus()
                times.append(_time_action(page, lambda: page.keyboard.press("ArrowRight")))
            except Exception:  # noqa: BLE001 - a widget that did not rerun is reported, not fatal
                pass
        boxes = page.locator('[data-testid="stSelectbox"]')
        for i in range(min(per_page, boxes.count())):
            try:
                boxes.nth(i).click()
                opts = page.locator('[role="option"]')
                opts.nth(1).wait_for(timeout=5000)
                times.append(_time_action(page, lambda: opts.nth(1).click()))
            except Exception:  # noqa: BLE001
                page.keyboard.press("Escape")
        out[info.title] = {"median_ms": statistics.median(times) * 1000 if times else None,
                           "max_ms": max(times) * 1000 if times else None, "n": len(times)}
        ctx.close()
    return out


def memory(browser, base: str, proc, extra_sessions: int) -> dict:
    rss = {"start_mb": rss_mb(proc.pid)}
    growth = {}
    for info in [site.HOME, *site.PAGES]:
        before = rss_mb(proc.pid)
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(f"{base}/{'' if info is site.HOME else info.url_path}")
        wait_done(page)
        ctx.close()
        growth[info.title] = rss_mb(proc.pid) - before
    rss["after_tour_mb"] = rss_mb(proc.pid)
    heaviest = max([site.HOME, *site.PAGES], key=lambda i: growth[i.title])
    before = rss_mb(proc.pid)
    contexts = []
    for _ in range(extra_sessions):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(f"{base}/{'' if heaviest is site.HOME else heaviest.url_path}")
        wait_done(page)
        contexts.append(ctx)
    after = rss_mb(proc.pid)
    for ctx in contexts:
        ctx.close()
    rss.update(heaviest_page=heaviest.title, per_page_first_visit_mb=growth,
               extra_sessions=extra_sessions, per_extra_session_mb=(after - before) / max(1, extra_sessions),
               with_extra_sessions_mb=after)
    return rss


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.bench")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--skip", nargs="*", default=[], choices=["startup", "tour", "browser", "memory"])
    ap.add_argument("--class", dest="klass", action="store_true",
                    help="the class: N protocol sessions open each page at once, then rerun (tests/classbench.py)")
    ap.add_argument("--sessions", type=int, default=30, help="sessions of the class (default 30)")
    ap.add_argument("--pages", nargs="*", default=None,
                    help="url paths for --class and the AppTest tour (default: every page; 'home')")
    ap.add_argument("--gc", choices=["after", "before", "both"], default="after",
                    help="the server's GC policy for --class: this repo's (after), Streamlit's default (before)")
    ap.add_argument("--soak", type=int, default=0, metavar="RUNS", help="memory soak of RUNS page runs")
    ap.add_argument("--replicas", type=int, default=0, metavar="K",
                    help="the class on the sampling page against K replicas behind nginx, and against one")
    ap.add_argument("--quiz", action="store_true",
                    help="a quiz answer (a fragment run) against a whole-page rerun, server CPU per run, per page")
    ap.add_argument("--profile", action="store_true", help="py-spy the live server while each page reruns")
    ap.add_argument("--live", action="store_true",
                    help="the live training runs, each the first click of a fresh process (as after a page load)")
    args = ap.parse_args()
    if args.live:
        report = {"machine": _machine(), "live": live_bench(2 if args.quick else 3)}
        report["live"]["when"] = time.strftime("%Y-%m-%d %H:%M")
        for key, row in report["live"]["runs"].items():
            print(f"{key:28s} median {row['median_s']:.2f} s  runs {row['runs']}  {row.get('parts', '')}")
        return _save(report, "live")
    if args.quiz:
        report = {"machine": _machine(), "quiz": quiz_bench(pages=args.pages)}
        report["quiz"]["when"] = time.strftime("%Y-%m-%d %H:%M")
        return _save(report, "quiz")
    if args.klass or args.soak or args.replicas or args.profile:
        return class_main(args)
    runs, repeats = (2, 1) if args.quick else (5, 3)
    report: dict = {"machine": _machine(), "when": time.strftime("%Y-%m-%d %H:%M")}
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS) if path else None
        if "startup" not in args.skip and browser:
            with tempfile.TemporaryDirectory() as tmp:
                hello = Path(tmp) / "hello.py"
                hello.write_text("import streamlit as st\nst.title('Hello world')\n")
                app_t, hello_t = [], []
                for _ in range(runs):  # interleaved, so a busy moment hits both
                    hello_t += startup(browser, hello, 1)
                    app_t += startup(browser, ROOT / "app.py", 1)
            report["startup"] = {"app_s": statistics.median(app_t), "hello_s": statistics.median(hello_t),
                                 "ratio": statistics.median(app_t) / statistics.median(hello_t),
                                 "app_runs": app_t, "hello_runs": hello_t}
        if "tour" not in args.skip:
            report["tour"] = tour(repeats, args.pages)
        if browser and not ({"browser", "memory"} <= set(args.skip)):
            with streamlit_server() as (base, proc):
                if "browser" not in args.skip:
                    report["browser"] = browser_tour(browser, base, per_page=2 if args.quick else 3)
                if "memory" not in args.skip:
                    report["memory"] = memory(browser, base, proc, extra_sessions=10)
        if browser:
            browser.close()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    kept = json.loads(OUT.read_text()) if OUT.exists() else {}  # the class sections and those skipped stay
    kept.update(report)
    OUT.write_text(json.dumps(kept, indent=2, default=str))
    print_table(report)
    print(f"\nwritten to {OUT}")


# What a page's first click runs, in a fresh process: the model loaded through the registry (one torch thread, as
# served), the background warm-up the page starts once it is drawn (serve.warm_up_later: torch's first optimizer;
# for DPO also the preference pairs, ui.warm_up_memo), then the click's work, timed. Prints one JSON line.
_LIVE_SCRIPT = r"""
import json, sys, time
from lib.models import registry
from lib.train import loop
kind, arg = sys.argv[1], int(sys.argv[2])
if kind in ("transfer", "dpo"):
    loop.warm_up()   # ui.warm_up_training on both training pages
if kind == "transfer":
    from lib.lessons import transfer_learning as tl
    lm, report = registry.load("char_lstm"), tl.load_report()
    t = time.perf_counter()
    run, cached = tl.live_run_shared(lm, report, arg, 0, "as fixed on validation", lambda m, s, n: None)
    print(json.dumps({"s": time.perf_counter() - t, "parts": run.seconds, "cached": cached}))
elif kind == "seq2seq":
    from lib.lessons import seq2seq_bottleneck as s2s
    for m in s2s.ALL:
        registry.load(m)   # the page has drawn its report figures with the models loaded
    s2s.prepare_re_evaluation()   # ... and started this warm-up (ui.warm_up)
    t = time.perf_counter()
    s2s.re_evaluate_of(arg, 7, lambda f, msg: None)   # the page's default seed
    print(json.dumps({"s": time.perf_counter() - t, "parts": {}}))
else:
    from lib.lessons import post_training as pt
    settings = pt.live_settings(0.1, arg, 1e-3, True)   # the page's defaults (app_pages/post_training.py)
    inputs = pt.live_inputs(settings.scope)
    t = time.perf_counter()
    run = pt.run_live_dpo(inputs, settings, lambda step, metrics: None)
    print(json.dumps({"s": time.perf_counter() - t, "parts": {"dpo_and_probe": round(run.seconds, 3)}}))
"""


def live_bench(repeats: int = 3) -> dict:
    """Issue 12/13's live targets: "Train all three" on the transfer-learning page at N = 16-256 (seed 0, the
    validated recipes), "Run DPO" at the post-training page's defaults (30 steps) and the seq2seq page's
    re-evaluation (its default 300 sentences and the largest sample, 600), each as the first click of a fresh server
    process whose page has been drawn; median of `repeats` processes."""
    import subprocess
    import sys

    runs: dict = {}
    jobs = [("transfer", n) for n in (16, 32, 64, 128, 256)] + [("dpo", 30), ("seq2seq", 300), ("seq2seq", 600)]
    for kind, arg in jobs:
        times, parts = [], None
        for _ in range(repeats):
            out = subprocess.run([sys.executable, "-c", _LIVE_SCRIPT, kind, str(arg)], cwd=ROOT, check=True,
                                 capture_output=True, text=True, env={**__import__("os").environ,
                                                                      "HF_HUB_OFFLINE": "1"}).stdout
            row = json.loads(out.strip().splitlines()[-1])
            times.append(round(row["s"], 3))
            parts = row["parts"]
        key = {"transfer": f"transfer N={arg}", "dpo": f"DPO, {arg} steps",
               "seq2seq": f"seq2seq re-evaluation, {arg} sentences"}[kind]
        runs[key] = {"median_s": statistics.median(times), "runs": times, "parts": parts}
    return {"runs": runs, "repeats": repeats}


def _machine() -> dict:
    return {"cores": __import__("os").cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def _save(report: dict, key: str) -> None:
    """Merge one section into artifacts/bench.json as it is now (another section may have been written meanwhile)."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    now = json.loads(OUT.read_text()) if OUT.exists() else {}
    now[key] = report[key]
    now["machine"] = report["machine"]
    OUT.write_text(json.dumps(now, indent=2, default=str))


def quiz_bench(runs: int = 10, pages: list[str] | None = None) -> dict:
    """A quiz answer against a whole-page rerun, per page, over Streamlit's protocol on a live server: server CPU
    per run and latency. Before issue 12 a quiz answer was a whole-page rerun; now ui.quiz is a fragment."""
    import asyncio

    from tests.protocol import Session, server_stats

    out = {}
    with streamlit_server() as (base, proc):
        for info in [site.HOME, *site.PAGES]:
            path = "" if info is site.HOME else info.url_path
            if pages and path not in pages and not (info is site.HOME and "home" in pages):
                continue

            async def go():
                async with Session(base, path, "") as s:
                    await s.run()
                    await s.run()  # warm: cold imports and model loads are not a quiz answer's cost
                    radio = next(p for k, p, _ in s.ordered() if k == "radio" and p.label.startswith("1. "))
                    frag = s.fragment_of(radio.id)
                    res = {}
                    for name, fn in (("answer", lambda i: s.set(radio, i % 2)), ("page_rerun", lambda i: s.run())):
                        lat = []
                        c0 = server_stats(proc.pid)[0]
                        for i in range(runs):
                            lat.append((await fn(i)).seconds)
                        res[name] = {"cpu_s_per_run": (server_stats(proc.pid)[0] - c0) / runs,
                                     "p50_s": statistics.median(lat)}
                    res["answer_is_fragment_run"] = bool(frag)
                    return res

            out[info.title] = r = asyncio.run(go())
            print(f"quiz {info.title:34} answer cpu {r['answer']['cpu_s_per_run']:.3f} s p50 {r['answer']['p50_s']:.3f}"
                  f" s | whole-page rerun cpu {r['page_rerun']['cpu_s_per_run']:.3f} s p50 "
                  f"{r['page_rerun']['p50_s']:.3f} s | fragment run: {r['answer_is_fragment_run']}", flush=True)
    return out


def class_main(args) -> None:
    from tests import classbench

    report = json.loads(OUT.read_text()) if OUT.exists() else {}
    report["machine"] = _machine()
    if args.klass:
        report.setdefault("class", {})
        for mode in (["before", "after"] if args.gc == "both" else [args.gc]):
            print(f"\nclass of {args.sessions} sessions, GC policy: {mode}", flush=True)
            report["class"][mode] = classbench.class_bench(args.sessions, args.pages, mode)
            report["class"][mode]["when"] = time.strftime("%Y-%m-%d %H:%M")
            _save(report, "class")
    if args.soak:
        print(f"\nsoak: {args.soak} page runs", flush=True)
        report["soak"] = s = classbench.soak(args.soak)
        print(f"soak: rss {s['rss_after_warmup_mb']:.0f} MB after warm-up, {s['rss_end_mb']:.0f} MB after "
              f"{s['runs']} runs ({s['growth_pct']:+.1f}%, target within 10%); peak {s['peak_mb']:.0f} MB; "
              f"{s['cpu_s_per_run']:.3f} s CPU per run", flush=True)
        _save(report, "soak")
    if args.profile:
        report["profile"] = prof = classbench.profile(pages=args.pages)
        for page, v in prof.items():
            print(f"\n{page}: {v['cpu_s_per_run']:.3f} s CPU per run, {v['samples']} samples; self time:")
            for f, share in v["self"]:
                print(f"  {share:6.1%}  {f}")
        _save(report, "profile")
    if args.replicas:
        print(f"\nreplicas: {args.replicas} behind nginx against one", flush=True)
        report["replicas"] = r = classbench.replicas_bench(args.sessions, args.replicas)
        one, many = r["one_replica"], r[f"{args.replicas}_replicas_nginx"]
        print(f"one replica {one['runs_per_s']:.1f} runs/s (first-load p95 {one['first_load_p95_s']:.2f} s); "
              f"{args.replicas} behind nginx {many['runs_per_s']:.1f} runs/s (p95 {many['first_load_p95_s']:.2f} s): "
              f"{r['speedup']:.2f}x; CPU s by replica {[round(c, 1) for c in many['cpu_s_by_replica']]}", flush=True)
        _save(report, "replicas")
    print(f"\nwritten to {OUT}")


def print_table(r: dict) -> None:
    m = r["machine"]
    print(f"machine: {m['cores']} cores, Python {m['python']}")
    if s := r.get("startup"):
        print(f"\nstart-up to home page drawn in Chromium (median of {len(s['app_runs'])}): app {s['app_s']:.2f} s,"
              f" hello world {s['hello_s']:.2f} s, ratio {s['ratio']:.2f}x  (target <= 1.5x)")
    if t := r.get("tour"):
        empty = t["(empty page)"]["median_ms"]
        print(f"\nreruns through AppTest (empty page: median {empty:.0f} ms)")
        print(f"{'page':34} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'x empty':>8} {'extremes med/p95':>17}"
              "  heavy buttons")
        for name, v in t.items():
            if name == "(empty page)" or v["median_ms"] is None:
                continue
            heavy = ", ".join(f"{k}: {s:.1f} s" for k, s in v["heavy_buttons_s"].items())
            print(f"{name:34} {v['n']:>4} {v['median_ms']:>10.0f} {v['p95_ms']:>8.0f} "
                  f"{v['median_ms'] / empty:>7.1f}x {v.get('extremes_median_ms') or 0:>8.0f} /"
                  f"{v.get('extremes_p95_ms') or 0:>6.0f}  {heavy}")
    if b := r.get("browser"):
        print("\nin the browser: widget change to script finished")
        for name, v in b.items():
            if v["median_ms"] is not None:
                print(f"{name:34} {v['n']:>4} median {v['median_ms']:>6.0f} ms   max {v['max_ms']:>6.0f} ms")
    if mem := r.get("memory"):
        print(f"\nmemory: server at start {mem['start_mb']:.0f} MB, after visiting every page "
              f"{mem['after_tour_mb']:.0f} MB (target < 700 MB); {mem['extra_sessions']} more sessions on "
              f"'{mem['heaviest_page']}': {mem['per_extra_session_mb']:+.1f} MB each (target < 10 MB)")


if __name__ == "__main__":
    main()
