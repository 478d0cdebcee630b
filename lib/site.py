"""The table of contents: every page of the app, in lecture order. app.py builds st.navigation from it and the home
page links to it, so a page is added in one place. No Streamlit or torch here (the home page imports it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Page files live in app_pages/, never in a folder (or file) named `pages` next to app.py: Streamlit 1.67 then
# treats the app as an old-style multipage app. AppTest stops re-running app.py after the first run (the shared
# sidebar vanishes), and a fresh server answers its first deep link with "Page not found".

SECTIONS = ["The lecture", "From RNNs to attention", "Data and training", "Using models", "Going further"]


@dataclass(frozen=True)
class PageInfo:
    path: str          # relative to the repository root, e.g. "app_pages/rnn_unrolling.py"
    title: str
    icon: str          # a Material icon, ":material/...:"
    section: str       # one of SECTIONS, or "" for the home page
    summary: str       # one line for the home page's agenda

    @property
    def url_path(self) -> str:
        return Path(self.path).stem.replace("_", "-")


HOME = PageInfo("app_pages/home.py", "Home", ":material/home:", "",
                "From machine learning to foundation models: the agenda, the two innovations, a timeline.")

# One line per page, in lecture order. Register a page here only once it works: no placeholders.
PAGES: list[PageInfo] = [
    PageInfo("app_pages/lecture.py", "Lecture slides", ":material/slideshow:", "The lecture",
             "The chapter as a talk: one idea per projector screen, driven by a clicker."),
    PageInfo("app_pages/rnn_unrolling.py", "RNN unrolling", ":material/replay:", "From RNNs to attention",
             "A recurrent network reads one character per step; its hidden state and its fading gradients."),
    PageInfo("app_pages/seq2seq_bottleneck.py", "The seq2seq bottleneck", ":material/compress:", "From RNNs to attention",
             "One vector between encoder and decoder: translations fall apart as sentences grow, unless attention."),
    PageInfo("app_pages/attention_alignment.py", "Attention alignment", ":material/grid_on:", "From RNNs to attention",
             "Where the decoder looks at each output word, against the grammar's true alignment."),
    PageInfo("app_pages/transfer_learning.py", "Transfer learning", ":material/trending_up:", "From RNNs to attention",
             "ULMFiT live: a pre-trained LSTM fine-tuned on a few labels, against the same network from scratch."),
    PageInfo("app_pages/data_sources.py", "Training data sources", ":material/public:", "Data and training",
             "Common Crawl and C4: the cleaning rules live, who they remove, what tokens cost other languages."),
    PageInfo("app_pages/post_training.py", "Post-training", ":material/school:", "Data and training",
             "Pre-training, SFT and DPO: three checkpoints of our tiny GPT side by side, and a live DPO run."),
    PageInfo("app_pages/sampling_hallucination.py", "Sampling and hallucination", ":material/casino:",
             "Using models",
             "Temperature, top-k, top-p on real logits; many samples; fluent answers about invented countries."),
    PageInfo("app_pages/transformer.py", "The Transformer", ":material/hub:", "Going further",
             "Every attention head of the tiny GPT, one head worked through by hand, where the parameters are."),
    PageInfo("app_pages/model_size.py", "Model size", ":material/straighten:", "Going further",
             "Parameters from a model's shape, training tokens, compute (6 N D), days and dollars."),
]


def pages_by_section() -> dict[str, list[PageInfo]]:
    """Sections in lecture order, each with its registered pages (empty sections left out)."""
    out: dict[str, list[PageInfo]] = {}
    for section in SECTIONS:
        found = [p for p in PAGES if p.section == section]
        if found:
            out[section] = found
    unknown = {p.section for p in PAGES} - set(SECTIONS)
    if unknown:
        raise ValueError(f"pages registered under unknown sections: {sorted(unknown)}")
    return out
