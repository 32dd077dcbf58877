"""Score our models beside published systems on any manifest of reference / input / system outputs.

The manifest format is the one of ``shared/data/eval/MANIFEST.csv``: one row per audio file with
``path`` (relative to the manifest), ``source``, ``role`` (``reference``, ``input``,
``system_output``, ``baseline_interp``, ...), ``system``, ``input_rate_hz`` and ``target_rate_hz``,
and optionally ``transcript`` / ``utterance_id`` (for the word error rate) and ``reference``.

Each non-reference row is matched to a reference of the same ``source`` and target rate whose
input rate is the row's, or empty: **a reference row with an empty ``input_rate_hz`` is the
reference of every output of that clip, whatever the output's input rate** (one wideband recording
serving its 8, 12 and 16 kHz conditions), and our models run on it at their own input rates. Among
the candidates a row goes to the reference named in its ``reference`` column when the manifest has
one, else to the reference with the same file name (extension aside) in a sibling folder, else to
the one sharing the longest path prefix. A reference with an empty ``target_rate_hz`` is taken at
its file's own rate. Every row that cannot be used (no reference of its source and rates, missing
rates, a role that is not scored, a second output of one system for one reference) is reported in
the ``unmatched`` list and logged, never skipped silently.

Our models run on inputs simulated from each reference by a named protocol (``sinc`` by default,
see :func:`hf_audiosr.dsp.degrade`), or on the manifest's own ``input`` rows, optionally passed
through a degradation at the input rate (a codec or the telephone band,
:mod:`hf_audiosr.degradations`). Everything, ours and theirs, is scored by the same functions at the
target rate: :func:`hf_audiosr.metrics.compute_all` (LSD and SNR), wideband PESQ, STOI and the word
error rate of a recognizer (:mod:`hf_audiosr.metrics.speech`, :mod:`hf_audiosr.metrics.asr`).
"""

from __future__ import annotations

import csv
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from transformers.utils import logging

from .audio_io import load_audio
from .degradations import apply_degradation, check_degradation
from .dsp import degrade, interpolate, resample
from .metrics.functional import align, compute_all
from .routing import ModelSpec

logger = logging.get_logger(__name__)

METRIC_KEYS = ("lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr")
# What `--metrics` may name, and the per-clip columns each adds.
METRIC_GROUPS: dict[str, tuple[str, ...]] = {
    "lsd": METRIC_KEYS,
    "pesq": ("pesq",),
    "stoi": ("stoi",),
    "estoi": ("estoi",),
    "wer": ("wer", "cer", "word_errors", "words", "char_errors", "chars", "hypothesis"),
}
# Columns of a summary table (WER and CER are corpus rates: all errors over all reference words).
SUMMARY_KEYS = (*METRIC_KEYS, "pesq", "stoi", "estoi", "wer", "cer")
CEILING = "wideband reference (ceiling)"
SCORED_ROLES = ("reference", "input", "system_output", "baseline_interp")
POOLED_SOURCE = "all sources"


@dataclass
class Clip:
    """One reference at one condition, and everything scored against it.

    ``input_rate`` is ``None`` for a reference whose manifest row leaves ``input_rate_hz`` empty and
    that no output claimed: :func:`run_benchmark` scores it at the input rates of the models.
    """

    source: str
    input_rate: int | None
    target_rate: int
    reference: Path
    outputs: dict[str, Path] = field(default_factory=dict)  # system name -> file
    manifest_input: Path | None = None
    transcript: str | None = None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _rate(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(float(value)) if value else None


def read_transcripts(path: str | os.PathLike) -> dict[str, str]:
    """``utterance_id <TAB> text`` lines (the layout of ``shared/data/eval/transcripts``) as a dict."""
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            uid, sep, text = line.rstrip("\n").partition("\t")
            if sep and uid.strip():
                table[uid.strip()] = text.strip()
    return table


def read_manifest(
    manifest: str | os.PathLike,
    *,
    unmatched: list[str] | None = None,
    transcripts: dict[str, str] | None = None,
) -> list[Clip]:
    """Group a manifest's rows into :class:`Clip` objects (one per reference and input rate).

    Args:
        manifest: The CSV file.
        unmatched: When given, one line is appended for every row that is not used and why (they
            are logged as warnings either way).
        transcripts: ``utterance_id -> text`` for reference rows with an ``utterance_id`` but no
            ``transcript``.
    """
    manifest = Path(manifest)
    root = manifest.parent
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    required = {"path", "role", "input_rate_hz", "target_rate_hz"}
    if not rows or not required <= set(rows[0]):
        raise ValueError(f"{manifest}: expected a CSV with at least the columns {sorted(required)}")
    problems: list[str] = []

    def report(line: int, r: dict, why: str) -> None:
        problems.append(f"{manifest.name} line {line} ({r['path']}, role {r['role']!r}): {why}")

    refs: dict[str, tuple[str, int, str | None]] = {}  # path -> (source, target rate, transcript)
    by_group: dict[tuple[str, int], list[str]] = defaultdict(list)  # (source, target) -> paths
    clips: dict[tuple[str, int | None], Clip] = {}
    for line, r in enumerate(rows, start=2):
        if r["role"] != "reference":
            continue
        source = r.get("source") or ""
        try:
            input_rate, target = _rate(r["input_rate_hz"]), _rate(r["target_rate_hz"])
        except ValueError:
            report(line, r, "input_rate_hz / target_rate_hz is not a number")
            continue
        if target is None:
            try:
                import soundfile as sf

                target = int(sf.info(str(root / r["path"])).samplerate)
            except Exception as err:  # noqa: BLE001 - any unreadable file is reported the same way
                report(line, r, f"no target_rate_hz and the file's rate cannot be read ({err})")
                continue
        text = (r.get("transcript") or "").strip() or None
        if text is None and transcripts and r.get("utterance_id"):
            text = transcripts.get(r["utterance_id"].strip())
        key = (r["path"], input_rate)
        if r["path"] in refs:  # one file listed for several conditions: fine, once per condition
            if refs[r["path"]][1] != target:
                report(
                    line, r, f"listed before with target rate {refs[r['path']][1]} Hz; kept that"
                )
                continue
            if key in clips:
                report(line, r, "listed twice for the same condition; kept the first")
                continue
        else:
            refs[r["path"]] = (source, target, text)
            by_group[(source, target)].append(r["path"])
        clips[key] = Clip(source, input_rate, target, root / r["path"], transcript=text)

    def clip_for(path: str, input_rate: int) -> Clip:
        if (path, input_rate) not in clips:
            source, target, text = refs[path]
            clips[(path, input_rate)] = Clip(
                source, input_rate, target, root / path, transcript=text
            )
        return clips[(path, input_rate)]

    def serves(path: str, input_rate: int) -> bool:
        return (path, input_rate) in clips or (path, None) in clips

    for line, r in enumerate(rows, start=2):
        if r["role"] == "reference":
            continue
        if r["role"] not in SCORED_ROLES:
            report(line, r, f"role {r['role']!r} is not scored (roles: {', '.join(SCORED_ROLES)})")
            continue
        try:
            input_rate, target = _rate(r["input_rate_hz"]), _rate(r["target_rate_hz"])
        except ValueError:
            report(line, r, "input_rate_hz / target_rate_hz is not a number")
            continue
        if input_rate is None or target is None:
            report(line, r, "no input_rate_hz or target_rate_hz: its condition is unknown")
            continue
        source = r.get("source") or ""
        if r.get("reference"):
            path = r["reference"]
            if path not in refs:
                report(line, r, f"its `reference` {path!r} is not a reference row of the manifest")
                continue
            if not serves(path, input_rate) or refs[path][1] != target:
                report(line, r, f"its `reference` {path!r} is not for {input_rate} -> {target} Hz")
                continue
        else:
            candidates = [p for p in by_group.get((source, target), []) if serves(p, input_rate)]
            if not candidates:
                report(
                    line,
                    r,
                    f"no reference of source {source!r} for {input_rate} -> {target} Hz "
                    "(none with this input rate or an empty one)",
                )
                continue
            stem = Path(r["path"]).stem  # outputs may be .wav where references are .flac
            same_name = [p for p in candidates if Path(p).stem == stem]
            path = max(same_name or candidates, key=lambda p: _common_prefix(p, r["path"]))
        match = clip_for(path, input_rate)
        if r["role"] == "input":
            if match.manifest_input is not None:
                report(line, r, f"a second input for reference {path}; kept the first")
                continue
            match.manifest_input = root / r["path"]
        else:
            system = r.get("system") or Path(r["path"]).stem
            if system in match.outputs:
                report(
                    line,
                    r,
                    f"{match.outputs[system]} is already the {system} output for reference "
                    f"{path} at {input_rate} -> {target} Hz; kept the first",
                )
                continue
            match.outputs[system] = root / r["path"]
    for message in problems:
        logger.warning(message)
    if unmatched is not None:
        unmatched.extend(problems)
    return list(clips.values())


def _load_mono(path: Path, rate: int) -> np.ndarray:
    audio, sr = load_audio(path, always_2d=False)
    return resample(audio, sr, rate).astype(np.float64) if sr != rate else audio.astype(np.float64)


def simulate_input(
    reference: np.ndarray, target_rate: int, input_rate: int, protocol: str
) -> np.ndarray:
    return degrade(reference, target_rate, input_rate, protocol)


def _khz(rate: int) -> str:
    return f"{rate // 1000}k" if rate % 1000 == 0 else f"{rate / 1000:g}k"


def _parse_metrics(metrics) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(m.strip().lower() for m in metrics if m.strip()))
    unknown = [m for m in names if m not in METRIC_GROUPS]
    if unknown or not names:
        raise ValueError(
            f"unknown metric(s) {', '.join(unknown) or '(none given)'}: choose from "
            f"{', '.join(METRIC_GROUPS)}"
        )
    return names


def _expand_open_clips(clips: list[Clip], models: dict, derive_rates, unmatched) -> list[Clip]:
    """Give every reference without an input rate the conditions of the models that can run on
    it (their output rate is its rate, or a ``derive_rates`` rate below it)."""
    claimed = {(c.reference, c.input_rate) for c in clips if c.input_rate is not None}
    out = []
    for clip in clips:
        if clip.input_rate is not None:
            out.append(clip)
            continue
        # a model for any input band (BandNeXt) defines no condition of its own: it is scored on
        # the conditions the fixed-rate models and the manifest give
        rates = sorted(
            {
                pipe.feature_extractor.sampling_rate
                for pipe in models.values()
                if not getattr(pipe.model.config, "conditions_on_bandwidth", False)
                and pipe.feature_extractor.sampling_rate < clip.target_rate
                and (
                    pipe.feature_extractor.output_sampling_rate == clip.target_rate
                    or (
                        pipe.feature_extractor.output_sampling_rate in derive_rates
                        and pipe.feature_extractor.output_sampling_rate < clip.target_rate
                    )
                )
            }
        )
        new = [replace(clip, input_rate=r) for r in rates if (clip.reference, r) not in claimed]
        if not new and not any(ref == clip.reference for ref, _ in claimed):
            message = (
                f"{clip.reference}: a reference without input rate that no output and no model "
                f"at {clip.target_rate} Hz (or a --derive-rate) can be scored against"
            )
            logger.warning(message)
            unmatched.append(message)
        out.extend(new)
    return out


def model_serves(config, input_rate: int, output_rate: int) -> bool:
    """Whether a model is scored on a condition ``input_rate -> output_rate``: a fixed-rate model
    on its own rates only; a model that is told the input's cut-off (BandNeXt) on every input
    band in its range, at each of its output rates."""
    spec = ModelSpec.from_config("", "", config.to_dict())
    if not spec.conditions_on_bandwidth:
        return (spec.input_sampling_rate, spec.output_sampling_rate) == (input_rate, output_rate)
    band = input_rate / 2
    return (
        output_rate in spec.output_sampling_rates
        and spec.min_input_bandwidth_hz <= band <= spec.max_input_bandwidth_hz
    )


def run_benchmark(
    manifest: str | os.PathLike,
    models: dict[str, object] | None = None,
    protocol: str = "sinc",
    use_manifest_inputs: bool = False,
    include_peers: bool = True,
    sources: list[str] | None = None,
    shard: tuple[int, int] = (0, 1),
    derive_rates: tuple[int, ...] = (),
    *,
    degradations: tuple[str, ...] | None = None,
    metrics: tuple[str, ...] = ("lsd",),
    recognizer=None,
    transcripts: dict[str, str] | None = None,
    unmatched: list[str] | None = None,
    baselines: tuple[str, ...] = ("sinc", "cubic"),
) -> list[dict]:
    """Score every clip of ``manifest``; returns one row per (clip, degradation, system).

    ``models`` maps a display name to a pipeline (``hf_audiosr.pipeline(...)``); a model runs on
    the conditions whose input and target rates equal its own. Interpolation baselines computed
    here (``sinc (ours)``, ``cubic spline (ours)``) are scored on every clip. ``shard=(i, n)``
    scores only every n-th clip starting at i (one share of several processes).

    ``derive_rates``: also score each clip at these lower target rates R (when
    ``2 * input_rate <= R < target_rate``): the reference and every peer output are resampled to
    R, which turns e.g. 8 -> 48 kHz outputs into 8 -> 16 kHz ones (the band between 4 and 8 kHz is
    still the peer's prediction). Such rows carry ``source = "<source> (from <target> outputs)"``.

    ``degradations``: names of :mod:`hf_audiosr.degradations` (``clean``, ``telephone``, codecs)
    applied to the low-rate input; each row then carries a ``degradation`` column. Peers' own
    outputs (made from clean inputs) are scored under ``clean`` only. ``None`` (the default): the
    clean input only, and no such column.

    ``metrics``: groups of :data:`METRIC_GROUPS`: ``lsd`` (LSD, LSD-HF, LSD-LF, SNR, SI-SDR; the
    default), ``pesq`` (wideband, at 16 kHz), ``stoi``, ``estoi``, ``wer`` (word and character error
    rate of ``recognizer``, default PocketSphinx, on the clips whose reference has a transcript).
    With any of the last four, a row for the reference itself (the ceiling) is scored too.

    ``unmatched``: when given, receives one line for every manifest row that could not be used and
    every estimate that could not be scored.

    ``baselines``: the interpolations of the input scored beside the models (``sinc``, ``cubic``;
    ``()`` for none).
    """
    models = models or {}
    groups = _parse_metrics(metrics)
    tagged = degradations is not None
    degradations = tuple(check_degradation(d) for d in (degradations or ("clean",)))
    if "pesq" in groups or "stoi" in groups or "estoi" in groups or "wer" in groups:
        from .metrics.speech import require_extra

        for group, module in (("pesq", "pesq"), ("stoi", "pystoi"), ("estoi", "pystoi")):
            if group in groups:
                require_extra(module, group.upper())  # fail now, not after the first clip
        if "wer" in groups:
            require_extra("jiwer", "word error rate")
            from .metrics.asr import load_recognizer

            recognizer = load_recognizer(recognizer)
    manifest_problems: list[str] = []
    clips = read_manifest(manifest, unmatched=manifest_problems, transcripts=transcripts)
    clips = _expand_open_clips(clips, models, derive_rates, manifest_problems)
    problems = manifest_problems if shard[0] == 0 else []  # reported by one shard, not by each
    if sources:
        clips = [c for c in clips if c.source in sources]
    clips = sorted(clips, key=lambda c: (str(c.reference), c.input_rate))[shard[0] :: shard[1]]
    unknown = [b for b in baselines if b not in _BASELINES]
    if unknown:
        raise ValueError(f"unknown baseline(s) {unknown}: choose from {', '.join(_BASELINES)}")
    scorer = _Scorer(groups, recognizer, problems)
    scorer.baselines = tuple(baselines)
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
            rows += _score(
                clip,
                rate,
                source,
                ref_r,
                peers_r,
                manifest_low,
                models,
                protocol,
                degradations if tagged else None,
                scorer,
            )
    if unmatched is not None:
        unmatched.extend(problems)
    return rows


_BASELINES = {"sinc": "sinc interpolation (ours)", "cubic": "cubic spline (ours)"}


class _Scorer:
    """The requested metrics of one estimate against its reference."""

    def __init__(self, groups: tuple[str, ...], recognizer, problems: list[str]):
        self.groups = groups
        self.recognizer = recognizer
        self.problems = problems
        self.baselines: tuple[str, ...] = tuple(_BASELINES)

    def keys(self) -> list[str]:
        return [k for g in self.groups for k in METRIC_GROUPS[g]]

    def __call__(self, ref, est, rate: int, input_rate: int, transcript: str | None) -> dict:
        from .metrics import speech

        out: dict = {}
        ref, est = align(ref, est)
        if "lsd" in self.groups:
            scores = compute_all(ref, est, sampling_rate=rate, input_sampling_rate=input_rate)
            out.update({k: scores[k] for k in METRIC_KEYS})
        if "pesq" in self.groups:
            out["pesq"] = speech.pesq_wb(ref, est, sampling_rate=rate)
        if "stoi" in self.groups:
            out["stoi"] = speech.stoi(ref, est, sampling_rate=rate)
        if "estoi" in self.groups:
            out["estoi"] = speech.estoi(ref, est, sampling_rate=rate)
        if "wer" in self.groups:
            if transcript:
                hypothesis = self.recognizer.transcribe(est.astype(np.float32), rate)
                words = speech.word_errors(transcript, hypothesis)
                chars = speech.word_errors(transcript, hypothesis, unit="char")
                out.update(
                    wer=words.rate,
                    cer=chars.rate,
                    word_errors=words.errors,
                    words=words.length,
                    char_errors=chars.errors,
                    chars=chars.length,
                    hypothesis=hypothesis,
                )
            else:
                nan = float("nan")
                out.update(
                    wer=nan, cer=nan, word_errors=0, words=0, char_errors=0, chars=0, hypothesis=""
                )
        return {k: out[k] for k in self.keys()}


def _score(
    clip, rate, source, ref, peers, manifest_low, models, protocol, degradations, scorer
) -> list[dict]:
    if manifest_low is not None:
        clean_low, input_kind = manifest_low, "manifest"
    else:
        clean_low, input_kind = simulate_input(ref, rate, clip.input_rate, protocol), protocol
    with_ceiling = any(g != "lsd" for g in scorer.groups)
    ceiling: dict | None = None
    rows = []
    for degradation in degradations or ("clean",):
        if degradation == "clean":
            low = clean_low
        else:
            try:
                low = apply_degradation(clean_low, clip.input_rate, degradation).astype(np.float64)
            except ValueError as err:
                message = (
                    f"cannot apply {degradation} to {clip.reference} at {clip.input_rate} Hz: {err}"
                )
                logger.warning(message)
                scorer.problems.append(message)
                continue
        estimates: dict[str, tuple[np.ndarray, str]] = {}
        if with_ceiling:
            estimates[CEILING] = (ref, "ceiling")
        if rate % clip.input_rate == 0:
            factor = rate // clip.input_rate
            for method in scorer.baselines:
                estimates[_BASELINES[method]] = (interpolate(low, factor, method), "baseline")
        for name, pipe in models.items():
            if not model_serves(pipe.model.config, clip.input_rate, rate):
                continue
            out = pipe(
                low.astype(np.float32), sampling_rate=clip.input_rate, target_sampling_rate=rate
            )["audio"]
            estimates[name] = (np.asarray(out, dtype=np.float64), "ours")
        if degradation == "clean":
            for system, est in peers.items():
                estimates[system] = (est, "peer")
        kind_of_input = input_kind if degradation == "clean" else f"{input_kind}+{degradation}"
        for system, (est, kind) in estimates.items():
            try:
                if kind == "ceiling" and ceiling is not None:
                    metrics = ceiling  # the same whatever the degradation
                else:
                    metrics = scorer(ref, est, rate, clip.input_rate, clip.transcript)
                    if kind == "ceiling":
                        ceiling = metrics
            except ValueError as err:
                message = f"cannot score {system} on {clip.reference}: {err}"
                logger.warning(message)
                scorer.problems.append(message)
                continue
            row = {
                "source": source,
                "condition": f"{_khz(clip.input_rate)}->{_khz(rate)}",
                "input_rate": clip.input_rate,
                "target_rate": rate,
                "reference": str(clip.reference),
                "system": system,
                "kind": kind,
                "input": kind_of_input if kind not in ("peer", "ceiling") else _own(kind),
                **metrics,
            }
            if degradations is not None:
                row = {"degradation": degradation, **row}
            rows.append(row)
    return rows


def _own(kind: str) -> str:
    return "peer's own" if kind == "peer" else "none (the reference)"


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    if finite:
        return float(np.mean(finite))
    if values and all(v == math.inf for v in values):
        return math.inf  # e.g. the SNR of the reference against itself
    return float("nan")


def summarize(rows: list[dict], pool_sources: bool = False) -> dict[tuple, list[dict]]:
    """Mean metrics per (source, condition, system); tables keyed by (source, condition), or by
    (source, condition, degradation) when the rows carry a degradation.

    Signal metrics are means over clips; ``wer`` and ``cer`` are corpus rates (all edits over all
    reference words or characters of the clips that have a transcript, ``n_wer`` of them).
    ``pool_sources`` puts every source of a condition into one table (source ``"all sources"``).
    """
    acc: dict[tuple, list[dict]] = defaultdict(list)
    kinds: dict[tuple, str] = {}
    for r in rows:
        source = POOLED_SOURCE if pool_sources else r["source"]
        table = (source, r["condition"]) + ((r["degradation"],) if "degradation" in r else ())
        acc[(table, r["system"])].append(r)
        kinds[(table, r["system"])] = r["kind"]
    tables: dict[tuple, list[dict]] = defaultdict(list)
    for (table, system), clip_rows in acc.items():
        summary = {"system": system, "kind": kinds[(table, system)], "n": len(clip_rows)}
        for k in SUMMARY_KEYS:
            if k in clip_rows[0] and k not in ("wer", "cer"):
                summary[k] = _mean([r[k] for r in clip_rows])
        if "wer" in clip_rows[0]:
            scored = [r for r in clip_rows if r["words"]]
            words = sum(r["words"] for r in scored)
            chars = sum(r["chars"] for r in scored)
            summary["wer"] = sum(r["word_errors"] for r in scored) / words if words else math.nan
            summary["cer"] = sum(r["char_errors"] for r in scored) / chars if chars else math.nan
            summary["n_wer"] = len(scored)
            summary["words"] = words
        tables[table].append(summary)
    for t in tables.values():
        if "lsd" in t[0]:
            t.sort(key=lambda r: r["lsd"])
        else:
            order = {"ceiling": 0, "ours": 1, "peer": 2, "baseline": 3}
            t.sort(key=lambda r: order.get(r["kind"], 4))
    return dict(sorted(tables.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2:])))


def _fmt(value: float, digits: int) -> str:
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.{digits}f}"


def format_markdown(tables: dict[tuple, list[dict]]) -> str:
    lines = []
    for key, table in tables.items():
        source, cond = key[:2]
        heading = f"### {cond} — {source}" + (f" — {key[2]}" if len(key) > 2 else "")
        lines.append(heading + "\n")
        first = table[0]
        columns: list[tuple[str, str]] = []  # (header, key)
        if "lsd" in first:
            columns += [
                ("LSD", "lsd"),
                ("LSD-HF", "lsd_hf"),
                ("LSD-LF", "lsd_lf"),
                ("SNR dB", "snr"),
                ("SI-SDR dB", "si_sdr"),
            ]
        columns += [(h, k) for h, k in (("PESQ", "pesq"), ("STOI", "stoi"), ("eSTOI", "estoi"))]
        columns = [(h, k) for h, k in columns if k in first]
        with_wer = "wer" in first
        sinc = next(
            (r.get("lsd") for r in table if r["system"] == "sinc interpolation (ours)"), None
        )
        header = ["system", "kind", "n", *(h for h, _ in columns)]
        if with_wer:
            header += ["WER %", "CER %", "clips / words (WER)"]
        if "lsd" in first:
            header.append("LSD / sinc")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for r in table:
            cells = [r["system"], r["kind"], str(r["n"])]
            for _, k in columns:
                cells.append(_fmt(r[k], 2 if k in ("snr", "si_sdr") else 3))
            if with_wer:
                cells += [
                    _fmt(100 * r["wer"], 1),
                    _fmt(100 * r["cer"], 1),
                    f"{r['n_wer']} / {r['words']}",
                ]
            if "lsd" in first:
                cells.append(f"{r['lsd'] / sinc:.3f}" if sinc else "")
            lines.append("| " + " | ".join(cells) + " |")
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
