"""The page helpers: the only lib module that imports streamlit.

PAGES LIVE IN app_pages/ (never a folder or file named `pages`: see lib/site.py for why),
and are registered in lib/site.py (one PageInfo line each, in lecture order).

Every page follows one template, built from these helpers:

    ui.header(title, key_idea)            title and the one-sentence key idea
    ...the live demo...                   ui.chart(altair_chart), ui.prose(md) for secondary text
    ui.what_to_notice([...])              points written from the numbers the demo just computed
    ui.quiz(key, questions)               "Check yourself", with feedback
    ui.references([...])
    ui.show_code(fn, ...)                 the lib code that just ran, for students to read

Projector mode (sidebar toggle, or `?projector=1` in the URL) lives here and in lib/charts: larger text (1.4x),
larger chart fonts (20 px), higher contrast, and secondary prose hidden. Pages ask `ui.projector()`.

Bookmarkable demos: `ui.bind_url({"temperature": 0.7, "prompt": "..."})` before the widgets with those keys are
drawn (widgets then use `key=` and no `value=`); app.py writes their values back into the URL after the page runs.
"""
from __future__ import annotations

import functools
import inspect
import math
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Sequence

import streamlit as st

from lib import serve, specs  # lib.charts (Altair, pandas) only where a chart object is drawn: not on the home page
from lib.errors import ModelUnavailable
from lib.textin import clean_text as _clean_text

PROJECTOR_KEY = "projector"
_URL_KEYS = "_url_keys"
_TRUE = {"1", "true", "yes", "on"}
MAX_URL_TEXT = 2000

_BASE_CSS = """
<style>
.block-container {padding-top: 2.2rem; max-width: 1280px;}
div[data-testid="stMarkdownContainer"] .ufm-key-idea {border-left: 6px solid #1f5aa6; background: #eef3fa;
  padding: 0.6rem 1rem; border-radius: 4px; margin: 0.2rem 0 1rem 0; font-size: 1.1em;}
.katex-display {overflow-x: auto; overflow-y: hidden; padding-bottom: 0.2rem;}
</style>
"""

_PROJECTOR_CSS = """
<style>
html {font-size: 140% !important;}
.stApp, .stApp p, .stApp li, .stApp label, .stApp span, .stApp div[data-testid="stMarkdownContainer"] {color: #000;}
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li {line-height: 1.45;}
.stApp h1 {font-size: 2.6rem;}
.stApp h2 {font-size: 2.0rem;}
.stApp h3 {font-size: 1.6rem;}
.block-container {padding: 3rem 1.5rem 2rem 1.5rem; max-width: 100%;}
[data-testid="stSidebarNavLink"] span, [data-testid="stNavSectionHeader"] {white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; line-height: 1.2;}
[data-testid="stSidebarNavLink"], [data-testid="stSidebarNavLink"] * {height: auto !important;
  max-height: none !important;}
</style>
"""

# Both modes: a collapsed sidebar is only slid off-screen by Streamlit, so Tab would walk its controls with the focus
# out of sight; hidden, they leave the tab order until the sidebar is opened again. (Streamlit 1.67 marks a collapsed
# sidebar data-collapsed="true"; older releases aria-expanded="false": both are matched. The descendants too: widget
# help icons set visibility: visible of their own.)
_SIDEBAR_CSS = """
<style>
section[data-testid="stSidebar"][aria-expanded="false"], section[data-testid="stSidebar"][aria-expanded="false"] *,
section[data-testid="stSidebar"][data-collapsed="true"], section[data-testid="stSidebar"][data-collapsed="true"] *
  {visibility: hidden !important;}
[data-testid="stSidebarNavLink"] span {white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important;}
</style>
"""

# The CSS above comes with the page's run; between a run's first messages and the style element's arrival (a busy
# server, a reconnect) the collapsed sidebar's links could still take the focus. `inert`, set by the browser as soon
# as the sidebar collapses, takes them out of the tab order whatever the styles are doing.
_SIDEBAR_JS = """
<script>
(function () {
  if (window.__ufmSidebar) return;
  window.__ufmSidebar = true;
  const sync = function () {
    const s = document.querySelector('section[data-testid="stSidebar"]');
    if (!s) return;
    const shut = s.getAttribute("data-collapsed") === "true" || s.getAttribute("aria-expanded") === "false";
    if (s.inert !== shut) s.inert = shut;
  };
  new MutationObserver(sync).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                     attributeFilter: ["data-collapsed", "aria-expanded"]});
  sync();
})();
</script>
"""

# Streamlit pushes a history entry when the query string changes. After a page change it has already pushed the new
# page's path, so the query string this app writes right after (?projector=1, demo settings) would need a second
# Back. Same path: replace the entry instead (the lecture's move from ?slide=N to another slide still pushes, so Back
# goes one slide back; the ?slide=1 the lecture writes on arrival replaces, so Back from it leaves the lecture).
_HISTORY_JS = """
<script>
(function () {
  if (window.__ufmHistory) return;
  window.__ufmHistory = true;
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = function (state, title, url) {
    try {
      const next = new URL(url, window.location.href);
      const here = new URL(window.location.href);
      const was = here.searchParams.get("slide");
      // same page: replace, unless it moves from one slide to another (the first ?slide=N a page writes replaces)
      if (next.pathname === here.pathname && (was === null || next.searchParams.get("slide") === was)) {
        return window.history.replaceState(state, title, url);
      }
    } catch (e) {}
    return push(state, title, url);
  };
})();
</script>
"""

# A presentation clicker sends PageDown / PageUp. A slider that has the focus (the lecturer just moved it) takes those
# keys for itself (a big step), so the deck would stop answering the clicker until someone clicked elsewhere. While a
# slider has the focus and the page has the lecture's Next / Previous buttons, those two keys go to the buttons (the
# arrow keys stay with the slider). Caught before the slider sees them (capture phase).
_CLICKER_JS = """
<script>
(function () {
  if (window.__ufmClicker) return;
  window.__ufmClicker = true;
  window.addEventListener("keydown", function (e) {
    if (e.key !== "PageDown" && e.key !== "PageUp") return;
    const focused = document.activeElement;
    const slider = focused && ((focused.tagName === "INPUT" && focused.type === "range")
                               || focused.getAttribute("role") === "slider");
    if (!slider) return;
    const button = document.querySelector(e.key === "PageDown" ? ".st-key-lecture_next button"
                                                               : ".st-key-lecture_prev button");
    if (!button) return;
    e.preventDefault();
    e.stopPropagation();
    focused.blur();
    button.click();
  }, true);
})();
</script>
"""


# ----------------------------------------------------------------------------------------------- session and URL
def start_run() -> None:
    """Called by app.py at the top of every run: projector mode from the URL on the first run of a session, the
    page's URL-bound keys reset, and the house CSS."""
    if PROJECTOR_KEY not in st.session_state:
        st.session_state[PROJECTOR_KEY] = str(st.query_params.get(PROJECTOR_KEY, "")).lower() in _TRUE
    st.session_state[_URL_KEYS] = {}
    # One element, the same on every run (the scripts guard against running twice in a tab). The browser draws
    # st.html lazily: on a fresh tab it can come up to ~1.5 s after the rest of the page, styles and scripts together
    # (measured; tests/browser/server.py's wait_done waits for it).
    css = _BASE_CSS + _SIDEBAR_CSS + (_PROJECTOR_CSS if st.session_state[PROJECTOR_KEY] else "")
    st.html(css + _HISTORY_JS + _SIDEBAR_JS + _CLICKER_JS, unsafe_allow_javascript=True)


def warm_up_training() -> None:
    """For a page with a "train" button: the process's one-off training costs (torch's first optimizer imports
    torch._dynamo, about 1.3 s) are paid in the background once this run has ended, not on the first click."""
    from lib.train import loop

    warm_up(loop.warm_up)


def warm_up(fn: Callable) -> None:
    """fn() once per process, in the background once this run has ended (under the cold-start lock), for a one-off
    cost a button would otherwise pay on its first press."""
    serve.warm_up_later(f"call:{fn.__module__}.{fn.__qualname__}", fn)


def warm_up_memo(fn: Callable, *args) -> None:
    """memo(fn, *args) computed in the background once this run has ended (once per process), for a result a button
    needs that is the same for every session: the first press then finds it ready. A failure (a model file missing)
    is left to the press, which shows it as usual. Like any warm-up it holds the cold-start lock (loading a model
    can import modules)."""
    serve.warm_up_later(f"memo:{fn.__module__}.{fn.__qualname__}{args!r}", lambda: memo(fn, *args))


def projector_requested() -> bool:
    """Projector mode as the session or, on a session's first run, the URL asks for it (usable before start_run)."""
    if PROJECTOR_KEY in st.session_state:
        return bool(st.session_state[PROJECTOR_KEY])
    return str(st.query_params.get(PROJECTOR_KEY, "")).lower() in _TRUE


def projector() -> bool:
    """True when the page should be drawn for a classroom projector."""
    return bool(st.session_state.get(PROJECTOR_KEY, False))


def sidebar() -> None:
    """The shared sidebar: projector mode (and, where the app has a Hub allowlist, the model source)."""
    with st.sidebar:
        st.toggle("Projector mode", key=PROJECTOR_KEY,
                  help="Large text and charts for a classroom; secondary explanations are hidden. "
                       "Bookmark the page with ?projector=1 to open it this way.")
        _model_source_picker()
        st.caption("Runs offline: every page uses small models this project trained itself.")


def _model_source_picker() -> None:
    from lib.models import registry  # torch-free at import time

    allow = list(getattr(registry, "HUB_ALLOWLIST", []))
    if not allow:
        st.session_state.setdefault("model_source", "embedded")
        return
    options = ["embedded", *allow]
    if st.session_state.get("model_source") not in options:
        st.session_state["model_source"] = "embedded"
    st.selectbox("Language model", options, key="model_source",
                 format_func=lambda v: "Embedded tiny GPT (offline)" if v == "embedded" else f"Hub: {v}",
                 help="The sampling and Transformer pages can also run a small model from the Hugging Face Hub, "
                      "downloaded once when the network allows. Everything else uses the embedded models.")


def _parse(raw: str, default: Any, options: Sequence | None, bounds: tuple | None) -> Any:
    if isinstance(default, (list, tuple)):  # a multiselect: comma-separated options, each checked
        value = [] if raw == "" else raw[:MAX_URL_TEXT].split(",")
        if options is not None and any(v not in options for v in value):
            raise ValueError("not an option")
        return type(default)(dict.fromkeys(value))
    if isinstance(default, bool):
        value: Any = raw.lower() in _TRUE
    elif isinstance(default, int):
        value = int(float(raw))
    elif isinstance(default, float):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("not finite")
    else:
        value = raw[:MAX_URL_TEXT]
    if options is not None and value not in options:
        raise ValueError("not an option")
    if bounds is not None:
        lo, hi = bounds
        value = min(max(value, lo), hi)
    return value


def bind_url(defaults: dict[str, Any], *, options: dict[str, Sequence] | None = None,
             bounds: dict[str, tuple] | None = None) -> None:
    """Mirror the widgets with these keys into the URL's query parameters. On the first run of a session, values
    in the URL (checked against `options` and clamped to `bounds`) become the widgets' starting values; a value that
    does not parse falls back to the default. Call before drawing the widgets; they take `key=` and no `value=`."""
    options, bounds = options or {}, bounds or {}
    registered = st.session_state.setdefault(_URL_KEYS, {})
    for key, default in defaults.items():
        registered[key] = default
        if key in st.session_state:
            continue
        raw = st.query_params.get(key)
        value = default
        if raw is not None:
            try:
                value = _parse(str(raw), default, options.get(key), bounds.get(key))
            except (ValueError, TypeError, OverflowError):  # OverflowError: int(float("inf")), ?n=1e999
                value = default
        st.session_state[key] = value


def _url_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))[:MAX_URL_TEXT]
    return str(value)[:MAX_URL_TEXT]


def write_url(*, fragment: bool = False) -> None:
    """Called by app.py after the page ran: the URL shows the bound widgets' values that differ from defaults.

    A widget inside an `st.fragment` calls `ui.write_url(fragment=True)` at the end of the fragment: a fragment
    rerun skips app.py. In a full run that call does nothing (app.py writes the URL once the whole page has bound
    its keys; writing earlier would drop the keys bound further down the page before they are read)."""
    if fragment and not _in_fragment_rerun():
        return
    registered: dict[str, Any] = st.session_state.get(_URL_KEYS, {})
    wanted: dict[str, str] = {}
    if projector():
        wanted[PROJECTOR_KEY] = "1"
    for key, default in registered.items():
        value = st.session_state.get(key, default)
        if value != default:
            wanted[key] = _url_value(value)
    current = st.query_params.to_dict()
    if current != wanted:
        st.query_params.from_dict(wanted)


def _in_fragment_rerun() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


# ------------------------------------------------------------------------------------------------- page template
def header(title: str, key_idea: str) -> None:
    st.title(title)
    st.markdown(f'<div class="ufm-key-idea"><b>Key idea.</b> {key_idea}</div>', unsafe_allow_html=True)


def prose(markdown: str) -> None:
    """Secondary explanation: shown to a student reading alone, hidden on the projector."""
    if not projector():
        st.markdown(markdown)


def chart(c, *, key: str | None = None) -> None:
    """Draw an Altair chart in the house style (projector-sized fonts when projector mode is on), or a Vega-Lite dict
    already made by charts.finished_spec (which pages cache, so an unchanged chart costs nothing to redraw)."""
    spec = c if isinstance(c, dict) else _finished_spec(c, projector())
    spec = wrapped_titles(spec)
    if projector():
        spec = min_heights(spec)
    spec = specs.drawn_inline(spec)  # rows in the JSON, not an Arrow table per dataset and run
    # theme=None: our own config (lib.charts.style) sets the fonts; Streamlit's theme would override them
    st.vega_lite_chart(spec, width="stretch", theme=None, key=key)


_SPECS: dict[tuple[int, bool], tuple[weakref.ref, dict]] = {}


def _finished_spec(c, proj: bool) -> dict:
    """charts.finished_spec, kept for as long as the chart object lives: a chart that ui.memo returns is the same
    object on every run, so styling and validating it (10-30 ms) happens once per server, not on every rerun
    (issue 12). Keyed by the object's id, checked through a weak reference (an id can be reused after the object
    dies; the entry goes when the chart does). A chart built anew on every run gets no hit and costs what it did."""
    key = (id(c), proj)
    hit = _SPECS.get(key)
    if hit is not None and hit[0]() is c:
        return hit[1]
    from lib import charts

    spec = charts.finished_spec(c, proj)
    try:
        ref = weakref.ref(c, lambda _r, key=key: _SPECS.pop(key, None))
    except TypeError:  # not weak-referenceable: no caching
        return spec
    _SPECS[key] = (ref, spec)
    return spec


PROJECTOR_MIN_HEIGHT = 240  # px: a shorter chart is unreadable from the back of a lecture room


def min_heights(spec: dict, least: int = PROJECTOR_MIN_HEIGHT, datasets: dict | None = None,
                data: dict | None = None) -> dict:
    """The spec with every pixel height below `least` raised to it (the top level and concatenated views). A height
    given per step (bars: `{"step": 34}`) is raised too when its rows would draw a plot shorter than `least` (two bars
    at 34 px drew a 68 px plot); with more rows it grows on its own and is left alone. Returns a copy: cached specs
    stay unchanged."""
    out = dict(spec)
    datasets = out.get("datasets", datasets)
    data = out.get("data", data)
    height = out.get("height")
    if isinstance(height, (int, float)) and height < least:
        out["height"] = least
    elif isinstance(height, dict) and isinstance(height.get("step"), (int, float)):
        rows = _rows_on_y(out, datasets or {}, data)
        if rows and rows * height["step"] < least:
            out["height"] = least
    for part in ("hconcat", "vconcat", "concat"):
        if isinstance(out.get(part), list):
            out[part] = [min_heights(v, least, datasets, data) if isinstance(v, dict) else v for v in out[part]]
    return out


def _rows_on_y(view: dict, datasets: dict, data: dict | None) -> int:
    """How many distinct values the view's y field takes in its inline data (0 when that cannot be told)."""
    layers = [view, *[v for v in view.get("layer", []) if isinstance(v, dict)]]
    field = next((v.get("encoding", {}).get("y", {}).get("field") for v in layers
                  if v.get("encoding", {}).get("y", {}).get("field")), None)
    named = next((v["data"] for v in layers if isinstance(v.get("data"), dict) and "name" in v["data"]), data)
    rows = datasets.get(named.get("name")) if isinstance(named, dict) else None
    if rows is None and len(datasets) == 1:
        rows = next(iter(datasets.values()))
    if not field or not isinstance(rows, list):
        return 0
    return len({str(r.get(field)) for r in rows if isinstance(r, dict)})


TITLE_LINE = 36  # characters: a title line that fits a 390 px phone (and half a projector screen) in bold


def wrapped_titles(spec: dict, line: int = TITLE_LINE) -> dict:
    """The spec with a long title split into lines (Vega-Lite draws a list of strings as lines), so that a title is
    never cut with an ellipsis on a phone. Returns a copy when it changes anything."""
    import textwrap

    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if not isinstance(text, str) or len(text) <= line:
        return spec
    lines = textwrap.wrap(text, line)
    out = dict(spec)
    out["title"] = {**title, "text": lines} if isinstance(title, dict) else lines
    return out


def what_to_notice(points: Iterable[str]) -> None:
    points = [p for p in points if p]
    if not points:
        return
    st.markdown("### What to notice\n" + "\n".join(f"- {p}" for p in points))  # one element: heading and list


def quiz(key: str, questions: Sequence[dict]) -> None:
    """"Check yourself". Each question: {"q": str, "options": [str], "answer": index, "why": str}.
    A wrong choice says so without giving the answer away, so the student can try again; the answer and its
    explanation are one click away under "Show the answer"."""
    if not questions:
        return
    for i, q in enumerate(questions):
        if not 0 <= q["answer"] < len(q["options"]):
            raise ValueError(f"quiz {key!r} question {i}: answer index {q['answer']} is not an option")
    st.subheader("Check yourself")
    # a fragment (issue 12): an answer reruns only the quiz, not the page's demo above it
    st.fragment(_quiz_body)(key, tuple(questions))


def _quiz_body(key: str, questions: Sequence[dict]) -> None:
    right = 0
    for i, q in enumerate(questions):
        options = list(q["options"])
        choice = st.radio(f"{i + 1}. {q['q']}", options, index=None, key=f"quiz_{key}_{i}")
        if choice is None:
            continue
        if options.index(choice) == q["answer"]:
            right += 1
            st.success(f"Right. {q['why']}")
        else:
            st.warning("Not quite. Think again and try another answer.")
            with st.expander("Show the answer"):
                st.markdown(f"\u201c{options[q['answer']]}\u201d. {q['why']}")
    if right == len(questions):
        st.caption(f"All {len(questions)} right.")


def references(refs: Sequence[tuple[str, str | None]]) -> None:
    if not refs:
        return
    st.markdown("### References\n" + "\n".join(f"- [{text}]({url})" if url else f"- {text}" for text, url in refs))


def show_code(*objects: Callable | type, label: str = "Show the code that just ran") -> None:
    """An expander with the source of the lib functions or classes that produced what the page shows: one code block,
    each object under a comment with its full name (one element, not two an object: the expander is sent on every
    run, opened or not, and every element costs the server a message)."""
    with st.expander(label):
        st.code(_sources(objects), language="python")


@functools.lru_cache(maxsize=64)
def _sources(objects: tuple) -> str:
    parts = [f"# {obj.__module__}.{obj.__qualname__}\n{src}" for obj in objects if (src := _source(obj)) is not None]
    return "\n\n".join(parts) or "# (source not available)"


@functools.lru_cache(maxsize=512)
def _source(obj) -> str | None:
    """inspect.getsource, once per object per server (it re-reads and re-parses the file: 5-10 ms a page run)."""
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return None


# ---------------------------------------------------------------------------------------- input and model errors
def clean_text(raw: str | None, max_chars: int, label: str = "text") -> str:
    """User text made safe for the models (see lib.textin), with a note on the page for anything removed or cut."""
    result = _clean_text(raw, max_chars, label=label)
    for note in result.notes:
        st.info(note, icon=":material/content_cut:")
    return result.text


@contextmanager
def model_guard():
    """Turn a model that cannot be loaded into a friendly message that says which file and how to rebuild it, and
    stop this page (other pages keep working)."""
    try:
        yield
    except ModelUnavailable as exc:
        st.error(f"**This demo needs a model that could not be loaded.** {exc.message}",
                 icon=":material/error:")
        if exc.path:
            st.markdown(f"File: `{exc.path}`")
        if exc.fix:
            st.markdown("To fix it, run this in the project folder:")
            st.code(exc.fix, language="bash")
        st.stop()


def hub_or_embedded(source: str, load: Callable[[], object]) -> str:
    """The model source a page will use: `source` when it is the embedded model or a Hub model that `load()` loads;
    otherwise a plain warning (no network, say) and "embedded", so the page keeps working."""
    if source == "embedded":
        return source
    try:
        with st.spinner(f"Loading {source} from the Hugging Face Hub..."):
            load()
        st.caption(f"Model: **{source}** from the Hugging Face Hub (chosen in the sidebar).")
        return source
    except ModelUnavailable as exc:
        st.warning(f"{exc.message} {exc.fix or ''} This page uses the embedded tiny GPT instead.",
                   icon=":material/cloud_off:")
        return "embedded"


@st.cache_resource(show_spinner="Loading the model...", max_entries=16)
def cached_model(name: str):
    """An embedded model shared by every session of this server (read-only: copy it before training)."""
    from lib.models import registry

    return registry.load(name)


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def cached_lm(source: str, checkpoint: str):
    """A language model (embedded checkpoint, or an allowlisted Hub model) shared by every session (read-only)."""
    from lib.models import registry

    return registry.load_lm(source, checkpoint)


# ------------------------------------------------------------------------------------------ caching lesson results
@st.cache_resource(show_spinner=False, max_entries=4096)
def _memo(fn_name: str, args: tuple, kwargs: tuple, _fn: Callable):
    # fn_name is hashed (it tells functions apart); _fn, underscored, is not
    with serve.computing():
        return _fn(*args, **dict(kwargs))


def memo(fn: Callable, *args, **kwargs):
    """`fn(*args, **kwargs)`, computed once per server for these arguments and shared by every session.

    The result is kept as the object itself (st.cache_resource), not pickled and unpickled on every hit as
    st.cache_data would: treat it as read-only. Arguments must be hashable by Streamlit (numbers, strings, tuples,
    frozen dataclasses); a model is passed by name, never as an object. Use it for lesson functions and finished
    chart specs, so that a rerun whose inputs did not change costs a dictionary look-up."""
    return _memo(f"{fn.__module__}.{fn.__qualname__}", args, tuple(sorted(kwargs.items())), _fn=fn)


# ------------------------------------------------------------------------------------------------ layout helpers
def row_height() -> int:
    """st.dataframe's row height, set rather than left to the grid: the grid measures the page's type size when it is
    first drawn, so on the projector its rows came out 35 px or 49 px depending on whether the house CSS (drawn
    lazily) was in yet, and a height computed for one left blank rows, or cut rows, with the other."""
    return 49 if projector() else 35


def table_height(n_rows: int) -> int:
    """Enough height for every row of st.dataframe and its header (no cut rows, at most 13 px to spare, no blank rows,
    no overlap with what follows)."""
    return (n_rows + 1) * row_height() + 3  # the header is 36 px or a row's height, with the same race: never cut


def dataframe(df, **kwargs) -> None:
    """st.dataframe as the pages draw it: full width, no index, every row shown at the house row height. A frame that
    ui.memo returns (the same object on every run) is turned into Arrow once, not on every run."""
    st.dataframe(_arrow_of(df), hide_index=True, width="stretch", height=table_height(len(df)),
                 row_height=row_height(), **kwargs)


_TABLES: dict[int, tuple[weakref.ref, Any]] = {}


def _arrow_of(df):
    """The Arrow table Streamlit would make of pandas frame `df` (its own conversion, with its fallbacks for mixed
    columns), kept for as long as the frame lives: keyed by id, checked through a weak reference, as _finished_spec
    keeps chart specs. Anything else is passed through."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        return df
    key = id(df)
    hit = _TABLES.get(key)
    if hit is not None and hit[0]() is df:
        return hit[1]
    from streamlit import dataframe_util

    table = dataframe_util.convert_pandas_df_to_arrow_table(df)
    _TABLES[key] = (weakref.ref(df, lambda _r, key=key: _TABLES.pop(key, None)), table)
    return table


def columns(spec: int | Sequence[float], **kwargs) -> list:
    """Side by side on a laptop, stacked on the projector (where a half-width chart is too small to read)."""
    n = spec if isinstance(spec, int) else len(spec)
    if projector():
        return [st.container() for _ in range(n)]
    return list(st.columns(spec, **kwargs))


def table(df, formats: dict[str, str] | None = None) -> None:
    """A small table: an interactive dataframe on a laptop, a plain table (which grows with the projector's larger
    type) on the projector. `formats`: column -> format string such as "{:.0f}"; booleans show as yes/no there."""
    if projector():
        shown = df.copy()
        for col in shown.columns[shown.dtypes == bool]:
            shown[col] = shown[col].map({True: "yes", False: "no"})
        for col, f in (formats or {}).items():
            shown[col] = shown[col].map(f.format)
        st.table(shown, hide_index=True)
    else:
        st.dataframe(df, hide_index=True, width="stretch", column_config={
            col: st.column_config.NumberColumn(format=f.replace("{:", "%").replace("}", ""))
            for col, f in (formats or {}).items()})


# ---------------------------------------------------------------------------------------- charts as files
def download_chart(spec, data=None, name: str = "chart", *, key: str | None = None) -> None:
    """Three download buttons for a chart: SVG and PNG (rendered offline by vl-convert, only when clicked) and its
    data as CSV (`data`, a DataFrame; without one, the rows inline in the spec). `spec` is a finished Vega-Lite dict
    or an Altair chart. Downloading does not rerun the page."""
    from lib import charts
    from lib.charts import export

    key = key or f"dl_{name}"
    finished = spec if isinstance(spec, dict) else charts.finished_spec(spec, projector())
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "chart"
    st.download_button("SVG", lambda: export.to_svg(finished), file_name=f"{safe}.svg", mime="image/svg+xml",
                       key=f"{key}_svg", on_click="ignore", icon=":material/download:")
    st.download_button("PNG", lambda: export.to_png(finished), file_name=f"{safe}.png", mime="image/png",
                       key=f"{key}_png", on_click="ignore", icon=":material/download:")
    st.download_button("CSV", lambda: export.to_csv(data if data is not None else export.inline_data(finished)),
                       file_name=f"{safe}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
                       icon=":material/download:")
