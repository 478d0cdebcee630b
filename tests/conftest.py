import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach the Hub; the Hub path is tested with local models
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("UFM_VALIDATE_CHARTS", "1")  # every chart spec a test builds is checked against Vega-Lite
