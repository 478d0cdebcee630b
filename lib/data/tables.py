"""The data tables behind the pages (assets/data/*.csv, each with a `source` column), read with pandas or csv.
No Streamlit, no torch, and pandas only inside the functions that return a DataFrame."""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lib.paths import DATA

if TYPE_CHECKING:  # pandas is imported where a table is read: the home page reads the timeline without it
    import pandas as pd

TIMELINE_CSV = DATA / "model_timeline.csv"
PRESETS_CSV = DATA / "model_size_presets.csv"
PASSAGES_CSV = DATA / "passages.csv"


def read(name: str) -> pd.DataFrame:
    """One table of assets/data by file name, e.g. read("c4_funnel.csv")."""
    import pandas as pd

    return pd.read_csv(DATA / name)


# ------------------------------------------------------------------------------------- the timeline of key models
def load_timeline(path: Path = TIMELINE_CSV) -> pd.DataFrame:
    """Key models (and the milestones before them) by date; `parameters` is empty where our sources give none."""
    import pandas as pd

    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    if "phone_label" in df.columns:  # the name is drawn on a phone too (false: left to the tooltip); empty: true
        df["phone_label"] = df["phone_label"].fillna(True).astype(bool)
    return df.sort_values("date", kind="stable").reset_index(drop=True)  # same month: the CSV's order


def tokens_per_parameter(df: pd.DataFrame) -> pd.DataFrame:
    """Training tokens divided by parameters, for models whose token count is known (Chinchilla's rule: about 20)."""
    d = df.dropna(subset=["parameters", "training_tokens"]).copy()
    d["tokens_per_parameter"] = d["training_tokens"] / d["parameters"]
    return d[["model", "date", "parameters", "training_tokens", "tokens_per_parameter"]]


# ---------------------------------------------------------------------------------- model sizes from the chapter
@dataclass(frozen=True)
class Preset:
    model: str
    parameters: float
    active_parameters: float
    training_tokens: float | None
    source: str


@functools.lru_cache(maxsize=2)
def load_presets(path: str = str(PRESETS_CSV)) -> tuple[Preset, ...]:
    """Model sizes from the chapter (assets/data/model_size_presets.csv)."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tokens = row["training_tokens"].strip()
            out.append(Preset(row["model"], float(row["parameters"]), float(row["active_parameters"]),
                              float(tokens) if tokens else None, row["source"]))
    return tuple(out)


# ------------------------------------------------------------------------ one passage in many languages (tokens)
@dataclass(frozen=True)
class Passage:
    language: str
    code: str
    script: str
    text: str
    source: str


def load_passages(path: Path = PASSAGES_CSV) -> list[Passage]:
    """The same short passage in many languages; the first row is the English reference."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = [Passage(r["language"], r["code"], r["script"], r["text"], r["source"]) for r in csv.DictReader(f)]
    if not rows or rows[0].code != "en":
        raise ValueError(f"{path}: the first passage must be the English reference")
    return rows
