"""Peak memory of `hf-audiosr upsample` on an hour-long file vs a 10-second one.

    python scripts/benchmark_memory.py [--minutes 60] [--workdir outputs/memory]
        [--input-rate 8000] [--target-rate 48000] [--model auto]

Writes a FLAC of the requested length at ``--input-rate`` (the bundled 8 kHz example resampled to
that rate and tiled, written block by block), runs ``/usr/bin/time -v hf-audiosr upsample`` on it
and on a 10 s file (with ``--target-rate`` and ``--model`` when given), and reports both peak
resident set sizes, their ratio (bounded memory means a ratio near 1 whatever the length), the
wall time and the real-time factor of the long run, with the CPU they were measured on.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import soundfile as sf

import hf_audiosr
from hf_audiosr.cpu import cpu_capability


def make_file(path: Path, seconds: float, sr: int = 8000) -> None:
    from hf_audiosr.dsp import resample

    example, esr = sf.read(hf_audiosr.EXAMPLE_AUDIO, dtype="float32")
    if esr != sr:
        example = resample(example, esr, sr).astype("float32")
    total = int(seconds * sr)
    with sf.SoundFile(
        str(path), "w", samplerate=sr, channels=1, format="FLAC", subtype="PCM_16"
    ) as f:
        written, k = 0, 0
        while written < total:
            block = example[: total - written] * (0.6 + 0.4 * ((k % 5) / 4))  # vary the level
            f.write(block)
            written += len(block)
            k += 1


def peak_rss_mb(cmd: list[str]) -> tuple[float, float, str]:
    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is needed (Debian package 'time')")
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return int(match.group(1)) / 1024, wall, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--workdir", default="outputs/memory")
    parser.add_argument("--json", default=None)
    parser.add_argument("--input-rate", type=int, default=8000, help="rate of the file made")
    parser.add_argument("--target-rate", type=int, default=None, help="passed to upsample")
    parser.add_argument("--model", default=None, help="passed to upsample (default: auto)")
    args = parser.parse_args()
    extra = []
    if args.target_rate:
        extra += ["--target-rate", str(args.target_rate)]
    if args.model:
        extra += ["--model", args.model]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    cli = shutil.which("hf-audiosr") or sys.executable
    base_cmd = [cli] if cli.endswith("hf-audiosr") else [sys.executable, "-m", "hf_audiosr.cli"]
    short, long = work / "short_in.flac", work / f"long_{args.minutes:g}min_in.flac"
    make_file(short, 10.0, args.input_rate)
    make_file(long, args.minutes * 60, args.input_rate)
    short_out, long_out = work / "short_out.flac", work / "long_out.flac"
    rss_short, wall_short, _ = peak_rss_mb(
        [*base_cmd, "upsample", str(short), "-o", str(short_out), "--quiet", *extra]
    )
    rss_long, wall_long, _ = peak_rss_mb(
        [*base_cmd, "upsample", str(long), "-o", str(long_out), "--quiet", *extra]
    )
    out_info = sf.info(str(long_out))
    result = {
        "minutes": args.minutes,
        "input_rate": args.input_rate,
        "target_rate": args.target_rate,
        "model": args.model or "auto",
        "peak_rss_mb_10s": round(rss_short, 1),
        "peak_rss_mb_long": round(rss_long, 1),
        "ratio_long_vs_10s": round(rss_long / rss_short, 3),
        "wall_s_long": round(wall_long, 1),
        "rtf_long_including_startup": round(wall_long / (args.minutes * 60), 4),
        "output_seconds": out_info.frames / out_info.samplerate,
        "output_rate": out_info.samplerate,
        "cpu": cpu_capability().to_dict(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    for p in (short, long, short_out, long_out):
        p.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
