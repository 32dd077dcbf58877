"""Music to 44.1 kHz: LSD of the bundled full-band models against sinc interpolation and the MP3.

    python scripts/benchmark_music.py [--data ../shared/data/train] [--model NAME ...]
        [--clips 16] [--seconds 4] [--condition 11k --condition 22k --condition mp3_128k ...]
        [--out outputs/music_benchmark]

The clips are music no bundled model was trained on: the instruments that the 48 kHz training
configs hold out (``configs/bandnext_*_anyband_48k.json``: the Horse Pulse bass tagelharpa and the
ColomboAcoustic drum kit of ``../shared/data/train``, lossless 44.1 kHz). Each clip is a
deterministic polyphonic mix (seeded): 3-6 one-shots of those instruments, mono, random onsets
and gains, peak-normalised. Conditions:

* ``11k`` / ``22k``: the clip resampled (sinc) to 11.025 / 22.05 kHz: rows for sinc interpolation
  back to 44.1 kHz (the baseline the issue sets: at most half its LSD) and for each model;
* ``mp3_<kbps>k``: the clip through MP3 at 44.1 kHz (libsndfile in memory, delay removed; LAME
  cuts the band at 16-20 kHz): rows for the MP3 itself and for each model run on it.

Models run through ``hf_audiosr.pipeline`` with their defaults (the input's band measured, the
band it holds kept), ``target_sampling_rate=44100``. LSD: :func:`hf_audiosr.metrics.functional.lsd`
(n_fft 2048, hop 512) over the whole band, and above the input's band (its Nyquist; for MP3 above
16 kHz, the band it loses). The table also gives the input's band: the Nyquist, or what
:func:`hf_audiosr.bandwidth.estimate_bandwidth` measures on the MP3. Writes ``tables.md`` and
``results.json`` under ``--out``; prints the table with the command and the CPU.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "train"
RATE = 44100
HELD_OUT = ("music44_horsepulse_sfzinstruments/", "music44_hydrogen_drumkits/ColomboAcoustic/")
CONDITIONS = ("11k", "22k", "mp3_64k", "mp3_128k")
INPUT_RATES = {"11k": 11025, "22k": 22050}
CODEC_HF_FROM_HZ = 16000.0  # the band an MP3 loses (LAME cuts at 15-20 kHz by bit rate)


def held_out_files(data: Path) -> list[Path]:
    with open(data / "MANIFEST.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [data / r["path"] for r in rows if r["path"].startswith(HELD_OUT)]


def make_mixes(files: list[Path], n: int, seconds: float, seed: int = 0) -> list[np.ndarray]:
    """``n`` polyphonic mono clips of ``seconds`` at 44.1 kHz, each 3-6 one-shots of ``files``
    (at least one of each held-out instrument when both are there) at random onsets and gains."""
    from hf_audiosr.audio_io import load_audio
    from hf_audiosr.dsp import resample

    rng = np.random.default_rng(seed)
    cache: dict[Path, np.ndarray] = {}

    def shot(path: Path) -> np.ndarray:
        if path not in cache:
            audio, rate = load_audio(path)  # (channels, time)
            mono = audio.mean(axis=0)
            cache[path] = resample(mono, rate, RATE).astype(np.float64)
        return cache[path]

    groups = [[f for f in files if h in f.as_posix()] for h in HELD_OUT]
    groups = [g for g in groups if g]
    length = int(seconds * RATE)
    clips = []
    for _ in range(n):
        out = np.zeros(length)
        picks = [g[rng.integers(len(g))] for g in groups]
        picks += [
            files[i] for i in rng.integers(len(files), size=int(rng.integers(3, 7)) - len(picks))
        ]
        for path in picks:
            x = shot(path)[:length]
            start = int(rng.integers(0, max(1, length - len(x) // 2)))
            seg = x[: length - start]
            out[start : start + len(seg)] += seg * 10 ** (rng.uniform(-12, 0) / 20)
        peak = np.max(np.abs(out))
        clips.append((out / peak * rng.uniform(0.5, 0.9)).astype(np.float32) if peak > 0 else out)
    return clips


def make_input(clip: np.ndarray, condition: str) -> tuple[np.ndarray, int]:
    from hf_audiosr.codecs import codec_roundtrip
    from hf_audiosr.dsp import degrade

    if condition in INPUT_RATES:
        return degrade(clip, RATE, INPUT_RATES[condition], "sinc").astype(np.float32), INPUT_RATES[
            condition
        ]
    return codec_roundtrip(clip, RATE, condition), RATE


def score(reference: np.ndarray, estimate: np.ndarray, band_hz: float) -> dict:
    from hf_audiosr.metrics.functional import align, lsd

    ref, est = align(reference, estimate)
    return {
        "lsd": lsd(ref, est),
        "lsd_hf": lsd(ref, est, sampling_rate=RATE, band="high", cutoff_hz=band_hz),
    }


def default_models() -> list[str]:
    from hf_audiosr.routing import model_specs

    return [spec.name for spec in model_specs() if RATE in spec.output_sampling_rates]


def run(args) -> dict:
    import hf_audiosr
    from hf_audiosr.bandwidth import estimate_bandwidth
    from hf_audiosr.dsp import interpolate

    files = held_out_files(args.data)
    if not files:
        raise SystemExit(f"error: no held-out instrument files under {args.data}")
    clips = make_mixes(files, args.clips, args.seconds, args.seed)
    models = args.model or default_models()
    pipes = {name: hf_audiosr.pipeline(name) for name in models}
    rows = []
    for condition in args.condition or CONDITIONS:
        for i, clip in enumerate(clips):
            x, rate = make_input(clip, condition)
            if condition in INPUT_RATES:
                band = hf_from = rate / 2
                systems = {"sinc interpolation": interpolate(x, RATE // rate, "sinc")}
            else:
                band = float(estimate_bandwidth(x, rate).cutoff_hz)
                hf_from = CODEC_HF_FROM_HZ
                systems = {f"{condition.split('_')[0].upper()} itself": x}
            for name, pipe in pipes.items():
                out = pipe(x, sampling_rate=rate, target_sampling_rate=RATE)
                assert out["sampling_rate"] == RATE, (name, out["sampling_rate"])
                systems[name] = np.asarray(out["audio"]).reshape(-1)
            for system, y in systems.items():
                rows.append(
                    {"condition": condition, "clip": i, "system": system, "input_band_hz": band}
                    | score(clip, y, hf_from)
                )
    return {"rows": rows, "models": models, "files": len(files)}


def summarize(rows: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["condition"], r["system"]), []).append(r)
    return [
        {
            "condition": condition,
            "system": system,
            "n": len(sel),
            **{k: float(np.mean([r[k] for r in sel])) for k in ("lsd", "lsd_hf", "input_band_hz")},
        }
        for (condition, system), sel in groups.items()
    ]


def markdown(summary: list[dict]) -> str:
    lines = [
        "| input | system | n | LSD | LSD-HF | input band (kHz) |",
        "|---|---|---|---|---|---|",
    ]
    for s in summary:
        lines.append(
            f"| {s['condition']} | {s['system']} | {s['n']} | {s['lsd']:.3f} | "
            f"{s['lsd_hf']:.3f} | {s['input_band_hz'] / 1000:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--model", action="append", help="default: bundled models with 44.1 kHz out"
    )
    parser.add_argument("--condition", action="append", help=f"default: {CONDITIONS}")
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "music_benchmark")
    args = parser.parse_args(argv)
    if not (args.data / "MANIFEST.csv").is_file():
        print(f"error: {args.data / 'MANIFEST.csv'} not found", file=sys.stderr)
        return 2
    for c in args.condition or ():
        if c not in INPUT_RATES and not c.startswith(("mp3_", "vorbis_", "opus_")):
            parser.error(f"unknown condition {c!r}: 11k, 22k or a codec such as mp3_128k")

    from hf_audiosr.cpu import cpu_capability

    start = time.perf_counter()
    result = run(args)
    summary = summarize(result["rows"])
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    cpu = cpu_capability().describe()
    table = markdown(summary)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tables.md").write_text(f"`{command}`\n\n{table}\n")
    record = {"command": command, "cpu": cpu, "summary": summary} | result
    (args.out / "results.json").write_text(json.dumps(record, indent=1))
    print(table)
    print(
        f"\n{args.clips} clips of {args.seconds:g} s from {result['files']} held-out files; "
        f"{(time.perf_counter() - start) / 60:.1f} min on {cpu}; wrote {args.out}/tables.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
