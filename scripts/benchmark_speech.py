"""Does 8 -> 16 kHz super-resolution help the listener and the recognizer? One table per degradation.

    python scripts/benchmark_speech.py [--data ../shared/data/eval] [--model NAME ...]
        [--degradation NAME ...] [--recognizer pocketsphinx] [--jobs 1] [--out outputs/speech]

The clips: every speech reference of the evaluation manifest that has a transcript (its own
``transcript`` column or its ``utterance_id`` in ``transcripts/vctk_transcripts.tsv``) and a rate
of at least 16 kHz, taken at 16 kHz whatever condition the manifest lists it for (a reference with
an empty input rate, so every one serves the 8 -> 16 kHz condition). The 8 kHz input is made from
each by band-limited (sinc) resampling, then passed through each degradation of
:mod:`hf_audiosr.degradations` at 8 kHz (codec delay removed). Scored at 16 kHz by
:func:`hf_audiosr.benchmark.run_benchmark`, for every degradation:

* the wideband reference itself (the ceiling; its WER is the recognizer's own error rate),
* the degraded 8 kHz input interpolated to 16 kHz (``sinc interpolation (ours)``: the floor, what
  a recognizer gets without super-resolution; and ``cubic spline (ours)``),
* each bundled model that serves 8 -> 16 kHz (or ``--model``; any-band models included) run on
  the degraded input,
* under ``clean`` only, the published systems' own output files for the clips they exist for
  (8 kHz inputs made by their authors; 48 kHz outputs resampled to 16 kHz), with n per row.

Columns: LSD, LSD-HF (above 4 kHz), PESQ (wideband, P.862.2), STOI, eSTOI and the corpus word /
character error rate of the recognizer (PocketSphinx by default: all edits over all reference
words). A second ``clean`` table keeps only the clips that have peer outputs, so that the peers
are compared with ours on the same clips.

Writes ``tables.md`` (the markdown of the README section), ``results.json`` (command, CPU, clips,
summaries, per-clip rows with hypotheses, warnings) and ``per_clip.csv`` under ``--out``; prints
the tables. Each finished degradation is saved under ``--out/parts``; ``--resume`` reuses them
(same models, recognizer and clips). Transcriptions are cached by audio content, so the ceiling is recognised once per clip.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "eval"
METRICS = ("lsd", "pesq", "stoi", "estoi", "wer")
INPUT_RATE, TARGET_RATE = 8000, 16000
TITLES = {
    "clean": "clean: sinc resampling to 8 kHz only",
    "telephone": "telephone band-pass, 300-3400 Hz",
    "mulaw": "G.711 mu-law",
    "alaw": "G.711 A-law",
    "gsm610": "GSM 06.10 full rate (13 kb/s)",
    "g721": "G.721 ADPCM (32 kb/s)",
}


def _title(name: str) -> str:
    if name in TITLES:
        return TITLES[name]
    family, _, rate = name.partition("_")
    return f"{family.upper() if family == 'mp3' else family.capitalize()} at {rate}b/s"


# ------------------------------------------------------------------------------------- clips
def speech_manifest(data: Path, out: Path) -> tuple[Path, list[dict]]:
    """Write the manifest of the speech clips (absolute paths) under ``out``; returns it and the
    list of clips (path, utterance id, transcript, duration, peers)."""
    from hf_audiosr.benchmark import read_transcripts

    with open(data / "MANIFEST.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    tsv = data / "transcripts" / "vctk_transcripts.tsv"
    transcripts = read_transcripts(tsv) if tsv.is_file() else {}
    refs: dict[str, dict] = {}
    for r in rows:
        if r["role"] != "reference" or r["path"] in refs:
            continue
        text = (r.get("transcript") or "").strip() or transcripts.get(r.get("utterance_id", ""))
        rate = int(float(r.get("file_rate_hz") or r.get("target_rate_hz") or 0))
        if not text or rate < TARGET_RATE:
            continue
        refs[r["path"]] = {
            "path": r["path"],
            "utterance_id": r.get("utterance_id", ""),
            "transcript": text,
            "duration_s": float(r.get("duration_s") or "nan"),
            "source": r.get("source", ""),
            "peers": {},
        }
    # peers' outputs made from 8 kHz inputs of these references (same folder), any target rate
    for r in rows:
        if r["role"] not in ("system_output", "baseline_interp"):
            continue
        if r["input_rate_hz"] != str(INPUT_RATE) or "ablation" in r.get("system", "").lower():
            continue
        folder = str(Path(r["path"]).parent)
        ref = next((p for p in refs if str(Path(p).parent) == folder), None)
        if ref is not None:
            system = r["system"]
            if r["role"] == "baseline_interp":  # not to be confused with ours of the same name
                system = system.replace("(baseline)", "(their file)")
            refs[ref]["peers"][system] = (r["path"], r["role"])
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "MANIFEST.csv"
    fields = ["path", "source", "role", "system", "input_rate_hz", "target_rate_hz", "reference"]
    fields += ["transcript"]
    with open(manifest, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for ref in refs.values():
            absolute = str((data / ref["path"]).resolve())
            writer.writerow(
                {
                    "path": absolute,
                    "source": "speech",
                    "role": "reference",
                    "system": "",
                    "input_rate_hz": "",  # serves the 8 kHz condition of the models
                    "target_rate_hz": TARGET_RATE,
                    "reference": "",
                    "transcript": ref["transcript"],
                }
            )
            for system, (path, role) in ref["peers"].items():
                writer.writerow(
                    {
                        "path": str((data / path).resolve()),
                        "source": "speech",
                        "role": role,
                        "system": system,
                        "input_rate_hz": INPUT_RATE,
                        "target_rate_hz": TARGET_RATE,  # 48 kHz outputs are resampled to 16 kHz
                        "reference": absolute,
                        "transcript": "",
                    }
                )
    return manifest, list(refs.values())


# ------------------------------------------------------------------------------- recognizer
class CachedRecognizer:
    """Transcribe each distinct audio once (the reference is the same under every degradation)."""

    def __init__(self, recognizer):
        self.recognizer = recognizer
        self.cache: dict[str, str] = {}

    def transcribe(self, audio, sampling_rate):
        import numpy as np

        key = hashlib.sha1(np.ascontiguousarray(audio, dtype=np.float32).tobytes()).hexdigest()
        key = f"{key}@{sampling_rate}"
        if key not in self.cache:
            self.cache[key] = self.recognizer.transcribe(audio, sampling_rate)
        return self.cache[key]


# ---------------------------------------------------------------------------------- workers
_STATE: dict = {}


def _init(model_names: list[str], recognizer: str, threads: int, baselines=("sinc", "cubic")):
    import torch
    from transformers.utils import logging as hf_logging

    import hf_audiosr
    from hf_audiosr.metrics.asr import load_recognizer

    hf_logging.set_verbosity_error()
    torch.set_num_threads(threads)
    _STATE["models"] = {name: hf_audiosr.pipeline(name) for name in model_names}
    _STATE["recognizer"] = CachedRecognizer(load_recognizer(recognizer))
    _STATE["baselines"] = tuple(baselines)


def _run_one(manifest: str, degradation: str) -> tuple[str, list[dict], list[str], float]:
    from hf_audiosr.benchmark import run_benchmark

    start = time.perf_counter()
    unmatched: list[str] = []
    rows = run_benchmark(
        manifest,
        _STATE["models"],
        degradations=(degradation,),
        metrics=METRICS,
        recognizer=_STATE["recognizer"],
        unmatched=unmatched,
        baselines=_STATE["baselines"],
    )
    return degradation, rows, unmatched, time.perf_counter() - start


# --------------------------------------------------------------------------------- tables
def _f(value, digits=3, scale=1.0):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{scale * value:.{digits}f}"


def markdown_table(summary: list[dict]) -> str:
    header = "| system | kind | n | LSD | LSD-HF | PESQ | STOI | eSTOI | WER % | CER % | words |"
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in summary:
        lines.append(
            "| "
            + " | ".join(
                [
                    r["system"],
                    r["kind"],
                    str(r["n"]),
                    _f(r.get("lsd")),
                    _f(r.get("lsd_hf")),
                    _f(r.get("pesq"), 2),
                    _f(r.get("stoi")),
                    _f(r.get("estoi")),
                    _f(r.get("wer"), 1, 100),
                    _f(r.get("cer"), 1, 100),
                    str(r.get("words", "")),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


PIVOTS = (
    ("wer", "word error rate, %", 1, 100.0),
    ("pesq", "wideband PESQ (MOS-LQO)", 2, 1.0),
    ("stoi", "STOI", 3, 1.0),
    ("lsd", "LSD", 3, 1.0),
)


def _short(system: str) -> str:
    return {
        "wideband reference (ceiling)": "reference (ceiling)",
        "sinc interpolation (ours)": "sinc interp. (floor)",
        "cubic spline (ours)": "cubic spline",
    }.get(system, system.replace("-speech-8k-16k", ""))


def pivot_tables(summaries: dict[str, list[dict]], degradations: list[str]) -> str:
    """One table per metric: a row per degradation, a column per system that runs on every
    degradation (the ceiling, the interpolations, the models)."""
    systems = [
        r["system"]
        for r in summaries[degradations[0]]
        if r["kind"] in ("ceiling", "baseline", "ours")
    ]
    out = []
    for key, title, digits, scale in PIVOTS:
        lines = [
            f"**{title}** (n = {summaries[degradations[0]][0]['n']} clips per cell)\n",
            "| input | " + " | ".join(_short(s) for s in systems) + " |",
            "|---|" + "---|" * len(systems),
        ]
        for d in degradations:
            by = {r["system"]: r for r in summaries[d]}
            cells = [_f(by[s].get(key), digits, scale) if s in by else "" for s in systems]
            lines.append(f"| {d} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def _order(summary: list[dict]) -> list[dict]:
    rank = {"ceiling": 0, "baseline": 1, "ours": 2, "peer": 3}
    return sorted(summary, key=lambda r: (rank.get(r["kind"], 9), r.get("lsd", 0.0)))


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    from hf_audiosr.degradations import SPEECH_DEGRADATIONS, check_degradation

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", action="append", help="default: every bundled 8->16 kHz model")
    parser.add_argument(
        "--degradation", action="append", help=f"default: {', '.join(SPEECH_DEGRADATIONS)}"
    )
    parser.add_argument("--recognizer", default="pocketsphinx")
    parser.add_argument(
        "--baseline",
        action="append",
        choices=("sinc", "cubic"),
        help="interpolations to score (default: sinc and cubic)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes (one degradation each)")
    parser.add_argument("--max-clips", type=int, default=None, help="first N clips only (tests)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "speech_benchmark")
    parser.add_argument(
        "--resume", action="store_true", help="reuse the degradations finished under --out/parts"
    )
    args = parser.parse_args(argv)

    from hf_audiosr.bundled import bundled_models
    from hf_audiosr.cpu import cpu_capability

    if not (args.data / "MANIFEST.csv").is_file():
        print(f"error: {args.data / 'MANIFEST.csv'} not found", file=sys.stderr)
        return 2
    degradations = [
        check_degradation(d.strip())
        for spec in (args.degradation or list(SPEECH_DEGRADATIONS))
        for d in spec.split(",")
        if d.strip()
    ]
    if args.model:
        models = args.model
    else:
        import hf_audiosr
        from hf_audiosr.benchmark import model_serves

        models = [
            name
            for name in bundled_models()
            if model_serves(hf_audiosr.pipeline(name).model.config, INPUT_RATE, TARGET_RATE)
        ]
    manifest, clips = speech_manifest(args.data, args.out)
    if args.max_clips is not None:
        clips = clips[: args.max_clips]
        keep = {str((args.data / c["path"]).resolve()) for c in clips}
        with open(manifest, newline="") as f:
            rows = [
                r
                for r in csv.DictReader(f)
                if r["path"] in keep or (r["reference"] and r["reference"] in keep)
            ]
        with open(manifest, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    jobs = max(1, min(args.jobs, len(degradations)))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    cpu = cpu_capability().describe()
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    print(f"{len(clips)} clips, {sum(c['duration_s'] for c in clips):.1f} s of speech")
    print(f"models: {', '.join(models)}; degradations: {', '.join(degradations)}")
    print(f"CPU: {cpu}; {jobs} process(es) x {threads} torch thread(s)", flush=True)

    start = time.perf_counter()
    results: dict[str, tuple[list[dict], list[str], float]] = {}
    parts = args.out / "parts"  # one file per finished degradation, for --resume
    parts.mkdir(parents=True, exist_ok=True)
    baselines = tuple(args.baseline or ("sinc", "cubic"))
    setup = {"models": models, "recognizer": args.recognizer, "clips": len(clips)}
    setup["baselines"] = list(baselines)
    for d in degradations:
        part = parts / f"{d}.json"
        if args.resume and part.is_file():
            saved = json.loads(part.read_text())
            if saved["setup"] == setup:
                results[d] = (saved["rows"], saved["unmatched"], saved["seconds"])
                print(f"  {d}: {len(saved['rows'])} rows from {part}", flush=True)
    todo = [d for d in degradations if d not in results]

    def done(name, rows, unmatched, seconds):
        results[name] = (rows, unmatched, seconds)
        record = {"setup": setup, "rows": rows, "unmatched": unmatched, "seconds": seconds}
        (parts / f"{name}.json").write_text(json.dumps(record))  # NaN / Infinity kept
        print(f"  {name}: {len(rows)} rows in {seconds:.0f} s", flush=True)

    if todo and jobs == 1:
        _init(models, args.recognizer, threads, baselines)
        for d in todo:
            done(*_run_one(str(manifest), d))
    elif todo:
        with ProcessPoolExecutor(
            jobs, initializer=_init, initargs=(models, args.recognizer, threads, baselines)
        ) as pool:
            futures = [pool.submit(_run_one, str(manifest), d) for d in todo]
            for future in as_completed(futures):
                done(*future.result())
    elapsed = time.perf_counter() - start
    write_outputs(args, command, cpu, models, clips, degradations, results, elapsed)
    return 0


def write_outputs(args, command, cpu, models, clips, degradations, results, elapsed) -> None:
    from hf_audiosr.benchmark import summarize, write_csv

    all_rows: list[dict] = []
    summaries: dict[str, list[dict]] = {}
    warnings: list[str] = []
    sections = []
    peer_refs = {str((args.data / c["path"]).resolve()) for c in clips if c["peers"]}
    for d in degradations:
        rows, unmatched, _ = results[d]
        warnings += [w for w in unmatched if w not in warnings]
        all_rows += rows
        tables = summarize(rows)
        summary = _order(next(iter(tables.values()))) if tables else []
        summaries[d] = summary
        sections.append(f"#### {_title(d)} (`{d}`)\n\n{markdown_table(summary)}\n")
        if d == "clean" and peer_refs:
            same = [r for r in rows if r["reference"] in peer_refs]
            t = summarize(same)
            sub = _order(next(iter(t.values()))) if t else []
            summaries["clean, peers' clips"] = sub
            names = ", ".join(
                c["utterance_id"] or Path(c["path"]).parent.name for c in clips if c["peers"]
            )
            sections.append(
                f"#### clean, only the {len(peer_refs)} clips with published outputs "
                f"({names})\n\n{markdown_table(sub)}\n"
            )
    markdown = pivot_tables(summaries, degradations) + "\n" + "\n".join(sections)
    print()
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tables.md").write_text(markdown)
    write_csv(all_rows, args.out / "per_clip.csv")
    clip_info = [
        {k: c[k] for k in ("path", "utterance_id", "transcript", "duration_s")}
        | {"peers": sorted(c["peers"])}
        for c in clips
    ]
    result = {
        "command": command,
        "cpu": cpu,
        "elapsed_s": round(elapsed, 1),
        "seconds_per_degradation": {d: round(results[d][2], 1) for d in degradations},
        "models": models,
        "degradations": degradations,
        "recognizer": args.recognizer,
        "input_rate_hz": INPUT_RATE,
        "target_rate_hz": TARGET_RATE,
        "clips": clip_info,
        "summaries": summaries,
        "rows": all_rows,
        "warnings": warnings,
    }
    with open(args.out / "results.json", "w") as f:
        json.dump(_jsonable(result), f, indent=1, allow_nan=False)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(
        f"wrote {args.out / 'tables.md'}, {args.out / 'results.json'} and "
        f"{args.out / 'per_clip.csv'} ({elapsed / 60:.1f} min on {cpu})"
    )


if __name__ == "__main__":
    sys.exit(main())
