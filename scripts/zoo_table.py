"""The README's model-zoo table from the benchmark and speed outputs.

    python scripts/zoo_table.py --benchmark outputs/benchmark/per_clip.csv --speed outputs/speed.json

Our models and the interpolation baselines are averaged over every clip of the condition (they all
run on all of them, so their means are comparable); published systems exist only for their own
clips, so they are listed on the single clip where all of them are present.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from pathlib import Path

from hf_audiosr.bundled import bundled_models, model_summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmark", default="outputs/benchmark/per_clip.csv")
    parser.add_argument("--speed", default="outputs/speed.json")
    parser.add_argument("--condition", default="8k->16k")
    parser.add_argument("--peer-clip-source", default="ap-bwe_vctk_peers")
    args = parser.parse_args()
    with open(args.benchmark, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["condition"] == args.condition]
    speed = json.loads(Path(args.speed).read_text())["rows"] if Path(args.speed).is_file() else []
    rtf = {r["model"]: r["fp32_rtf"] for r in speed if r.get("seconds") == 10.0 and "model" in r}
    preset_rtf = {r["preset"]: r["fp32_rtf"] for r in speed if "preset" in r}
    pooled: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["kind"] in ("ours", "baseline"):
            for k in ("lsd", "lsd_hf", "snr"):
                pooled[r["system"]][k].append(float(r[k]))
    models = {name: model_summary(name, path) for name, path in bundled_models().items()}
    print("| model | architecture | parameters | n | LSD | LSD-HF | SNR (dB) | CPU RTF |")
    print("|---|---|---|---|---|---|---|---|")
    order = sorted(pooled, key=lambda s: sum(pooled[s]["lsd"]) / len(pooled[s]["lsd"]))
    for system in order:
        m = pooled[system]
        mean = {k: sum(v) / len(v) for k, v in m.items()}
        info = models.get(system)
        arch = info["architecture"].removeprefix("audiosr-") if info else "-"
        params = f"{info['num_parameters']:,}" if info else "-"
        key = f"{arch.replace('-', '_')}:{info['preset']}" if info else None
        if system in rtf:
            speed_s = f"{rtf[system]:.4f}"
        elif key in preset_rtf:
            speed_s = f"{preset_rtf[key]:.4f}"
        else:
            speed_s = "-"
        print(
            f"| {system} | {arch} | {params} | {len(m['lsd'])} | {mean['lsd']:.3f} | "
            f"{mean['lsd_hf']:.3f} | {mean['snr']:.2f} | {speed_s} |"
        )
    clip = [r for r in rows if r["source"] == args.peer_clip_source]
    if clip:
        print(f"\nOn the {args.peer_clip_source} {args.condition} clip (n = 1), every system:\n")
        print("| system | kind | LSD | LSD-HF | SNR (dB) |")
        print("|---|---|---|---|---|")
        for r in sorted(clip, key=lambda r: float(r["lsd"])):
            snr = float(r["snr"])
            print(
                f"| {r['system']} | {r['kind']} | {float(r['lsd']):.3f} | {float(r['lsd_hf']):.3f} | "
                f"{snr:.2f} |"
                if math.isfinite(snr)
                else f"| {r['system']} | {r['kind']} | ... |"
            )


if __name__ == "__main__":
    main()
