"""Where things live: the one place that knows the repository's folders (no Streamlit, no torch)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
MODELS = ASSETS / "models"
DATA = ASSETS / "data"
ARTIFACTS = ROOT / "artifacts"
