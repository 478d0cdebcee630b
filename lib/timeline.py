"""The timeline of key models (assets/data/model_timeline.csv) and the figures the home page computes from it.
Pandas only: the home page must open without torch."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TIMELINE_CSV = ROOT / "assets" / "data" / "model_timeline.csv"


def load_timeline(path: Path = TIMELINE_CSV) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date").reset_index(drop=True)


@dataclass
class Growth:
    first: str
    last: str
    ratio: float           # parameters of the largest model / parameters of the first dated one
    years: float
    doubling_months: float  # from a least-squares fit of log2(parameters) on time
    per_year: float         # multiplicative growth per year from the same fit


def parameter_growth(df: pd.DataFrame) -> Growth:
    """How fast parameter counts grew across the models in `df` (rows without a count are ignored)."""
    d = df.dropna(subset=["parameters"]).sort_values("date")
    if len(d) < 2:
        raise ValueError("need at least two models with a parameter count")
    years = (d["date"] - d["date"].iloc[0]).dt.days.to_numpy() / 365.25
    slope, _ = np.polyfit(years, np.log2(d["parameters"].to_numpy(dtype=float)), 1)
    biggest = d.loc[d["parameters"].idxmax()]
    first = d.iloc[0]
    return Growth(first=first["model"], last=biggest["model"],
                  ratio=float(biggest["parameters"] / first["parameters"]),
                  years=float((biggest["date"] - first["date"]).days / 365.25),
                  doubling_months=12.0 / slope if slope > 0 else math.inf,
                  per_year=float(2.0 ** slope))


def tokens_per_parameter(df: pd.DataFrame) -> pd.DataFrame:
    """Training tokens divided by parameters, for models whose token count is known (Chinchilla's rule: about 20)."""
    d = df.dropna(subset=["parameters", "training_tokens"]).copy()
    d["tokens_per_parameter"] = d["training_tokens"] / d["parameters"]
    return d[["model", "date", "parameters", "training_tokens", "tokens_per_parameter"]]


def human(n: float) -> str:
    """1.5e9 -> '1.5 B', 2e12 -> '2 T'."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            v = n / size
            return f"{v:,.0f} {unit}" if v >= 100 else f"{v:.3g} {unit}"
    return f"{n:.3g}"


def times(r: float) -> str:
    """A ratio as people say it: 1496.3 -> '1,496x', 2.914 -> '2.91x'."""
    return f"{r:,.0f}x" if r >= 100 else f"{r:.3g}x"
