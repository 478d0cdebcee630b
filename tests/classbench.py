"""The class benchmark (issue 12), run by `python -m tests.bench --class` (see tests/bench.py for the flags).

N sessions (default 30) speak Streamlit's own protocol (tests/protocol.py, no browser), all open one page at once
(each with its own seed where the page has one), then each reruns: the whole page (what any widget outside a
fragment costs), and on the sampling page also the Seed box (a fragment rerun, as a browser sends it). For every
page, and for a hello-world app in the same run:
- server CPU seconds per page run: user+system time of the server process from /proc/<pid>/stat, before and after
  a phase, divided by the runs of that phase;
- latency p50/p95 of the first loads and of the reruns (from sending the BackMsg to `script_finished`);
- resident memory before the page's phase, its peak (polled every 0.1 s), and after the sessions closed and their
  state expired.
`--soak N`: N page runs across every page by 10 sessions; memory after the warm-up against the end.
`--replicas 2`: the same class against two app replicas behind nginx (deploy/nginx.conf, sticky by cookie), against
one replica, as runs per second.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

from lib import site
from tests.browser.server import ROOT, free_port, streamlit_server, wait_healthy
from tests.protocol import Session, server_stats

SEEDED = {"sampling-hallucination": ("samp_seed", "Seed")}   # url_path -> (URL key, number input label)
TTL = 2  # --server.disconnectedSessionTTL for benchmark servers: a closed session's state goes 2 s later
HELLO = "import streamlit as st\nst.title('Hello world')\nst.write('A hello-world app: what any Streamlit run costs.')\n"


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


class Peak:
    """Polls a set of processes' resident memory in a thread; `.peak` is the largest sum seen."""

    def __init__(self, pids):
        self.pids, self.peak, self._stop = pids, 0.0, threading.Event()

    def __enter__(self):
        self.peak = self.now()
        self._t = threading.Thread(target=self._poll, daemon=True)
        self._t.start()
        return self

    def now(self):
        return sum(server_stats(p)[1] for p in self.pids)

    def _poll(self):
        while not self._stop.wait(0.1):
            try:
                self.peak = max(self.peak, self.now())
            except OSError:
                return

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def cpu(pids):
    return sum(server_stats(p)[0] for p in pids)


def _headers(base):
    """What a browser sends on the websocket handshake that matters here: its own sticky cookie (a load balancer
    spreads sessions by it) and the page's Origin (Streamlit refuses a cross-origin socket)."""
    return {"Cookie": f"ufm_sticky={uuid.uuid4().hex}", "Origin": base.rstrip("/")}


async def _class(base, page, n, seeded):
    """n sessions open `page` at once, then each reruns the whole page, then (seeded pages) changes its seed.
    Returns per-phase latencies and CPU deltas are taken by the caller between phases via the barrier lists."""
    sessions = []
    for i in range(n):
        q = f"{seeded[0]}={1000 * i + 1}" if seeded else ""
        sessions.append(Session(base, page, q, headers=_headers(base)))
    await asyncio.gather(*[s.__aenter__() for s in sessions])
    phases = {}

    async def phase(name, fn):
        t0 = time.perf_counter()
        runs = await asyncio.gather(*[fn(i, s) for i, s in enumerate(sessions)])
        phases[name] = {"lat": [r.seconds for r in runs], "wall": time.perf_counter() - t0,
                        "errors": sum(len(s.exceptions()) for s in sessions)}
        return phases[name]

    return sessions, phase, phases


def measure_page(base, pids, page, n):
    """One page's class: first load, whole-page rerun, seed rerun; CPU and memory around each phase."""
    seeded = SEEDED.get(page)
    out = {}

    async def go():
        sessions, phase, phases = await _class(base, page, n, seeded)
        steps = [("first_load", lambda i, s: s.run()), ("rerun", lambda i, s: s.run())]
        if seeded:
            steps.append(("widget_rerun", lambda i, s: s.set(s.widget("number_input", seeded[1]), 1000 * i + 2)))
        for name, fn in steps:
            c0 = cpu(pids)
            r = await phase(name, fn)
            c1 = cpu(pids)
            out[name] = {"n": n, "p50_s": statistics.median(r["lat"]), "p95_s": pct(r["lat"], 95),
                         "max_s": max(r["lat"]), "wall_s": r["wall"], "runs_per_s": n / r["wall"],
                         "cpu_s_per_run": (c1 - c0) / n, "exceptions": r["errors"]}
        await asyncio.gather(*[s.close() for s in sessions])

    with Peak(pids) as peak:
        before = peak.now()
        asyncio.run(go())
    time.sleep(TTL + 3)  # the sessions' state expires TTL s after their sockets closed
    out["rss_mb"] = {"before": before, "peak": peak.peak, "after": peak.now()}
    return out


def warm(base, pages):
    async def go():
        for page in pages:
            async with Session(base, page) as s:
                await s.run()
                await s.run()
    asyncio.run(go())


@contextmanager
def app_servers(script, count, extra=()):
    with ExitStack() as stack:
        servers = [stack.enter_context(streamlit_server(
            script, timeout=600, extra_args=("--server.disconnectedSessionTTL", str(TTL), *extra)))
            for _ in range(count)]
        yield servers


def class_bench(n=30, pages=None, gc_mode="after"):
    """Every page's class, and hello world's, on one server each (started fresh, warmed by one lone session)."""
    extra, env_before = (), {}
    if gc_mode == "before":  # Streamlit's default: a full collection after every run, no freezing
        extra = ("--runner.postScriptGC", "true")
        env_before = {"UFM_NO_GC_FREEZE": "1"}
    infos = [site.HOME, *site.PAGES]
    paths = ["" if i is site.HOME else i.url_path for i in infos]
    if pages:
        paths = [p for p in paths if p in pages or (p == "" and "home" in pages)]
    report = {"sessions": n, "gc": gc_mode, "pages": {}}
    old = {k: os.environ.get(k) for k in env_before}
    os.environ.update(env_before)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            hello = Path(tmp) / "hello.py"
            hello.write_text(HELLO)
            with app_servers(hello, 1, extra) as [(base, proc)]:
                warm(base, [""])
                report["hello"] = measure_page(base, [proc.pid], "", n)
                print_page("(hello world)", report["hello"], None)
        with app_servers(ROOT / "app.py", 1, extra) as [(base, proc)]:
            warm(base, paths)
            for p in paths:
                report["pages"][p or "home"] = r = measure_page(base, [proc.pid], p, n)
                print_page(p or "home", r, report["hello"])
            report["log_tracebacks"] = proc.log_path.read_text(errors="replace").count("Traceback")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return report


def print_page(name, r, hello):
    f, re_ = r["first_load"], r["rerun"]
    ratio = ""
    if hello:
        h = (hello["first_load"]["cpu_s_per_run"] + hello["rerun"]["cpu_s_per_run"]) / 2
        ratio = f" ({(f['cpu_s_per_run'] + re_['cpu_s_per_run']) / 2 / h:.1f}x hello)"
    line = (f"{name:26} cpu/run first {f['cpu_s_per_run']:.3f} s rerun {re_['cpu_s_per_run']:.3f} s{ratio} | "
            f"first p50 {f['p50_s']:.2f} p95 {f['p95_s']:.2f} | rerun p50 {re_['p50_s']:.2f} p95 {re_['p95_s']:.2f}")
    if w := r.get("widget_rerun"):
        line += (f" | seed rerun p50 {w['p50_s']:.2f} p95 {w['p95_s']:.2f} cpu {w['cpu_s_per_run']:.3f}")
    m = r["rss_mb"]
    line += f" | rss {m['before']:.0f}/{m['peak']:.0f}/{m['after']:.0f} MB"
    errs = sum(r[k]["exceptions"] for k in ("first_load", "rerun", "widget_rerun") if k in r)
    if errs:
        line += f" | {errs} EXCEPTIONS"
    print(line, flush=True)


# ------------------------------------------------------------------------------------------------------ soak
def soak(total=2000, sessions=10, warmup=None):
    """`total` page runs across every page by `sessions` sessions, each walking the pages in turn (a new session per
    page, as a student opening a link; every other run a rerun). Memory after the warm-up (one round of every page
    per session) against memory at the end, after the sessions' state expired."""
    paths = ["", *[i.url_path for i in site.PAGES]]
    warmup = warmup or sessions * len(paths) * 2
    trace = []
    with app_servers(ROOT / "app.py", 1) as [(base, proc)]:
        counter = {"runs": 0}

        async def student(k, quota):
            i = k
            while quota > 0:
                page = paths[i % len(paths)]
                q = f"samp_seed={1000 * k + i}" if page in SEEDED else ""
                async with Session(base, page, q) as s:
                    for _ in range(min(2, quota)):
                        await s.run()
                        quota -= 1
                        counter["runs"] += 1
                        if s.exceptions():
                            raise RuntimeError(f"{page}: {s.exceptions()}")
                i += 1

        async def go(n):
            per = [n // sessions + (1 if k < n % sessions else 0) for k in range(sessions)]
            await asyncio.gather(*[student(k, q) for k, q in enumerate(per)])

        t0 = time.perf_counter()
        asyncio.run(go(warmup))
        time.sleep(TTL + 3)
        c0, start = server_stats(proc.pid)
        trace.append((counter["runs"], start))
        done = 0
        while done < total:
            chunk = min(200, total - done)
            asyncio.run(go(chunk))
            done += chunk
            trace.append((counter["runs"], server_stats(proc.pid)[1]))
            print(f"soak: {done}/{total} runs, rss {trace[-1][1]:.0f} MB", flush=True)
        time.sleep(TTL + 3)
        c1, end = server_stats(proc.pid)
        tracebacks = proc.log_path.read_text(errors="replace").count("Traceback")
    return {"runs": total, "warmup_runs": warmup, "sessions": sessions, "rss_after_warmup_mb": start,
            "rss_end_mb": end, "growth_pct": 100 * (end - start) / start, "peak_mb": max(m for _, m in trace),
            "cpu_s_per_run": (c1 - c0) / total, "seconds": time.perf_counter() - t0, "trace": trace,
            "log_tracebacks": tracebacks}


# -------------------------------------------------------------------------------------------------- replicas
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


@contextmanager
def nginx(upstreams):
    """nginx from Debian in front of `upstreams` (base URLs), on 127.0.0.1 only, with deploy/nginx.conf's
    server block; yields its base URL."""
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(exe):
        raise RuntimeError("nginx is not installed: apt-get install -y nginx-light")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        text = NGINX_CONF.read_text()
        servers = "\n".join(f"    server {u.replace('http://', '')} max_fails=0;" for u in upstreams)
        text = text.replace("    server 127.0.0.1:8501 max_fails=0;\n    server 127.0.0.1:8502 max_fails=0;", servers)
        text = text.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};")
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\nworker_processes 1;\n"
                        f"events {{ worker_connections 1024; }}\nhttp {{\n"
                        f"  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n"
                        f"  fastcgi_temp_path {tmp}/f; uwsgi_temp_path {tmp}/u; scgi_temp_path {tmp}/s;\n"
                        f"{text}\n}}\n")
        proc = subprocess.Popen([exe, "-c", str(conf), "-p", tmp, "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, 60, lambda: "nginx did not start: " + (Path(tmp) / "error.log").read_text())
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def replicas_bench(n=30, count=2, page="sampling-hallucination", rounds=1):
    """The class on `page` against one replica directly, then against `count` replicas behind nginx: runs/s."""
    out = {"sessions": n, "page": page, "rounds": rounds}

    def drive(base, pids):
        res = []
        for _ in range(rounds):
            r = measure_page(base, pids, page, n)
            res.append(r)
        runs = sum(sum(r[k]["n"] for k in ("first_load", "rerun", "widget_rerun") if k in r) for r in res)
        wall = sum(sum(r[k]["wall_s"] for k in ("first_load", "rerun", "widget_rerun") if k in r) for r in res)
        lat = [r["first_load"]["p95_s"] for r in res]
        return {"runs": runs, "seconds": wall, "runs_per_s": runs / wall, "first_load_p95_s": statistics.median(lat),
                "rerun_p95_s": statistics.median([r["rerun"]["p95_s"] for r in res]),
                "exceptions": sum(r[k]["exceptions"] for r in res for k in ("first_load", "rerun") if k in r)}

    with app_servers(ROOT / "app.py", 1) as [(base, proc)]:
        warm(base, [page])
        out["one_replica"] = drive(base, [proc.pid])
    with app_servers(ROOT / "app.py", count) as servers:
        with nginx([b for b, _ in servers]) as lb:
            for b, _ in servers:
                warm(b, [page])
            pids = [p.pid for _, p in servers]
            c0 = [server_stats(p)[0] for p in pids]
            out[f"{count}_replicas_nginx"] = r = drive(lb, pids)
            r["cpu_s_by_replica"] = [server_stats(p)[0] - c for p, c in zip(pids, c0)]
    out["speedup"] = out[f"{count}_replicas_nginx"]["runs_per_s"] / out["one_replica"]["runs_per_s"]
    return out


# --------------------------------------------------------------------------------------------------- profile
def profile(runs=30, pages=None, top=8):
    """py-spy (not a requirement: `pip install py-spy`) samples the live server while one session reruns each page
    `runs` times; per page, the functions with the most samples: self time (where the CPU is) and, for this
    project's and Streamlit's code, inclusive time (who asked for it)."""
    exe = shutil.which("py-spy") or str(Path(os.sys.executable).parent / "py-spy")
    paths = ["", *[i.url_path for i in site.PAGES]]
    if pages:
        paths = [p for p in paths if p in pages or (p == "" and "home" in pages)]
    out = {}
    with app_servers(ROOT / "app.py", 1) as [(base, proc)], tempfile.TemporaryDirectory() as tmp:
        warm(base, paths)
        for p in paths:
            raw = Path(tmp) / f"{p or 'home'}.txt"
            spy = subprocess.Popen([exe, "record", "--pid", str(proc.pid), "--rate", "200", "--format", "raw",
                                    "--output", str(raw), "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=open(f"{raw}.err", "w"))
            time.sleep(1.0)  # py-spy attaches

            async def go():
                async with Session(base, p) as s:
                    await s.run()
                    for _ in range(runs):
                        await s.run()
                    if s.exceptions():
                        raise RuntimeError(f"{p}: {s.exceptions()}")
            c0 = server_stats(proc.pid)[0]
            asyncio.run(go())
            c1 = server_stats(proc.pid)[0]
            spy.send_signal(2)
            spy.wait(timeout=60)
            out[p or "home"] = summarize(raw.read_text(errors="replace") if raw.exists() else "", top)
            out[p or "home"]["cpu_s_per_run"] = (c1 - c0) / (runs + 1)
            if not out[p or "home"]["samples"]:  # say why (py-spy attaches late on a loaded machine, or not at all)
                out[p or "home"]["py_spy_said"] = Path(f"{raw}.err").read_text(errors="replace")[-500:]
    return out


def summarize(raw: str, top: int) -> dict:
    """Collapsed stacks ("frame;frame;frame count") -> the top self and inclusive frames, as shares of the samples
    taken while the script ran (stacks through Streamlit's script runner)."""
    from collections import Counter

    self_t, incl, total = Counter(), Counter(), 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit() or "_run_script" not in stack:
            continue
        n = int(n)
        frames = stack.split(";")
        total += n
        self_t[_short(frames[-1])] += n
        for f in {_short(f) for f in frames}:
            incl[f] += n
    mine = Counter({f: c for f, c in incl.items()   # frames read "function (path:line)"
                    if f.rpartition(" (")[2].startswith(("lib/", "app_pages/", "app.py", "streamlit/"))})
    return {"samples": total,
            "self": [(f, round(c / total, 3)) for f, c in self_t.most_common(top)] if total else [],
            "inclusive": [(f, round(c / total, 3)) for f, c in mine.most_common(top * 3)] if total else []}


def _short(frame: str) -> str:
    frame = frame.replace(str(ROOT) + "/", "")
    return frame.split("site-packages/")[-1]
