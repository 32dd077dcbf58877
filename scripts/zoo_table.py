"""The README's model-zoo table from the benchmark and speed outputs.

    python scripts/zoo_table.py --benchmark outputs/benchmark/per_clip.csv \
        --speed outputs/speed.json --condition "8k->16k"

One table per condition. Our models and the interpolation baselines run on every clip of the
condition, so their means over all clips (LSD, LSD-HF, SNR) are comparable with each other.
Published systems exist only for their own clips, so every clip set that has published outputs
gets a column of its own: each cell is the mean LSD of that system on exactly those clips, and a
published system sits in the same column as ours on the same inputs. The CPU real-time factor of
ours is that of the model's architecture preset at its rates, 10 s of input, all timed in one run
of ``scripts/benchmark_speed.py --models --presets arch:preset[:input_rate] ...`` on this machine
(speed does not depend on the weights), and its column header names the CPU that run recorded;
for published systems it is the figure their authors reported on their own CPU
(``../shared/EVALUATION.md``), marked as such.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from pathlib import Path

from hf_audiosr.bundled import bundled_models, model_summary

# CPU real-time factors published by AP-BWE's authors for a 16 kHz target (their CPU), and for
# a 48 kHz target; see ../shared/EVALUATION.md.
PUBLISHED_RTF = {
    16000: {"TFiLM": 0.33, "AFiLM": 0.50, "NVSR": 0.76, "AERO": 0.44, "AP-BWE": 0.034},
    48000: {"NU-Wave 2": 92.6, "mdctGAN": 0.25, "AP-BWE": 0.055},
}


def clip_set_label(source: str) -> str:
    """Short column names for the evaluation's clip sets."""
    labels = {
        "ap-bwe_vctk_peers": "AP-BWE demo",
        "kuleshov_tfilm_vctk_piano": "Kuleshov",
        "nuwave2_vctk_peers": "NU-Wave 2 demo",
    }
    base, _, derived = source.partition(" (from ")
    label = labels.get(base, base)
    return f"{label}, {derived.removesuffix(' outputs)')} outputs" if derived else label


def describe(system: str, models: dict[str, dict]) -> dict | None:
    """Architecture, parameters and preset of one of our systems (a bundled name or a folder)."""
    if system in models:
        return models[system]
    path = Path(system)
    if (path / "config.json").is_file() and (path / "model.safetensors").is_file():
        return model_summary(system, path)
    return None


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "-"


def cpu_label(cpu: dict | None) -> str:
    """The CPU a speed run recorded (``benchmark_speed.py``'s ``"cpu"``), e.g. ``AMD EPYC, AVX2,
    2 cores``."""
    if not cpu:
        return "CPU not recorded"
    parts = [cpu.get("model") or cpu.get("machine"), cpu.get("capability")]
    if cpu.get("cores"):
        parts.append(f"{cpu['cores']} cores")
    return ", ".join(str(p) for p in parts if p)


def build_table(
    rows: list[dict],
    speed: list[dict],
    skip_prefixes: tuple[str, ...],
    cpu: dict | None = None,
) -> list[str]:
    models = {name: model_summary(name, path) for name, path in bundled_models().items()}
    preset_rtf = {r["preset"]: r["fp32_rtf"] for r in speed if "preset" in r}
    rows = [r for r in rows if not r["system"].startswith(skip_prefixes)]
    # every clip set that has at least one published system gets a column
    clip_sets = sorted(
        {r["source"] for r in rows if r["kind"] == "peer"},
        key=lambda s: (-len({r["reference"] for r in rows if r["source"] == s}), s),
    )
    per_set: dict[tuple[str, str], list[float]] = defaultdict(list)
    pooled: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, str] = {}
    for r in rows:
        kinds[r["system"]] = r["kind"]
        per_set[(r["system"], r["source"])].append(float(r["lsd"]))
        if r["kind"] in ("ours", "baseline"):
            for key in ("lsd", "lsd_hf", "snr"):
                pooled[r["system"]][key].append(float(r[key]))
    n_all = max((len(v["lsd"]) for v in pooled.values()), default=0)
    set_n = {s: len({r["reference"] for r in rows if r["source"] == s}) for s in clip_sets}
    target_rate = int(rows[0]["target_rate"]) if rows else 0
    published_rtf = PUBLISHED_RTF.get(target_rate, {})

    header = ["system", "kind", "architecture", "parameters", "training steps"]
    header += [f"CPU RTF ({cpu_label(cpu)})"]
    header += [f"LSD, all {n_all} clips", "LSD-HF", "SNR (dB)"]
    header += [f"LSD, {clip_set_label(s)} (n={set_n[s]})" for s in clip_sets]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else math.nan

    ours = sorted(pooled, key=lambda s: mean(pooled[s]["lsd"]))
    peers = sorted(
        {s for s, k in kinds.items() if k == "peer"},
        key=lambda s: min(mean(per_set[(s, c)]) for c in clip_sets if (s, c) in per_set),
    )
    for system in ours + peers:
        info = describe(system, models)
        arch = info["architecture"].removeprefix("audiosr-") if info else "-"
        params = f"{info['num_parameters']:,}" if info and info["num_parameters"] else "-"
        total = info["training"]["total_steps"] if info else None
        steps = f"{total:,}" if total else "-"
        key = None
        if info:
            key = f"{arch.replace('-', '_')}:{info['preset']}"
            if info["input_sampling_rate"] != 8000:
                key += f":{info['input_sampling_rate']}"
        if key in preset_rtf:
            speed_s = f"{preset_rtf[key]:.4f}"
        elif system in published_rtf:
            speed_s = f"{published_rtf[system]} (published, their CPU)"
        else:
            speed_s = "-"
        m = pooled.get(system)
        overall = (
            [fmt(mean(m["lsd"])), fmt(mean(m["lsd_hf"])), fmt(mean(m["snr"]), 2)]
            if m and len(m["lsd"]) == n_all
            else ["-", "-", "-"]
        )
        cells = [system, kinds[system], arch, params, steps, speed_s, *overall]
        cells += [fmt(mean(per_set.get((system, s), []))) for s in clip_sets]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", default="outputs/benchmark/per_clip.csv")
    parser.add_argument("--speed", default="outputs/speed.json")
    parser.add_argument("--condition", default="8k->16k")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=["AP-BWE ablation"],
        help="leave out systems whose name starts with one of these",
    )
    args = parser.parse_args()
    with open(args.benchmark, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["condition"] == args.condition]
    if not rows:
        raise SystemExit(f"no rows for condition {args.condition!r} in {args.benchmark}")
    speed_path = Path(args.speed)
    speed = json.loads(speed_path.read_text()) if speed_path.is_file() else {}
    table = build_table(rows, speed.get("rows", []), tuple(args.skip), speed.get("cpu"))
    print("\n".join(table))


if __name__ == "__main__":
    main()
