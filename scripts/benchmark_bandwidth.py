"""How well `estimate_bandwidth` agrees with the independent bandwidth check of a manifest.

    python scripts/benchmark_bandwidth.py [--manifest ../shared/data/train/MANIFEST.csv]
        [--limit N] [--derived 8] [--csv out.csv] [--show-disagreements 20]

For every file of the manifest it measures the bandwidth and compares it with the manifest's own
columns (measured by a different detector when the data was collected):

* ``wideband_check``: ``wideband`` / ``wideband-low-HF-energy`` should come out full band;
  ``BAND-LIMITED@X`` / ``SUSPECT-LOWPASS@X`` should come out with a cut-off within 10 % of X
  (unless the row's note says the flag is a false positive, then full band is expected); a note
  saying "nothing above ~X kHz" overrides the column (a cut-off within 10 % of X expected);
* ``rolloff999_hz`` (the frequency under which 99.9 % of the energy lies): the measured cut-off
  should not be below it (content above a real cut-off holds far less than 0.1 % of the energy).

Then, on ``--derived`` real speech files per condition, it builds inputs with a known cut-off:
16 kHz speech resampled to 48 kHz (8 kHz expected), 48 kHz speech taken down to 8 kHz and back up
(4 kHz expected), 48 kHz speech through 16 kHz (8 kHz), 44.1 kHz music through an MP3 round trip
at libsndfile's default settings and (stereo files) at 128 kb/s CBR (about 16.5 kHz expected), and
48 kHz speech through a 300-3400 Hz telephone band-pass, at 48 and at 8 kHz (3.4 kHz expected),
and through mu-law or GSM 6.10 at 8 kHz (full band at 8 kHz; 4 kHz once upsampled to 48 kHz),
each within 10 %; the kinds reported are listed (``bandpass`` expected for the telephone).
Files too short to measure (``too_short``) count as neither agreeing nor disagreeing.

Prints per-source tables and the time per file (CPU named). Nothing here is used by the tests.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from hf_audiosr.audio_io import load_audio
from hf_audiosr.bandwidth import estimate_bandwidth
from hf_audiosr.dsp import resample

DEFAULT_MANIFEST = Path(__file__).resolve().parents[1] / ".." / "shared/data/train/MANIFEST.csv"


def expected_from_manifest(row: dict) -> tuple[str, float | None]:
    """('full', None), ('cut', X) or ('unknown', None) from a manifest row."""
    check = row.get("wideband_check", "")
    # a note that names the edge wins (the Portuguese corpus: denoised, nothing above ~20 kHz)
    m = re.search(r"nothing above ~([\d.]+) kHz", row.get("note", ""))
    if m:
        return "cut", 1000 * float(m.group(1))
    if check.startswith("wideband"):
        return "full", None
    m = re.match(r"(BAND-LIMITED|SUSPECT-LOWPASS)@([\d.]+)Hz", check)
    if m:
        if "false positive" in row.get("note", ""):
            return "full", None
        return "cut", float(m.group(2))
    return "unknown", None


def agrees(expected: tuple[str, float | None], est) -> bool | None:
    kind, hz = expected
    if est.kind == "too_short":  # no measurement to compare (a 40 ms drum hit)
        return None
    if kind == "full":
        return bool(est.full_band)
    if kind == "cut":
        return (not est.full_band) and abs(est.cutoff_hz - hz) <= 0.1 * hz
    return None


def mp3_roundtrip(x: np.ndarray, sr: int, cbr_128k: bool = False) -> np.ndarray:
    """An MP3 round trip: libsndfile's default (variable bit rate), or 128 kb/s constant."""
    import soundfile as sf

    buf = io.BytesIO()
    kwargs = {"bitrate_mode": "CONSTANT", "compression_level": 0.65} if cbr_128k else {}
    sf.write(buf, np.clip(x, -1, 1).T.astype(np.float32), sr, format="MP3", **kwargs)
    buf.seek(0)
    y, _ = sf.read(buf, dtype="float32", always_2d=True)
    return y.T


def telephone(x: np.ndarray, sr: int) -> np.ndarray:
    """A 300-3400 Hz telephone band-pass (8th-order Butterworth, forward and back)."""
    import scipy.signal

    sos = scipy.signal.butter(8, [300, 3400], btype="bandpass", fs=sr, output="sos")
    return scipy.signal.sosfiltfilt(sos, x, axis=-1)


def coded8k(x: np.ndarray, sr: int, codec: str) -> np.ndarray:
    """The first channel at 8 kHz through a telephone codec (``mulaw``, ``gsm610``)."""
    from hf_audiosr.codecs import codec_roundtrip

    return codec_roundtrip(resample(x[0], sr, 8000).astype(np.float32), 8000, codec)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--manifest", default=str(DEFAULT_MANIFEST))
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    parser.add_argument("--derived", type=int, default=8, help="files per derived condition")
    parser.add_argument("--csv", default=None, help="write one row per file here")
    parser.add_argument("--show-disagreements", type=int, default=20)
    args = parser.parse_args()

    manifest = Path(args.manifest)
    if not manifest.is_file():
        raise SystemExit(f"{manifest}: no such manifest")
    rows = list(csv.DictReader(manifest.open()))[: args.limit]
    root = manifest.parent
    per_source: dict[str, list[dict]] = defaultdict(list)
    results = []
    seconds_audio = seconds_estimate = 0.0
    speech16, speech48, music44, stereo44 = [], [], [], []
    for row in rows:
        audio, sr = load_audio(root / row["path"])
        t = time.perf_counter()
        est = estimate_bandwidth(audio, sr)
        seconds_estimate += time.perf_counter() - t
        seconds_audio += audio.shape[-1] / sr
        expected = expected_from_manifest(row)
        rolloff = float(row["rolloff999_hz"]) if row.get("rolloff999_hz") else None
        result = {
            "path": row["path"],
            "source": row["source"],
            "rate": sr,
            "manifest_check": row.get("wideband_check", ""),
            "rolloff999_hz": rolloff,
            "cutoff_hz": est.cutoff_hz,
            "kind": est.kind,
            "confidence": est.confidence,
            "full_band": est.full_band,
            "agrees": agrees(expected, est),
            "above_rolloff": None if rolloff is None else est.cutoff_hz >= rolloff,
            "reason": est.reason,
        }
        results.append(result)
        per_source[row["source"]].append(result)
        corpus = row.get("corpus", "").lower()
        is_music = row["source"].startswith(("music", "debian"))
        if sr == 16000 and not is_music and audio.shape[-1] >= sr:
            speech16.append((audio, sr))
        elif sr == 48000 and not is_music and "portuguese" not in corpus:
            speech48.append((audio, sr))
        elif sr == 44100 and audio.shape[-1] >= sr:
            music44.append((audio, sr))
            if audio.shape[0] == 2:
                stereo44.append((audio, sr))

    print(f"## Manifest agreement ({manifest}, {len(results)} files)\n")
    print(
        "| source | rate | files | manifest full / cut | agree | measured full | "
        "cut-off >= rolloff99.9 | median cut-off (not full) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    total_known = total_agree = total_roll = total_roll_ok = 0
    for source, rs in sorted(per_source.items()):
        known = [r for r in rs if r["agrees"] is not None]
        n_agree = sum(r["agrees"] for r in known)
        full_expected = sum(r["manifest_check"].startswith("wideband") for r in rs)
        roll = [r for r in rs if r["above_rolloff"] is not None]
        roll_ok = sum(r["above_rolloff"] for r in roll)
        cuts = [r["cutoff_hz"] for r in rs if not r["full_band"]]
        total_known += len(known)
        total_agree += n_agree
        total_roll += len(roll)
        total_roll_ok += roll_ok
        rates = ",".join(sorted({str(r["rate"]) for r in rs}))
        print(
            f"| {source} | {rates} | {len(rs)} | {full_expected} / {len(known) - full_expected} | "
            f"{n_agree}/{len(known)} | {sum(r['full_band'] for r in rs)} | "
            f"{roll_ok}/{len(roll)} | {statistics.median(cuts) if cuts else '-'} |"
        )
    print(
        f"| **all** | | {len(results)} | | **{total_agree}/{total_known} "
        f"({100 * total_agree / max(total_known, 1):.1f} %)** | "
        f"{sum(r['full_band'] for r in results)} | {total_roll_ok}/{total_roll} | |"
    )
    kinds = defaultdict(int)
    for r in results:
        kinds[r["kind"]] += 1
    print(f"\nkinds: {dict(kinds)}")
    bad = [r for r in results if r["agrees"] is False]
    if bad and args.show_disagreements:
        print(f"\ndisagreements ({len(bad)}):")
        for r in bad[: args.show_disagreements]:
            print(
                f"  {r['path']} ({r['manifest_check']}, roll-off {r['rolloff999_hz']}): "
                f"{r['cutoff_hz']:.0f} Hz {r['kind']} conf {r['confidence']}: {r['reason']}"
            )

    if args.derived:
        print(f"\n## Known cut-offs made from real files ({args.derived} per condition)\n")
        print("| condition | expected Hz | within 10 % | measured (median, min-max) | kinds |")
        print("|---|---|---|---|---|")
        rng = np.random.default_rng(0)

        def pick(items):
            idx = rng.permutation(len(items))[: args.derived]
            return [items[i] for i in idx]

        conditions = [
            ("16 kHz speech -> 48 kHz", 8000.0, pick(speech16), lambda x, sr: (resample(x, sr, 48000), 48000)),
            ("48 kHz speech -> 8 kHz -> 48 kHz", 4000.0, pick(speech48), lambda x, sr: (resample(resample(x, sr, 8000), 8000, sr), sr)),
            ("48 kHz speech -> 16 kHz -> 48 kHz", 8000.0, pick(speech48), lambda x, sr: (resample(resample(x, sr, 16000), 16000, sr), sr)),
            ("44.1 kHz music, MP3 (libsndfile default VBR)", 16500.0, pick(music44), lambda x, sr: (mp3_roundtrip(x, sr), sr)),
            ("44.1 kHz stereo music, MP3 128 kb/s CBR", 16500.0, pick(stereo44), lambda x, sr: (mp3_roundtrip(x, sr, cbr_128k=True), sr)),
            ("48 kHz speech, telephone band-pass 300-3400 Hz", 3400.0, pick(speech48), lambda x, sr: (telephone(x, sr), sr)),
            ("48 kHz speech -> 8 kHz, telephone band-pass", 3400.0, pick(speech48), lambda x, sr: (telephone(resample(x, sr, 8000), 8000), 8000)),
            ("48 kHz speech -> 8 kHz mu-law (at 8 kHz: full band)", 4000.0, pick(speech48), lambda x, sr: (coded8k(x, sr, "mulaw"), 8000)),
            ("48 kHz speech -> 8 kHz mu-law -> 48 kHz", 4000.0, pick(speech48), lambda x, sr: (resample(coded8k(x, sr, "mulaw"), 8000, 48000), 48000)),
            ("48 kHz speech -> 8 kHz GSM 6.10 -> 48 kHz", 4000.0, pick(speech48), lambda x, sr: (resample(coded8k(x, sr, "gsm610"), 8000, 48000), 48000)),
        ]  # fmt: skip
        for name, hz, items, make in conditions:
            measured, kinds_seen = [], defaultdict(int)
            for audio, sr in items:
                y, ysr = make(audio, sr)
                est = estimate_bandwidth(y, ysr)
                measured.append(est.cutoff_hz)
                kinds_seen[est.kind] += 1
            if not measured:
                print(f"| {name} | {hz:.0f} | no files | | |")
                continue
            ok = sum(abs(m - hz) <= 0.1 * hz for m in measured)
            print(
                f"| {name} | {hz:.0f} | {ok}/{len(measured)} | {statistics.median(measured):.0f} "
                f"({min(measured):.0f}-{max(measured):.0f}) | {dict(kinds_seen)} |"
            )

    from hf_audiosr.cpu import cpu_capability

    print(
        f"\nestimate_bandwidth: {1000 * seconds_estimate / max(len(results), 1):.1f} ms per file, "
        f"{seconds_audio / max(seconds_estimate, 1e-9):.0f}x real time over {seconds_audio / 60:.1f} "
        f"min of audio (file reading not counted; {cpu_capability().describe()})"
    )
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(results[0]))
            writer.writeheader()
            writer.writerows(results)
        print(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
