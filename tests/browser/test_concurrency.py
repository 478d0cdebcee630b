"""Many users at once: 25 browser sessions work the sampling page of one server for a minute, each changing the seed
again and again. No session sees an error (tokenizers' "Already borrowed" included), every session's samples equal
what the model gives alone for that seed, and the server's memory comes back near where it started once they close.
The figures (throughput, 95th-percentile latency, memory) are printed and written to artifacts/concurrency.json."""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import threading
import time

import pytest

from lib.lessons import sampling_hallucination as lm_lab
from lib.models import registry
from tests.bench import pct, rss_mb
from tests.browser.server import CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = int(os.environ.get("CONCURRENCY_SESSIONS", "25"))
SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "60"))
PAGE = "sampling-hallucination"
PROMPT, N, SHOWN = "The capital of Paraguay is", 20, 12  # the page's defaults: prompt, samples drawn, samples shown
TOKENS_JS = """els => els.map(e => Array.from(e.querySelectorAll('span[title^="p = "]'))
                                 .map(s => s.textContent).join(''))"""
SAMPLE_ROWS = 'div:has(> span[title^="p = "])'
STATE = '[data-testid="stApp"]'


def expected(seed: int) -> list[str]:
    """What the page shows for this seed when one user is alone: the same lib call, in this process."""
    lm = registry.load_lm("embedded", "gpt_base")
    ss = lm_lab.samples(lm, PROMPT, N, 1.0, 0, 1.0, seed)
    return ["".join(t.replace("\n", "\u21b5") for t in toks) for toks in ss.tokens[:SHOWN]]


async def _settled(page, timeout_s: float = 180.0) -> None:
    """Wait until the script has run and finished (the state attribute is polled: it can flip too fast to catch)."""
    await page.wait_for_selector(f'{STATE}[data-test-script-state="notRunning"]', timeout=timeout_s * 1000)
    await page.wait_for_timeout(150)
    await page.wait_for_selector(f'{STATE}[data-test-script-state="notRunning"]', timeout=timeout_s * 1000)


async def _samples(page) -> list[str]:
    return await page.eval_on_selector_all(SAMPLE_ROWS, TOKENS_JS)


async def _session(i: int, browser, base: str, deadline: float, out: list) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(600_000)  # a busy shared machine is slow, not wrong: waits are on conditions
    ctx.set_default_navigation_timeout(600_000)
    page = await ctx.new_page()
    seed, k = 1000 * i, 0
    try:
        t0 = time.monotonic()
        await page.goto(f"{base}/{PAGE}?samp_seed={seed}", timeout=600_000)
        await page.wait_for_selector("h1", timeout=180_000)
        await _settled(page)
        while True:
            await page.wait_for_function(
                f"() => document.querySelectorAll('{SAMPLE_ROWS}').length > 0", timeout=180_000)
            shown = await _samples(page)
            errors = await page.locator('[data-testid="stException"]').count()
            out.append({"session": i, "seed": seed, "samples": shown, "latency": time.monotonic() - t0,
                        "errors": errors})
            if time.monotonic() > deadline:
                break
            k += 1
            seed = 1000 * i + k
            box = page.get_by_label("Seed", exact=True)
            await box.fill(str(seed))
            t0 = time.monotonic()
            await box.press("Enter")
            # the page has rerun for this seed once the URL carries it (app.py writes it after the page ran)
            await page.wait_for_function(f"() => location.search.includes('samp_seed={seed}')", timeout=180_000)
            await _settled(page)
    finally:
        await ctx.close()


async def _run(base: str) -> list:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        out: list = []
        deadline = time.monotonic() + SECONDS
        await asyncio.gather(*[_session(i, browser, base, deadline, out) for i in range(SESSIONS)])
        await browser.close()
        return out


async def _warm(base: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{base}/{PAGE}", timeout=600_000)
        await page.wait_for_selector("h1", timeout=180_000)
        await _settled(page)
        await browser.close()


def _in_thread(coro):
    """Run a coroutine on its own event loop in a fresh thread (the sync Playwright of other browser tests may own
    this thread's loop)."""
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_many_sessions_at_once():
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing, and CI must run the browser tests: apt-get install -y chromium")
        pytest.skip("Chromium is not installed")
    with streamlit_server(extra_args=("--server.disconnectedSessionTTL", "3")) as (base, proc):
        _in_thread(_warm(base))  # models loaded and caches warm: what a lecture looks like after the first student
        time.sleep(3)
        start_mb = rss_mb(proc.pid)
        t0 = time.monotonic()
        results = _in_thread(_run(base))
        wall = time.monotonic() - t0
        peak_mb = rss_mb(proc.pid)
        time.sleep(8)  # sessions are dropped 3 s after their sockets close
        end_mb = rss_mb(proc.pid)
        log = proc.log_path.read_text(errors="replace")

    lat = [r["latency"] for r in results]
    figures = {"sessions": SESSIONS, "seconds": round(wall, 1), "page_runs": len(results),
               "throughput_runs_per_s": round(len(results) / wall, 2),
               "latency_median_s": round(statistics.median(lat), 2), "latency_p95_s": round(pct(lat, 95), 2),
               "rss_start_mb": round(start_mb), "rss_peak_mb": round(peak_mb), "rss_after_close_mb": round(end_mb)}
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "concurrency.json").write_text(json.dumps(figures, indent=2))
    print("\nconcurrency:", figures)

    assert {r["session"] for r in results} == set(range(SESSIONS)), "some sessions never got a result"
    assert not [r for r in results if r["errors"]], "a session saw an exception box"
    assert "Already borrowed" not in log and "Traceback" not in log, log[-3000:]
    wrong = [(r["session"], r["seed"]) for r in results if r["samples"] != expected(r["seed"])]
    assert not wrong, f"{len(wrong)} of {len(results)} results differ from the same seed alone: {wrong[:5]}"
    assert end_mb - start_mb < 150, figures
