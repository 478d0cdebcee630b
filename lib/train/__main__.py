"""Rebuild the embedded models: `python -m lib.train all`, or one group / one model name at a time.

    python -m lib.train all          # every group, groups run in parallel processes (one CPU thread each)
    python -m lib.train seq2seq      # one group
    python -m lib.train gpt rnn      # several groups
    python -m lib.train lstm         # one model, by name (see NAMES)
    python -m lib.train report       # only merge the groups' reports into REPORT.md and report.json

Every group writes `assets/models/report_<group>.json`; afterwards this script merges them into
`assets/models/report.json` and `assets/models/REPORT.md`.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time

from lib.paths import MODELS as OUT_DIR, ROOT

# group -> module with main(names: list[str] | None, out_dir: Path) -> dict, and NAMES: list[str]
GROUPS = {
    "rnn": "lib.train.rnn_train",
    "seq2seq": "lib.train.seq2seq_train",
    "gpt": "lib.train.gpt_train",
    "transfer": "lib.train.transfer_train",
}


def _group_of(name: str) -> str:
    for group, module in GROUPS.items():
        if name == group:
            return group
        if name in getattr(importlib.import_module(module), "NAMES", []):
            return group
    raise SystemExit(f"unknown model or group {name!r}; groups: {', '.join(GROUPS)}")


def run_group(group: str, names: list[str] | None) -> dict:
    import torch

    threads = os.environ.get("TRAIN_THREADS", "1")
    os.environ["UFM_TORCH_THREADS"] = threads  # a model the trainer loads through the registry keeps this count
    torch.set_num_threads(int(threads))
    module = importlib.import_module(GROUPS[group])
    t0 = time.perf_counter()
    report = module.main(names, OUT_DIR)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    old = OUT_DIR / f"report_{group}.json"
    if names and old.exists():  # a partial rebuild keeps the other models' sections
        merged = json.loads(old.read_text())
        merged.update(report)
        report = merged
    old.write_text(json.dumps(report, indent=2, sort_keys=True))
    return report


def merge_reports() -> None:
    sections, md = {}, ["# Embedded models: evaluation report",
                        "",
                        "Written by `python -m lib.train` from fixed seeds; every figure is measured on held-out data.",
                        ""]
    for group in GROUPS:
        path = OUT_DIR / f"report_{group}.json"
        if not path.exists():
            continue
        section = json.loads(path.read_text())
        sections[group] = section
        md += [f"## {group}", "", f"Training time: {section.get('seconds', '?')} s (one CPU thread).", "",
               section.get("markdown", ""), ""]
    (OUT_DIR / "report.json").write_text(json.dumps(sections, indent=2, sort_keys=True))
    (OUT_DIR / "REPORT.md").write_text("\n".join(md))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="+", help="'all', a group, or model names")
    parser.add_argument("--serial", action="store_true", help="run groups one after another in this process")
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if args.targets == ["report"]:
        merge_reports()
        print(f"merged into {OUT_DIR / 'REPORT.md'}")
        return
    if args.targets == ["all"]:
        wanted = {g: None for g in GROUPS}
    else:
        wanted: dict[str, list[str] | None] = {}
        for target in args.targets:
            group = _group_of(target)
            if target == group:
                wanted[group] = None
            elif wanted.get(group, []) is not None:
                wanted.setdefault(group, []).append(target)
    if len(wanted) > 1 and not args.serial:
        # one process per group, one thread each: 2 cores train 2 groups at a time
        env = dict(os.environ, TRAIN_THREADS="1", OMP_NUM_THREADS="1")
        procs = []
        for group, names in wanted.items():
            cmd = [sys.executable, "-m", "lib.train", "--serial", *(names or [group])]
            procs.append((group, subprocess.Popen(cmd, cwd=ROOT, env=env)))
        failed = [g for g, p in procs if p.wait() != 0]
        if failed:
            raise SystemExit(f"training failed for: {', '.join(failed)}")
    else:
        for group, names in wanted.items():
            run_group(group, names)
    merge_reports()
    print(f"done in {time.perf_counter() - t0:.0f} s; report in {OUT_DIR / 'REPORT.md'}")


if __name__ == "__main__":
    main()
