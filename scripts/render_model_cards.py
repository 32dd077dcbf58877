"""Render model_cards/<name>.md and the checkpoint's README.md for every bundled model.

    python scripts/render_model_cards.py --benchmark outputs/benchmark/summary.csv --speed outputs/speed.json
        [--models NAME ...]

Per-model prose (summary, data sources, limitations) lives in model_cards/<name>.json; numbers come
from the files the training run and the benchmarks wrote.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from hf_audiosr.bundled import bundled_models
from hf_audiosr.model_card import render_model_card

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmark", default="outputs/benchmark/summary.csv")
    parser.add_argument("--speed", default="outputs/speed.json")
    parser.add_argument(
        "--models", nargs="+", default=None, help="only these bundled models (default: all)"
    )
    args = parser.parse_args()
    models = bundled_models()
    unknown = sorted(set(args.models or ()) - set(models))
    if unknown:
        parser.error(f"not bundled: {', '.join(unknown)}")
    for name, folder in models.items():
        if args.models and name not in args.models:
            continue
        spec_file = ROOT / "model_cards" / f"{name}.json"
        if not spec_file.is_file():
            print(f"skipping {name}: no {spec_file}")
            continue
        spec = json.loads(spec_file.read_text())
        card = render_model_card(
            folder,
            ROOT / "model_cards" / "TEMPLATE.md",
            name=name,
            benchmark_csv=args.benchmark,
            speed_json=args.speed,
            **spec,
        )
        out = ROOT / "model_cards" / f"{name}.md"
        out.write_text(card)
        shutil.copyfile(out, folder / "README.md")
        print(f"wrote {out} and {folder / 'README.md'}")


if __name__ == "__main__":
    main()
