"""Real-time factor (processing time / audio duration) of the bundled models on this CPU.

    python scripts/benchmark_speed.py [--durations 10 600] [--threads N] [--bf16 auto]
        [--json out.json]

For every bundled model: one file (the model call on the whole input, through the pipeline with
its default 10 s chunks), fp32 and bf16, and a batch of 8 files of 10 s; plus training steps per
second for the model's recipe. Sinc interpolation of the same input runs in the same process as the
yardstick, and every RTF is also reported as a ratio to it, so numbers taken on a busy machine
stay comparable. The median of ``--repeats`` runs is reported.

Figures depend on the CPU far more than on anything else (bf16 is about twice as fast as fp32 on
a CPU with native bf16 and about 90 times slower on one without), so the output starts with the
CPU (torch's capability string, cores, torch threads, model name, native bf16 or not, the load
average) and the JSON carries the same under ``"cpu"``. bf16 is timed only where the CPU runs it
natively unless ``--bf16 always`` asks for the emulated figure too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

import hf_audiosr
from hf_audiosr.cpu import cpu_capability
from hf_audiosr.dsp import interpolate


def timed(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_model(name: str, args: argparse.Namespace, rng: np.random.Generator) -> list[dict]:
    rows = []
    pipe = hf_audiosr.pipeline(name)
    fe = pipe.feature_extractor
    sr, factor = fe.sampling_rate, fe.upsampling_factor
    if getattr(pipe.model.config, "conditions_on_bandwidth", False):
        # a model for any input band runs at its output rate: time it on the input the issue
        # targets name, 8 kHz for 16 kHz output and 16 kHz for 44.1/48 kHz output
        out_sr = fe.output_sampling_rate
        sr = 8000 if out_sr <= 16000 else 16000
        factor = out_sr // sr
    for seconds in args.durations:
        x = (0.1 * rng.standard_normal(int(sr * seconds))).astype(np.float32)
        repeats = args.repeats if seconds <= 60 else 1
        t_sinc = timed(lambda x=x: interpolate(x, factor, "sinc"), repeats)
        row = {"model": name, "seconds": seconds, "sinc_rtf": t_sinc / seconds}
        dtypes = [("fp32", torch.float32)] + ([("bf16", torch.bfloat16)] if args.time_bf16 else [])
        for label, dtype in dtypes:
            pipe.model.to(dtype)
            t = timed(lambda x=x: pipe(x, sampling_rate=sr), repeats)
            row[f"{label}_rtf"] = t / seconds
            row[f"{label}_vs_sinc"] = t / t_sinc
        pipe.model.to(torch.float32)
        rows.append(row)
        bf16 = f"bf16 RTF {row['bf16_rtf']:.4f}" if "bf16_rtf" in row else "bf16 not timed"
        print(
            f"{name:28} {seconds:6.0f} s  fp32 RTF {row['fp32_rtf']:.4f} ({1 / row['fp32_rtf']:.0f}x real time)  "
            f"{bf16}  sinc RTF {row['sinc_rtf']:.5f}  fp32/sinc {row['fp32_vs_sinc']:.1f}"
        )
    # batched folder-like use: 8 clips of 10 s in one call
    clips = [(0.1 * rng.standard_normal(sr * 10)).astype(np.float32) for _ in range(8)]
    t = timed(lambda: pipe(clips, sampling_rate=sr, batch_size=8), max(1, args.repeats - 1))
    rows.append({"model": name, "seconds": 80.0, "batched_fp32_rtf": t / 80.0})
    print(f"{name:28} 8 x 10 s batched fp32 RTF {t / 80.0:.4f}")
    # training steps per second at the recipe's sizes
    model = hf_audiosr.load_model(name).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    seg, batch = 8192, 16

    def step() -> None:
        xb = torch.randn(batch, seg // model.config.upsampling_factor) * 0.1
        yb = torch.randn(batch, seg) * 0.1
        model(input_values=xb, labels=yb).loss.backward()
        opt.step()
        opt.zero_grad()

    t_step = timed(step, args.train_steps)
    rows.append({"model": name, "train_steps_per_s": 1 / t_step, "batch": batch, "segment": seg})
    print(
        f"{name:28} training: {1 / t_step:.2f} steps/s (batch {batch} x {seg} samples, L2 loss only)"
    )
    return rows


def bench_preset(spec: str, seconds: float, repeats: int, rng: np.random.Generator) -> dict:
    """Time an architecture preset with random weights (speed does not depend on the weights).

    ``spec`` is ``arch:preset`` (8 kHz -> 16 kHz) or ``arch:preset:input_rate`` (-> 16 kHz). For an
    architecture that keeps the rate (input rate == output rate, e.g. ``bandnext``) the rate is
    the model's own (``bandnext:small:48000``; default: the preset's) and the yardstick is sinc
    interpolation by 2 of half as many samples (the resampling such a model's input needs)."""
    from hf_audiosr.models import build_config, build_model
    from hf_audiosr.pipeline_audio_super_resolution import AudioSuperResolutionPipeline

    arch, preset, *rest = spec.split(":")
    same_rate = build_config(arch, preset).upsampling_factor == 1
    if same_rate:
        out_sr = int(rest[0]) if rest else build_config(arch, preset).output_sampling_rate
        sr = out_sr
    else:
        sr, out_sr = (int(rest[0]) if rest else 8000), 16000
    config = build_config(arch, preset, input_sampling_rate=sr, output_sampling_rate=out_sr)
    model = build_model(config).eval()
    fe = hf_audiosr.AudioSRFeatureExtractor(
        sampling_rate=sr, output_sampling_rate=out_sr, interpolation=config.interpolation
    )
    pipe = AudioSuperResolutionPipeline(model=model, feature_extractor=fe)
    x = (0.1 * rng.standard_normal(int(sr * seconds))).astype(np.float32)
    if same_rate:
        t_sinc = timed(lambda: interpolate(x[: len(x) // 2], 2, "sinc"), repeats)
    else:
        t_sinc = timed(lambda: interpolate(x, out_sr // sr, "sinc"), repeats)
    t = timed(lambda: pipe(x, sampling_rate=sr), repeats)
    params = sum(p.numel() for p in model.parameters())
    print(
        f"{spec:28} {seconds:6.0f} s  fp32 RTF {t / seconds:.4f}  ({params:,} parameters)  fp32/sinc {t / t_sinc:.1f}"
    )
    return {
        "preset": spec,
        "seconds": seconds,
        "fp32_rtf": t / seconds,
        "vs_sinc": t / t_sinc,
        "parameters": params,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--durations", type=float, nargs="+", default=[10.0, 600.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument(
        "--models",
        nargs="*",
        default=None,
        help="bundled names (default: all; give the flag with no names to time presets only)",
    )
    parser.add_argument("--train-steps", type=int, default=10)
    parser.add_argument(
        "--bf16",
        choices=("auto", "always", "never"),
        default="auto",
        help="time bf16 inference too: auto (only where the CPU has native bf16; emulated bf16 "
        "is ~90x slower than fp32), always, never",
    )
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument(
        "--presets",
        nargs="*",
        default=[],
        help="also time untrained architecture presets, e.g. audiounet:paper tfilm_unet:small "
        "(8 kHz -> 16 kHz), tfnet:small:4000 (4 kHz -> 16 kHz) or bandnext:small:48000 (a model "
        "that keeps the rate, at 48 kHz); 10 s input",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cpu = cpu_capability()
    args.time_bf16 = args.bf16 == "always" or (args.bf16 == "auto" and cpu.native_bf16)
    load = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    print(f"CPU: {cpu.describe()}; load average {load}")
    if not args.time_bf16:
        print("bf16 not timed (" + ("--bf16 never" if args.bf16 == "never" else "not native") + ")")
    rng = np.random.default_rng(0)
    results = {
        "cpu": {**cpu.to_dict(), "load_average": load, "bf16": args.bf16},
        "torch_threads": torch.get_num_threads(),
        "rows": [],
    }
    names = list(hf_audiosr.bundled_models()) if args.models is None else args.models
    for name in names:
        results["rows"].extend(bench_model(name, args, rng))
    for spec in args.presets:
        results["rows"].append(bench_preset(spec, 10.0, args.repeats, rng))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
