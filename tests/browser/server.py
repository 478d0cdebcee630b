"""Start `streamlit run app.py` headless on a free port, and Chromium through Playwright (used by the browser tests
and the benchmark)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def chromium_path() -> str | None:
    for path in (CHROMIUM, shutil.which("chromium") or ""):
        if path and os.path.exists(path):
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc, timeout: float, why_exited) -> None:
    """Wait until `base`/_stcore/health answers 200 (Streamlit's, or nginx passing it on); RuntimeError with
    `why_exited()` if the process ends first, TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(why_exited())
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} did not answer its health check in {timeout:.0f} s")
        time.sleep(0.1)


@contextmanager
def streamlit_server(script: Path | str = ROOT / "app.py", timeout: float = 90.0, extra_args: tuple = ()):
    """Yield the base URL of a headless Streamlit server running `script`; stop it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", *extra_args]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    # the server's output goes to a file (a pipe nobody reads would fill up and stall the server); proc.log_path
    # lets a test read what the server printed
    log = tempfile.NamedTemporaryFile("w+b", prefix="streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = Path(log.name)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, timeout,
                     lambda: f"streamlit exited: {proc.log_path.read_text(errors='replace')[-2000:]}")
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        proc.log_path.unlink(missing_ok=True)


# Streamlit loads its chart component lazily (a grey skeleton stands in meanwhile): no skeleton, and every chart drawn
CHARTS_DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')
  && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(
       el => el.querySelector('.vega-embed canvas, .vega-embed svg.marks'))"""


def wait_done(page, timeout_ms: int = 600_000) -> None:
    """Wait until the app has drawn something, its house styles and scripts are in (lib/ui.start_run's st.html,
    which the browser draws lazily) and its script has finished running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function("() => window.__ufmSidebar === true", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    page.wait_for_timeout(300)  # let charts finish drawing
    page.wait_for_selector(DONE, timeout=timeout_ms)
