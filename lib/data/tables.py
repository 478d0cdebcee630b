"""The data tables behind the pages (assets/data/*.csv, each with a `source` column), read with pandas or csv.
No Streamlit, no torch, and pandas only inside the functions that return a DataFrame."""
from __future__ import annotations

import csv
import datetime as dt
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


@dataclass(frozen=True)
class TimelineRow:
    """One model of the timeline, read without pandas (the home page must open on the standard library)."""
    model: str
    date: dt.date
    parameters: float | None
    parameters_text: str
    family: str
    training_data: str
    training_tokens: float | None
    source: str


def _number(cell: str | None) -> float | None:
    cell = (cell or "").strip()
    return float(cell) if cell else None


@functools.lru_cache(maxsize=2)
def timeline_rows(path: str = str(TIMELINE_CSV)) -> tuple[TimelineRow, ...]:
    """The timeline's rows by date, as load_timeline orders them (same month: the CSV's order), with the csv module."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = [TimelineRow(r["model"], dt.date.fromisoformat(r["date"].strip()[:10]), _number(r["parameters"]),
                            r["parameters_text"], r["family"], r["training_data"], _number(r["training_tokens"]),
                            r["source"]) for r in csv.DictReader(f)]
    return tuple(sorted(rows, key=lambda m: m.date))  # sorted() is stable


def tokens_per_parameter_pairs(rows: tuple[TimelineRow, ...]) -> tuple[tuple[str, float], ...]:
    """(model, training tokens / parameters) for the rows with both counts, in their order: tokens_per_parameter
    without pandas."""
    return tuple((m.model, m.training_tokens / m.parameters) for m in rows
                 if m.parameters is not None and m.training_tokens is not None)


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
