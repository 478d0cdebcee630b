"""Training entry points. `python -m lib.train all` rebuilds every file in assets/models/.

Each group of models lives in its own module with a `main(names, out_dir) -> dict` function that trains (fixed
step counts, fixed seeds), saves safetensors + JSON configs under `out_dir`, evaluates on held-out data and returns a
JSON-serialisable report section with a `markdown` key holding the human-readable part.
"""
