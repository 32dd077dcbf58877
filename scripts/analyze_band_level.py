"""How loud a model fills the band it invents: LSD and the level bias above a frequency.

    python scripts/analyze_band_level.py --model bandnext-fullband-48k \
        --files "../shared/data/train/vctk48_again-vc/p228/*" --input-rate 8000 16000 24000

For each input rate, every file (resampled to the model's output rate when it is not) is cut to
that rate by sinc resampling (the benchmark's default protocol), super-resolved, and scored with
the LSD of ``hf_audiosr.metrics`` on the whole file (no silence trimmed). ``bias`` is the mean of
``log10 P_est - log10 P_ref`` (``P = max(|STFT|^2, 1e-8)``, n_fft 2048, hop 512: the LSD's own
spectrogram) over the bins above ``--above`` Hz: negative when the model fills that band too
quietly. This is the measurement that showed the first 48 kHz model filling the band above 16 kHz
about 10 dB too quietly on VCTK speech (README, "Full band").
"""

from __future__ import annotations

import argparse
import glob
import sys

import numpy as np


def log_power(x: np.ndarray) -> np.ndarray:
    """``log10 max(P, 1e-8)`` of the spectrogram ``hf_audiosr.metrics.lsd`` itself uses."""
    from hf_audiosr.metrics.functional import _power_spectrogram

    return np.log10(np.maximum(_power_spectrogram(x, 2048, 512), 1e-8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="bundled name or folder")
    parser.add_argument("--files", required=True, help="glob of reference audio files")
    parser.add_argument("--max-files", type=int, default=6)
    parser.add_argument("--input-rate", type=int, nargs="+", default=[8000, 16000, 24000])
    parser.add_argument("--output-rate", type=int, default=48000)
    parser.add_argument("--above", type=float, default=16000.0, help="bias above this (Hz)")
    args = parser.parse_args(argv)
    files = sorted(glob.glob(args.files))[: args.max_files]
    if not files:
        print(f"error: no files match {args.files!r}", file=sys.stderr)
        return 2

    from hf_audiosr import pipeline
    from hf_audiosr.audio_io import load_audio
    from hf_audiosr.benchmark import simulate_input
    from hf_audiosr.cpu import cpu_capability
    from hf_audiosr.dsp import resample
    from hf_audiosr.metrics import lsd

    pipe = pipeline(args.model)
    rate = args.output_rate
    first_bin = int(np.ceil(args.above / (rate / 2048)))
    cpu = cpu_capability()
    print(f"model {args.model}, {len(files)} files; {cpu.model}, torch {cpu.capability}")
    print(f"| input rate | LSD | bias above {args.above:.0f} Hz (log10 power) |")
    print("|---|---|---|")
    references = []
    for path in files:
        audio, sr = load_audio(path, always_2d=False)
        audio = np.asarray(audio, dtype=np.float64)
        if audio.ndim == 2:
            audio = audio.mean(axis=0)
        references.append(resample(audio, sr, rate) if sr != rate else audio)
    for input_rate in args.input_rate:
        scores, biases = [], []
        for ref in references:
            low = simulate_input(ref, rate, input_rate, "sinc").astype(np.float32)
            out = pipe(low, sampling_rate=input_rate, target_sampling_rate=rate)["audio"]
            out = np.asarray(out, dtype=np.float64)
            n = min(len(ref), len(out))
            scores.append(lsd(ref[:n], out[:n]))
            biases.append(float((log_power(out[:n]) - log_power(ref[:n]))[first_bin:].mean()))
        print(f"| {input_rate} | {np.mean(scores):.3f} | {np.mean(biases):+.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
