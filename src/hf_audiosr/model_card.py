"""Render a model card (Hub README with YAML metadata) from ``model_cards/TEMPLATE.md``.

Inputs are what the training script and the benchmarks wrote: the model folder's ``config.json``
and ``training_recipe.json``, a benchmark ``summary.csv`` and, optionally, a speed JSON.
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from string import Template

from safetensors import safe_open


def _yaml_str(value: str) -> str:
    return json.dumps(value)


def results_yaml(rows: list[dict], name: str, dataset_name: str) -> str:
    """``model-index`` results for the rows of our model (one entry per condition/clip set)."""
    out = []
    for r in rows:
        metrics = [
            ("lsd", "LSD (log10 power, n_fft 2048, hop 512)", r["lsd"]),
            ("lsd_hf", "LSD above the input Nyquist", r["lsd_hf"]),
            ("lsd_lf", "LSD below the input Nyquist", r["lsd_lf"]),
            ("snr", "SNR (dB)", r["snr"]),
        ]
        out.append(
            f"  - task:\n      type: audio-to-audio\n      name: {_yaml_str('audio super-resolution ' + r['condition'])}"
        )
        out.append(
            f"    dataset:\n      name: {_yaml_str(dataset_name + ': ' + r['source'] + ' (n=' + str(r['n']) + ')')}"
        )
        out.append("      type: shared-eval")
        out.append("    metrics:")
        for key, label, value in metrics:
            out.append(
                f"    - type: {key}\n      name: {_yaml_str(label)}\n      value: {float(value):.4f}"
            )
    return "\n".join(out) if out else "  []"


def results_table(rows: list[dict], ours: str) -> str:
    """Markdown tables per (condition, source), our model in bold."""
    by_key: dict[tuple, list[dict]] = {}
    for r in rows:
        by_key.setdefault((r["condition"], r["source"]), []).append(r)
    lines = []
    for (cond, source), table in sorted(by_key.items()):
        if not any(r["system"] == ours for r in table):
            continue
        lines.append(f"**{cond}, clips of `{source}`**\n")
        lines.append("| system | n | LSD | LSD-HF | LSD-LF | SNR (dB) |")
        lines.append("|---|---|---|---|---|---|")
        for r in sorted(table, key=lambda r: float(r["lsd"])):
            label = f"**{r['system']} (this model)**" if r["system"] == ours else r["system"]
            lines.append(
                f"| {label} | {r['n']} | {float(r['lsd']):.3f} | {float(r['lsd_hf']):.3f} | "
                f"{float(r['lsd_lf']):.3f} | {float(r['snr']):.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def speed_summary(data: dict, name: str) -> str:
    """The card's "CPU speed" line from a ``scripts/benchmark_speed.py`` JSON: the fp32 RTF of
    ``name`` on its shortest input, and the CPU it was measured on (speed depends on the CPU far
    more than on anything else, so a figure without it says little)."""
    rtfs = [r for r in data.get("rows", []) if r.get("model") == name and "fp32_rtf" in r]
    if not rtfs:
        return "not measured"
    r = min(rtfs, key=lambda r: r["seconds"])
    cpu = data.get("cpu")
    threads = (cpu or {}).get("torch_threads", data.get("torch_threads"))
    if cpu:
        where = (
            f"{cpu.get('model') or cpu.get('machine') or 'a CPU'} (torch {cpu['capability']}, "
            f"{cpu.get('cores')} cores, {threads} torch threads)"
        )
    else:
        where = f"a CPU that was not recorded ({threads} torch threads)"
    return (
        f"real-time factor {r['fp32_rtf']:.4f} ({1 / r['fp32_rtf']:.0f}x real time) on a "
        f"{r['seconds']:.0f} s input, fp32, on {where} (`python scripts/benchmark_speed.py`)"
    )


_DTYPE_NAMES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def render_model_card(
    model_dir: str | os.PathLike,
    template: str | os.PathLike,
    *,
    name: str,
    summary: str,
    benchmark_csv: str | os.PathLike | None = None,
    speed_json: str | os.PathLike | None = None,
    train_command: str,
    benchmark_command: str,
    data_sources: list[str],
    validation: str,
    limitations: str,
    license: str = "cc-by-4.0",
    datasets: tuple[str, ...] = ("CSTR-Edinburgh/vctk", "openslr/librispeech_asr"),
) -> str:
    model_dir = Path(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    recipe = json.loads((model_dir / "training_recipe.json").read_text())
    args = recipe["args"]
    rows = []
    if benchmark_csv and Path(benchmark_csv).is_file():
        with open(benchmark_csv, newline="") as f:
            rows = list(csv.DictReader(f))
    ours = [r for r in rows if r["system"] == name]
    speed = "not measured"
    if speed_json and Path(speed_json).is_file():
        speed = speed_summary(json.loads(Path(speed_json).read_text()), name)
    weights = {
        "l2": args["loss_l2"],
        "stft/sc": args["loss_stft_sc"],
        "stft/mag": args["loss_stft_mag"],
    }
    loss_description = " + ".join(f"{v:g} x {k}" for k, v in weights.items() if v)
    if args.get("adversarial"):
        loss_description += (
            f" + {args['loss_adv_gen']:g} x adv/gen + {args['loss_adv_feat']:g} x adv/feat "
            f"(least-squares GAN against the {args['discriminators']} discriminators of base width "
            f"{args['discriminator_channels']}, from step {args['adversarial_start_step']})"
        )
    if args.get("init_from"):
        loss_description += f"; started from the weights of `{args['init_from']}`"
    degradations = ", ".join(
        f"{k} {args['degradation_' + k]:g}"
        for k in ("sinc", "cheby", "fft")
        if args["degradation_" + k]
    )
    vm = recipe.get("metrics", {})
    validation_metrics = (
        f"LSD {vm['val/lsd']:.3f}, SNR {vm['val/snr']:.2f} dB (n={vm.get('val/n')}, step {recipe['step']})"
        if "val/lsd" in vm
        else "not recorded"
    )
    size_mb = (model_dir / "model.safetensors").stat().st_size / 2**20
    with safe_open(str(model_dir / "model.safetensors"), framework="np") as f:
        stored = sorted({str(f.get_slice(k).get_dtype()) for k in f.keys()})
    weights_dtype = "/".join(_DTYPE_NAMES.get(d, d) for d in stored)
    # a model for any input band (BandNeXt) stores one ``sampling_rate`` and its band range
    in_sr = config.get("input_sampling_rate") or config["sampling_rate"]
    out_sr = config.get("output_sampling_rate") or config["sampling_rate"]
    top = in_sr // 2
    if config.get("conditions_on_bandwidth"):
        low, high = config["min_input_bandwidth_hz"], config["max_input_bandwidth_hz"]
        top = f"a cut-off anywhere from {low:.0f} to {high:.0f}"
    values = {
        "license": license,
        "model_type": config["model_type"],
        "datasets_yaml": "\n".join(f"- {d}" for d in datasets),
        "name": name,
        "results_yaml": results_yaml(ours, name, "hf-audiosr evaluation clips"),
        "summary": summary,
        "architecture": config.get("architectures", [config["model_type"]])[0],
        "preset": config.get("preset"),
        "input_rate": in_sr,
        "input_nyquist": top,
        "output_rate": out_sr,
        "output_rate_khz": out_sr // 1000,
        "num_parameters": f"{recipe['num_parameters']:,}",
        "size_mb": f"{size_mb:.1f}",
        "weights_dtype": weights_dtype,
        "speed": speed,
        "protocol": "sinc",
        "benchmark_command": benchmark_command,
        "results_table": results_table(rows, name)
        if rows
        else "_No benchmark results were given._",
        "train_command": train_command,
        "steps": recipe["step"],
        "batch_size": args["batch_size"],
        "segment_length": args["segment_length"],
        "learning_rate": args["learning_rate"],
        "min_lr_ratio": args["min_learning_rate_ratio"],
        "loss_description": loss_description,
        "degradations": degradations,
        "train_minutes": recipe["train_corpus_minutes"],
        "train_files": recipe["train_files"],
        "data_list": "\n".join(f"  - {d}" for d in data_sources),
        "validation": validation,
        "validation_metrics": validation_metrics,
        "limitations": limitations,
    }
    for key, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"model card value {key} is not finite")
    return Template(Path(template).read_text()).substitute(values)
