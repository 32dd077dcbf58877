"""Score our models beside published systems on any manifest of reference / input / system outputs.

The manifest format is the one of ``shared/data/eval/MANIFEST.csv``: one row per audio file with
``path`` (relative to the manifest), ``source``, ``role`` (``reference``, ``input``,
``system_output``, ``baseline_interp``, ...), ``system``, ``input_rate_hz`` and ``target_rate_hz``.
Each non-reference row is matched to its reference within the same ``(source, input rate, target
rate)`` group: by an explicit ``reference`` column when the manifest has one, else to the reference
with the same file name (extension aside) in a sibling folder, else to the one sharing the longest
path prefix; a second output of the same system for one reference is reported and ignored.

Our models run on inputs simulated from each reference by a named protocol (``sinc`` by default,
see :func:`hf_audiosr.dsp.degrade`), or on the manifest's own ``input`` rows. Everything, ours and
theirs, is scored by the same :func:`hf_audiosr.metrics.compute_all` at the target rate.
"""

from __future__ import annotations

import csv
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from transformers.utils import logging

from .audio_io import load_audio
from .dsp import degrade, interpolate, resample
from .metrics.functional import compute_all

logger = logging.get_logger(__name__)

METRIC_KEYS = ("lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr")


@dataclass
class Clip:
    """One reference and everything scored against it."""

    source: str
    input_rate: int
    target_rate: int
    reference: Path
    outputs: dict[str, Path] = field(default_factory=dict)  # system name -> file
    manifest_input: Path | None = None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def read_manifest(manifest: str | os.PathLike) -> list[Clip]:
    """Group a manifest's rows into :class:`Clip` objects (one per reference)."""
    manifest = Path(manifest)
    root = manifest.parent
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    required = {"path", "role", "input_rate_hz", "target_rate_hz"}
    if not rows or not required <= set(rows[0]):
        raise ValueError(f"{manifest}: expected a CSV with at least the columns {sorted(required)}")
    clips: dict[str, Clip] = {}
    groups: dict[tuple, list[Clip]] = defaultdict(list)
    for r in rows:
        if r["role"] != "reference" or not r["input_rate_hz"] or not r["target_rate_hz"]:
            continue
        key = (r.get("source", ""), int(r["input_rate_hz"]), int(r["target_rate_hz"]))
        clip = Clip(key[0], key[1], key[2], root / r["path"])
        clips[r["path"]] = clip
        groups[key].append(clip)
    for r in rows:
        if r["role"] == "reference" or not r["input_rate_hz"] or not r["target_rate_hz"]:
            continue
        key = (r.get("source", ""), int(r["input_rate_hz"]), int(r["target_rate_hz"]))
        candidates = groups.get(key, [])
        if r.get("reference"):
            match = clips.get(r["reference"])
        elif candidates:
            stem = Path(r["path"]).stem  # outputs may be .wav where references are .flac
            same_name = [c for c in candidates if c.reference.stem == stem]
            pool = same_name or candidates
            match = max(
                pool, key=lambda c: _common_prefix(str(c.reference.relative_to(root)), r["path"])
            )
        else:
            match = None
        if match is None:
            continue
        if r["role"] == "input":
            match.manifest_input = root / r["path"]
        elif r["role"] in ("system_output", "baseline_interp"):
            system = r.get("system") or Path(r["path"]).stem
            if system in match.outputs:
                logger.warning(
                    "%s and %s both match reference %s for %s; keeping the first",
                    match.outputs[system],
                    root / r["path"],
                    match.reference,
                    system,
                )
                continue
            match.outputs[system] = root / r["path"]
    return [c for c in clips.values()]


def _load_mono(path: Path, rate: int) -> np.ndarray:
    audio, sr = load_audio(path, always_2d=False)
    return resample(audio, sr, rate).astype(np.float64) if sr != rate else audio.astype(np.float64)


def simulate_input(
    reference: np.ndarray, target_rate: int, input_rate: int, protocol: str
) -> np.ndarray:
    return degrade(reference, target_rate, input_rate, protocol)


def _khz(rate: int) -> str:
    return f"{rate // 1000}k" if rate % 1000 == 0 else f"{rate / 1000:g}k"


def run_benchmark(
    manifest: str | os.PathLike,
    models: dict[str, object] | None = None,
    protocol: str = "sinc",
    use_manifest_inputs: bool = False,
    include_peers: bool = True,
    sources: list[str] | None = None,
    shard: tuple[int, int] = (0, 1),
    derive_rates: tuple[int, ...] = (),
) -> list[dict]:
    """Score every clip of ``manifest``; returns one row per (clip, system) with the metrics.

    ``models`` maps a display name to a pipeline (``hf_audiosr.pipeline(...)``); a model runs on
    the conditions whose input and target rates equal its own. Interpolation baselines computed
    here (``sinc (ours)``, ``cubic spline (ours)``) are scored on every clip. ``shard=(i, n)``
    scores only every n-th clip starting at i (one share of several processes).

    ``derive_rates``: also score each clip at these lower target rates R (when
    ``2 * input_rate <= R < target_rate``): the reference and every peer output are resampled to
    R, which turns e.g. 8 -> 48 kHz outputs into 8 -> 16 kHz ones (the band between 4 and 8 kHz is
    still the peer's prediction). Such rows carry ``source = "<source> (from <target> outputs)"``.
    """
    models = models or {}
    clips = read_manifest(manifest)
    if sources:
        clips = [c for c in clips if c.source in sources]
    clips = sorted(clips, key=lambda c: str(c.reference))[shard[0] :: shard[1]]
    rows = []
    for clip in clips:
        ref = _load_mono(clip.reference, clip.target_rate)
        peers = {}
        if include_peers:
            peers = {s: _load_mono(p, clip.target_rate) for s, p in clip.outputs.items()}
        manifest_low = None
        if use_manifest_inputs and clip.manifest_input is not None:
            manifest_low = _load_mono(clip.manifest_input, clip.input_rate)
        targets = [(clip.target_rate, clip.source)]
        for rate in derive_rates:
            if 2 * clip.input_rate <= rate < clip.target_rate:
                targets.append((rate, f"{clip.source} (from {_khz(clip.target_rate)} outputs)"))
        for rate, source in targets:
            ref_r = resample(ref, clip.target_rate, rate) if rate != clip.target_rate else ref
            peers_r = {
                s: resample(x, clip.target_rate, rate) if rate != clip.target_rate else x
                for s, x in peers.items()
            }
            rows += _score(clip, rate, source, ref_r, peers_r, manifest_low, models, protocol)
    return rows


def _score(clip, rate, source, ref, peers, manifest_low, models, protocol) -> list[dict]:
    if manifest_low is not None:
        low, input_kind = manifest_low, "manifest"
    else:
        low, input_kind = simulate_input(ref, rate, clip.input_rate, protocol), protocol
    estimates: dict[str, tuple[np.ndarray, str]] = {}
    if rate % clip.input_rate == 0:
        factor = rate // clip.input_rate
        estimates["sinc interpolation (ours)"] = (interpolate(low, factor, "sinc"), "baseline")
        estimates["cubic spline (ours)"] = (interpolate(low, factor, "cubic"), "baseline")
    for name, pipe in models.items():
        fe = pipe.feature_extractor
        if fe.sampling_rate != clip.input_rate or fe.output_sampling_rate != rate:
            continue
        out = pipe(low.astype(np.float32), sampling_rate=clip.input_rate)["audio"]
        estimates[name] = (np.asarray(out, dtype=np.float64), "ours")
    for system, est in peers.items():
        estimates[system] = (est, "peer")
    rows = []
    for system, (est, kind) in estimates.items():
        try:
            metrics = compute_all(ref, est, sampling_rate=rate, input_sampling_rate=clip.input_rate)
        except ValueError as err:
            logger.warning("cannot score %s on %s: %s", system, clip.reference, err)
            continue
        rows.append(
            {
                "source": source,
                "condition": f"{_khz(clip.input_rate)}->{_khz(rate)}",
                "input_rate": clip.input_rate,
                "target_rate": rate,
                "reference": str(clip.reference),
                "system": system,
                "kind": kind,
                "input": input_kind if kind != "peer" else "peer's own",
                **{k: metrics[k] for k in METRIC_KEYS},
            }
        )
    return rows


def summarize(rows: list[dict]) -> dict[tuple, list[dict]]:
    """Mean metrics per (source, condition, system); tables keyed by (source, condition)."""
    acc: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[tuple, str] = {}
    for r in rows:
        key = (r["source"], r["condition"], r["system"])
        kinds[key] = r["kind"]
        for k in METRIC_KEYS:
            acc[key][k].append(r[k])
    tables: dict[tuple, list[dict]] = defaultdict(list)
    for (source, cond, system), vals in acc.items():
        finite = {k: [v for v in vals[k] if math.isfinite(v)] for k in METRIC_KEYS}
        tables[(source, cond)].append(
            {
                "system": system,
                "kind": kinds[(source, cond, system)],
                "n": len(vals["lsd"]),
                **{
                    k: float(np.mean(finite[k])) if finite[k] else float("nan") for k in METRIC_KEYS
                },
            }
        )
    for t in tables.values():
        t.sort(key=lambda r: r["lsd"])
    return dict(sorted(tables.items(), key=lambda kv: (kv[0][1], kv[0][0])))


def format_markdown(tables: dict[tuple, list[dict]]) -> str:
    lines = []
    for (source, cond), table in tables.items():
        sinc = next((r["lsd"] for r in table if r["system"] == "sinc interpolation (ours)"), None)
        lines.append(f"### {cond} — {source}\n")
        lines.append(
            "| system | kind | n | LSD | LSD-HF | LSD-LF | SNR dB | SI-SDR dB | LSD / sinc |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for r in table:
            ratio = f"{r['lsd'] / sinc:.3f}" if sinc else ""
            lines.append(
                f"| {r['system']} | {r['kind']} | {r['n']} | {r['lsd']:.3f} | {r['lsd_hf']:.3f} | "
                f"{r['lsd_lf']:.3f} | {r['snr']:.2f} | {r['si_sdr']:.2f} | {ratio} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_csv(rows: list[dict], path: str | os.PathLike) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not rows:
        path.write_text("")
        return
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
