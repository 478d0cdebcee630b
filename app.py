"""Understanding Foundation Models: the entry point. It only sets up the page, draws the shared sidebar and routes.
The list of pages lives in lib/site.py (one line per page); page files live in app_pages/ (see lib/site.py)."""
from pathlib import Path

import streamlit as st

from lib import serve, site, ui

st.set_page_config(page_title="Understanding Foundation Models",
                   page_icon=str(Path(__file__).parent / "assets" / "favicon.png"), layout="wide",
                   # on a projector the whole 1280 px go to the lesson; the sidebar is one click away
                   initial_sidebar_state="collapsed" if ui.projector_requested() else "auto")

home = st.Page(site.HOME.path, title=site.HOME.title, icon=site.HOME.icon, default=True)
sections = {"": [home]}
for section, infos in site.pages_by_section().items():
    sections[section] = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path) for p in infos]

current = st.navigation(sections, expanded=True)
# the house CSS and scripts (one st.html, which the browser draws lazily: up to ~1.5 s after the page on a fresh tab)
ui.start_run()
ui.sidebar()
with serve.cold_start(current.url_path):  # a page's first run in the process: one at a time (lib/serve.py)
    current.run()
ui.write_url()
serve.after_run()  # server-wide GC policy (lib/serve.py): a few early runs freeze the long-lived heap
