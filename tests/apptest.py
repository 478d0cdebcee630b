"""Open a page of the real app (app.py + st.navigation) in Streamlit's AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 120  # seconds per run: generous for a loaded CI machine; speed is measured by the benchmark instead


def open_page(page: str | None = None, *, query: dict[str, str] | None = None, projector: bool = False) -> AppTest:
    """Run app.py once, then switch to `page` (a path such as "app_pages/home.py") through st.navigation."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    home = not page or page == "app_pages/home.py"
    if projector:
        at.query_params["projector"] = "1"
    if home:
        at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    if not home:
        # the home page rewrites the URL with its own settings, so the page's demo settings go in just before the
        # switch, as when a bookmark opens that page directly
        at.query_params.update(query or {})
        at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote as markdown, captions, titles and alerts, joined (for assertions on numbers)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


NOTICE_HEADING = "### What to notice\n"


def notice_list(at) -> str:
    """The page's "What to notice" list (ui.what_to_notice draws its heading and list as one markdown element)."""
    return next(m.value[len(NOTICE_HEADING):] for m in at.markdown if m.value.startswith(NOTICE_HEADING))
