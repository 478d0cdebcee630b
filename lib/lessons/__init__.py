"""One module per page, named like the page file: `app_pages/P.py` draws, `lib/lessons/P.py` computes.

A lesson module holds everything its page computes (from models, data and the user's input) and a pure
`notices(...) -> list[str]` that writes the page's "What to notice" from those numbers. Lessons import models, data
and charts; nothing below them (models, data, train, charts) imports a lesson, and no lesson imports streamlit."""
