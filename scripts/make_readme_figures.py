"""The README's before/after spectrograms: speech 16 -> 48 kHz and music 22.05 -> 44.1 kHz.

    python scripts/make_readme_figures.py [--model bandnext-fullband-48k] [--out docs/images]

Speech: the first NU-Wave 2 demo clip (VCTK, held out of training), its 48 kHz original resampled
(sinc) to 16 kHz. Music: the first of ``scripts/benchmark_music.py``'s mixes of the held-out
instruments (seed 0), resampled to 22.05 kHz. Each goes through ``hf_audiosr.pipeline`` with its
defaults, and the PNG shows the input, the output and the original; the LSD of the output and of
sinc interpolation are printed (and put in each title) so the picture can be checked against the
benchmark tables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
SPEECH = DATA / "eval" / "nuwave2_vctk_peers" / "16k" / "original_48k" / "sample_0.flac"


def figure(pipe, reference, ref_sr, low_sr, path, what) -> str:
    from hf_audiosr.dsp import degrade, resample
    from hf_audiosr.metrics.functional import align, lsd
    from hf_audiosr.plotting import plot_before_after

    low = degrade(reference, ref_sr, low_sr, "sinc").astype(np.float32)
    out = pipe(low, sampling_rate=low_sr, target_sampling_rate=ref_sr)
    ours = lsd(*align(reference, out["audio"]))
    sinc = lsd(*align(reference, resample(low, low_sr, ref_sr)))
    title = (
        f"{what}: {low_sr / 1000:g} kHz -> {ref_sr / 1000:g} kHz by {out['model']} "
        f"(LSD {ours:.2f}; sinc interpolation {sinc:.2f})"
    )
    plot_before_after(
        low, low_sr, out["audio"], ref_sr, path, title=title, reference=reference,
        reference_sr=ref_sr, labels=("input", "output", "original"),
    )  # fmt: skip
    return f"{path}: {title}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="bandnext-fullband-48k")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    import hf_audiosr
    from hf_audiosr.audio_io import load_audio

    sys.path.insert(0, str(ROOT / "scripts"))
    from benchmark_music import RATE, held_out_files, make_mixes

    args.out.mkdir(parents=True, exist_ok=True)
    pipe = hf_audiosr.pipeline(args.model)
    speech, sr = load_audio(SPEECH)
    print(
        figure(pipe, speech.mean(axis=0), sr, 16000, args.out / "speech_16k_to_48k.png", "speech")
    )
    files = held_out_files(DATA / "train")
    if not files:
        raise SystemExit(f"no held-out instruments under {DATA / 'train'}")
    music = make_mixes(files, 1, 6.0, seed=0)[0].astype(np.float64)
    print(figure(pipe, music, RATE, 22050, args.out / "music_22k_to_44k.png", "music"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
