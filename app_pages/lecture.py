"""The lecture: chapter 2 as slides, one idea per projector screen, driven by a clicker (PageDown / PageUp) or the
arrow keys. The URL names the slide (?slide=N, 1-based), so Back goes to the previous slide and a bookmark opens on
it. The slides are data (lib/lessons/lecture.py); each live element comes from lib/lessons/lecture_live.py."""
import contextlib

import streamlit as st

from lib import site, ui
from lib.errors import ModelUnavailable
from lib.lessons import lecture as L
from lib.lessons import lecture_live as LL

NOTES_KEY = "lecture_notes"
TRANSFER_KEY = "lecture_transfer_live"  # this session pressed Train on the transfer slide
PAGE_PATHS = {site.HOME.url_path: site.HOME.path, **{p.url_path: p.path for p in site.PAGES}}
PAGE_TITLES = {site.HOME.url_path: site.HOME.title, **{p.url_path: p.title for p in site.PAGES}}

# one screen per slide: tighter spacing than a reading page; the arrow-key twins of the buttons are hidden
_CSS = """
<style>
.block-container {padding-top: 54px !important; padding-bottom: 0.4rem !important;}
.st-key-lecture_arrow_keys {display: none !important;}
.st-key-lecture_slide, .st-key-lecture_slide [data-testid="stVerticalBlock"] {gap: 0.8rem;}
.lecture-counter {font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap;}
.stApp .st-key-lecture_title h1 {font-size: 1.8rem !important; font-weight: 700; line-height: 1.2; margin: 0;
  padding: 0;}
.lecture-point {font-size: 1.12em; line-height: 1.4; margin: 0 0 0.4rem 0;}
.st-key-lecture_number [data-testid="stMarkdownContainer"] {border-left: 6px solid #d1495b; padding: 0 0.8rem;}
.st-key-lecture_number p {margin: 0;}
.st-key-lecture_slide [data-testid="stMetricValue"] {font-size: 1.7rem;}
.lecture-quote {font-size: 1.15em; line-height: 1.45; border-left: 6px solid #1f5aa6; padding: 0.4rem 1rem;
  margin: 0.3rem 0; font-style: italic;}
</style>
"""
# on the projector the notes (if the lecturer shows them there) float over the foot of the slide instead of pushing
# the page below 720 px: at most a third of the screen, scrolled inside
_PROJECTOR_NOTES_CSS = """
<style>
.st-key-lecture_notes_panel {position: fixed; left: 1.5rem; right: 1.5rem; width: auto !important; bottom: 0.5rem;
  max-height: 34vh; overflow-y: auto; z-index: 999990; background: #ffffff;
  box-shadow: 0 -2px 12px rgba(0, 0, 0, 0.18);}
</style>
"""

deck = L.slides(list(PAGE_PATHS))
M = len(deck)
ui.bind_url({"slide": 0})  # 0 is never a slide: the URL always names one (write_url skips defaults)
n = L.clamp(st.query_params.get("slide"), M)
st.session_state["slide"] = n
st.session_state.setdefault(NOTES_KEY, not ui.projector())


def go(where: str) -> None:
    """Next / previous: the URL is the state, so Back (which reruns with the old URL) lands on the slide before."""
    cur = L.clamp(st.query_params.get("slide"), M)
    new = L.next_slide(cur, M) if where == "next" else L.prev_slide(cur, M)
    st.query_params["slide"] = str(new)
    st.session_state["slide"] = new


def train_transfer() -> None:
    st.session_state[TRANSFER_KEY] = True


def toggle_notes() -> None:
    st.session_state[NOTES_KEY] = not st.session_state[NOTES_KEY]


slide = deck[n - 1]
st.html(_CSS + (_PROJECTOR_NOTES_CSS if ui.projector() else ""))

# ------------------------------------------------------------------------------------------- the live element
control = None
with st.container(key="lecture_slide"):
    st.container(key="lecture_title").title(slide.title, anchor=False)  # a real heading: screen readers, tests
    st.markdown(f'<p class="lecture-point">{slide.point}</p>', unsafe_allow_html=True)

    if slide.id == "rnn":
        control = st.slider("Step (character read)", 1, len(L.RNN_TEXT), LL.RNN_STEP, key="lecture_rnn_step")
    elif slide.id == "sampling":
        control = st.segmented_control("Temperature", LL.SAMPLING_TEMPERATURES, default=1.0,
                                       key="lecture_temperature", format_func=lambda t: f"T = {t:g}")
        control = 1.0 if control is None else float(control)
    elif slide.id == "transfer":  # one small live fine-tune the lecturer triggers (the page's run at N = 32)
        trained = st.session_state.get(TRANSFER_KEY, False)
        st.button(f"Trained live on {LL.TRANSFER_N} labels" if trained else
                  f"Train all three on {LL.TRANSFER_N} labels now", key="lecture_transfer_train",
                  on_click=train_transfer, disabled=trained,
                  icon=":material/play_arrow:", help="The transfer page's run (N = 32, seed 0): about 5 s on one "
                                                      "CPU thread, then shown as open circles on the curve")
        control = True if trained else None
    try:
        with st.spinner(f"Training three models on {LL.TRANSFER_N} labels...") if control is True else \
                contextlib.nullcontext():
            live = ui.memo(LL.live, slide.id, ui.projector(), control)
    except ModelUnavailable as exc:
        live = None
        st.error(f"**This slide's demo needs a model that could not be loaded.** {exc.message} "
                 f"{('Fix: `' + exc.fix + '`') if exc.fix else ''}", icon=":material/error:")

    if live is not None:
        if live.kind == "chart":
            st.vega_lite_chart(live.spec, width="stretch", theme=None)
        elif live.kind == "svg":
            st.image(live.svg, width=1000 if ui.projector() else "stretch")
        elif live.kind == "answer":
            st.markdown(live.text)
            if live.data is not None:
                ui.table(live.data)  # a plain table on the projector: no empty row below the last one
        elif live.kind == "metrics":
            cols = st.columns(len(live.metrics))
            for col, (label, value) in zip(cols, live.metrics):
                if slide.id == "agenda":
                    col.markdown(f"**{label}**  \n{value}")
                else:
                    col.metric(label, value)
        elif live.kind == "quote":
            st.markdown(f'<blockquote class="lecture-quote">\u201c{slide.quote}\u201d</blockquote>',
                        unsafe_allow_html=True)
            st.markdown(f"\u2014 {slide.source}")
        elif live.kind == "list":
            st.markdown("\n".join(f"- [{text}]({url})" if url else f"- {text}" for text, url in live.metrics))
        if said := L.notices(slide.id, live.numbers):
            st.container(key="lecture_number").markdown(" ".join(said))

    # ------------------------------------------------------------------------------------ go deeper, notes, files
    tools = st.container(horizontal=True, vertical_alignment="center", gap="small")
    # a button takes one shortcut: PageUp / PageDown (what a clicker sends) here, the arrows on hidden twins
    tools.button("Previous", key="lecture_prev", on_click=go, args=("prev",), shortcut="PageUp",
                 icon=":material/chevron_left:", disabled=n == 1)
    tools.markdown(f'<span class="lecture-counter" data-testid="lecture-counter">{n} / {M}</span>',
                   unsafe_allow_html=True, width="content")
    tools.button("Next", key="lecture_next", on_click=go, args=("next",), shortcut="PageDown",
                 icon=":material/chevron_right:", icon_position="right", disabled=n == M)
    query = L.go_deeper_query(slide, live.settings if live is not None else None)
    deeper = "Go deeper" if ui.projector() else f"Go deeper: {PAGE_TITLES[slide.page]}"  # short: one row
    tools.page_link(PAGE_PATHS[slide.page], label=deeper,
                    help=f"Open {PAGE_TITLES[slide.page]} with this slide's settings",
                    icon=":material/arrow_outward:", query_params=query or None)
    tools.button("Hide notes" if st.session_state[NOTES_KEY] else "Speaker notes", key="lecture_notes_btn",
                 on_click=toggle_notes, shortcut="N", icon=":material/speaker_notes:")
    if live is not None and live.kind in ("chart", "svg"):
        with tools.popover("Download", icon=":material/download:"):
            if live.kind == "chart":
                ui.download_chart(live.spec, live.data, name=f"slide-{n:02d}-{slide.id}", key=f"lecture_dl_{n}")
            else:
                st.download_button("SVG", live.svg.encode("utf-8"), file_name=f"slide-{n:02d}-{slide.id}.svg",
                                   mime="image/svg+xml", on_click="ignore", icon=":material/download:")

    with st.container(key="lecture_arrow_keys"):
        st.button("Previous slide (left arrow)", key="lecture_prev_arrow", on_click=go, args=("prev",),
                  shortcut="Left")
        st.button("Next slide (right arrow)", key="lecture_next_arrow", on_click=go, args=("next",),
                  shortcut="Right")

if st.session_state[NOTES_KEY]:
    with st.container(border=True, key="lecture_notes_panel"):
        st.markdown(f"**Speaker notes** (slide {n} of {M}; press N to hide)  \n{slide.notes}")
