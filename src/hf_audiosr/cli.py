"""The ``hf-audiosr`` command line.

Every command prints one clear line and exits non-zero on bad input; tracebacks are shown only
with ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def say(message: str, file=None) -> None:
    """Print one line with a single write, so lines of several processes never interleave."""
    stream = file or sys.stdout
    stream.write(message + "\n")
    stream.flush()


class CLIError(Exception):
    """An error to report as one line (no traceback)."""


def _expected_errors() -> tuple[type[BaseException], ...]:
    return (CLIError, ValueError, OSError, RuntimeError)


def _one_line(err: BaseException) -> str:
    """An error message on one line (some library messages span several)."""
    return " ".join(str(err).split()) or type(err).__name__


def _report_file_error(src, err: BaseException, debug: bool) -> None:
    """One ``error:`` line for a file that failed (re-raised with ``--debug``); must be called
    from the ``except`` block that caught ``err``."""
    message = _one_line(err)
    print(
        f"error: {src}: {message}" if str(src) not in message else f"error: {message}",
        file=sys.stderr,
    )
    if debug:
        raise err


# ---------------------------------------------------------------------------- upsample
def _output_path_for(src: Path, root: Path | None, out: Path, single: bool, ext: str) -> Path:
    if single and out.suffix.lower() in (".wav", ".flac"):
        return out
    rel = src.relative_to(root) if root is not None else Path(src.name)
    return out / rel.with_suffix(ext)


def _collect_inputs(inputs: list[str]) -> list[tuple[Path, Path | None]]:
    from .audio_io import AUDIO_EXTENSIONS

    items: list[tuple[Path, Path | None]] = []
    for name in inputs:
        p = Path(name)
        if p.is_dir():
            found = [
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
            ]
            if not found:
                raise CLIError(
                    f"{p}: folder contains no audio files ({', '.join(AUDIO_EXTENSIONS)})"
                )
            items.extend((f, p) for f in found)
        else:
            items.append((p, None))
    return items


class _ModelCache:
    """Models loaded once per run, by name (``auto`` may need several)."""

    def __init__(self, device):
        self.device = device
        self._models = {}

    def get(self, name: str | None):
        from .loading import load_model

        if name is None:
            return None
        if name not in self._models:
            self._models[name] = load_model(name).eval().to(self.device)
        return self._models[name]


def _route_file(src: Path, args, models: _ModelCache):
    """``(model or None, bandwidth estimate, route)`` for one input file."""
    from .audio_io import audio_info, check_audio_path
    from .routing import choose_model, fixed_route
    from .streaming import measure_file_bandwidth

    check_audio_path(src)
    _, file_sr, _ = audio_info(src)
    bandwidth = measure_file_bandwidth(src)
    if args.model == AUTO_MODEL:
        route = choose_model(bandwidth.cutoff_hz, file_sr, args.target_rate)
    else:
        config = models.get(args.model).config
        route = fixed_route(args.model, config, bandwidth.cutoff_hz, file_sr, args.target_rate)
    return models.get(route.model), bandwidth, route


AUTO_MODEL = "auto"


def cmd_upsample(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from .audio_io import AUDIO_EXTENSIONS
    from .distributed import process_state
    from .streaming import upsample_file

    items = _collect_inputs(args.inputs)
    out = Path(args.output)
    single = len(items) == 1 and items[0][1] is None
    if not single and out.suffix.lower() in (".wav", ".flac"):
        raise CLIError(f"{out}: several inputs need an output folder, not a file name")
    if out.suffix.lower() in AUDIO_EXTENSIONS and out.suffix.lower() not in (".wav", ".flac"):
        raise CLIError(f"{out}: can only write .wav or .flac files")
    if args.target_rate is not None and args.target_rate <= 0:
        raise CLIError(f"--target-rate must be positive, got {args.target_rate}")
    if args.chunk_length <= 0:
        raise CLIError(f"--chunk-length must be positive, got {args.chunk_length}")
    if args.context is not None and args.context < 0:
        raise CLIError(f"--context must be non-negative, got {args.context}")
    state = process_state()
    models = _ModelCache(state.device)
    if args.model != AUTO_MODEL:
        models.get(args.model)  # a bad model name fails once, before any file
    ext = "." + args.format
    failures = 0
    # Under `accelerate launch` / `torchrun` each process takes its own share of the files.
    with state.split_between_processes(items) as mine:
        mine = list(mine)
    if state.num_processes > 1:
        say(
            f"process {state.process_index}/{state.num_processes}: {len(mine)} of {len(items)} files"
        )
    for src, root in mine:
        dst = _output_path_for(src, root, out, single, ext)
        if dst.resolve() == src.resolve():
            print(f"error: {src}: output would overwrite the input", file=sys.stderr)
            failures += 1
            continue
        # disable=None: tqdm shows the bar only on a terminal, never in logs or pipes
        bar = tqdm(
            total=1, unit="s", desc=src.name, disable=True if args.quiet else None, leave=False
        )
        try:
            model, bandwidth, route = _route_file(src, args, models)
            rate = model.config.input_sampling_rate if model is not None else 1

            def progress(done: int, total: int, bar=bar, rate=rate) -> None:
                bar.total = round(total / rate, 1)
                bar.n = round(done / rate, 1)
                bar.refresh()

            info = upsample_file(
                model,
                src,
                dst,
                # the route's rate: --target-rate, else the rate policy for this model (a 48 kHz
                # model that also serves 44.1 kHz gives 22.05 kHz input 44.1 kHz out)
                target_sampling_rate=route.output_sampling_rate,
                preserve_input_band=not args.no_preserve_band,
                bandwidth=bandwidth,
                chunk_length_s=args.chunk_length,
                context_s=args.context,
                progress=progress,
            )
        except _expected_errors() as err:
            bar.close()
            failures += 1
            _report_file_error(src, err, args.debug)
            continue
        bar.close()
        if info["clipped_samples"]:
            print(
                f"warning: {dst}: {info['clipped_samples']} samples exceeded full scale and were clipped "
                "(write .wav to keep them as float)",
                file=sys.stderr,
            )
        if route.model is None:
            print(f"note: {src}: {route.reason}", file=sys.stderr)
        band = f"{bandwidth.cutoff_hz / 1000:.3g} kHz of band"
        via = route.model or "no model"
        say(
            f"{src} ({info['sampling_rate_in']} Hz, {band}) -> {dst} ({info['sampling_rate']} Hz) "
            f"via {via}"
        )
        if args.plot:
            png = _plot(src, dst)
            print(f"spectrogram: {png}")
    if state.num_processes > 1:
        state.wait_for_everyone()  # leave together: no process tears the group down early
    return EXIT_OK if failures == 0 else EXIT_FAILED


def _plot(src: Path, dst: Path) -> Path:
    from .audio_io import load_audio
    from .plotting import plot_before_after

    before, bsr = load_audio(src)
    after, asr = load_audio(dst)
    return plot_before_after(before, bsr, after, asr, dst.with_suffix(".png"), title=src.name)


# ---------------------------------------------------------------------------- models
def _auto_column(routing: dict) -> str:
    band = routing["auto_band_hz"]
    if band is None:
        return "-"
    return f"{band[0] / 1000:.3g}-{band[1] / 1000:.3g} kHz"


def cmd_models(args: argparse.Namespace) -> int:
    from .bundled import bundled_models, model_summary
    from .routing import routing_table

    rows = [model_summary(name, path) for name, path in bundled_models().items()]
    routes = {r["name"]: r for r in routing_table()}
    for r in rows:
        r["routing"] = routes[r["name"]]
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("no bundled models installed")
        return EXIT_OK
    print(
        "`--model auto` (the default) sends each input to the model that adds the most band to "
        "the input's measured band; 'auto for' is the band of input it gets when the output is "
        "asked for at its 'out Hz' (--target-rate; with none, every band goes to the model with "
        "the highest output rate that serves it)."
    )
    print(
        f"{'name':28} {'architecture':20} {'in Hz':>7} {'out Hz':>7} {'params':>9} "
        f"{'auto for':>13}  recipe"
    )
    for r in rows:
        t = r["training"]
        recipe = (
            f"step {t['steps']} of {t['max_steps']} x batch {t['batch_size']}, "
            f"{t['train_minutes']} min of audio"
        )
        if t["init_from"]:
            total = f"{t['total_steps']} steps in all" if t["total_steps"] else "more before"
            recipe += f" (fine-tuned from {t['init_from']}: {total})"
        print(
            f"{r['name']:28} {r['architecture']:20} {r['input_sampling_rate']:>7} "
            f"{r['output_sampling_rate']:>7} {r['num_parameters'] or 0:>9,} "
            f"{_auto_column(r['routing']):>13}  {recipe}"
        )
    return EXIT_OK


# ---------------------------------------------------------------------------- train
def cmd_train(args: argparse.Namespace) -> int:
    from .training import train

    if not Path(args.config).is_file():
        raise CLIError(f"{args.config}: no such training config")
    result = train([args.config, *args.overrides])
    print(f"finished at step {result['step']}; best validation LSD {result['best_lsd']:.4f}")
    return EXIT_OK


# ---------------------------------------------------------------------------- evaluate
def cmd_evaluate(args: argparse.Namespace) -> int:
    from .audio_io import load_audio
    from .dsp import resample
    from .metrics.functional import compute_all

    ref, ref_sr = load_audio(args.reference, always_2d=False)
    est, est_sr = load_audio(args.estimate, always_2d=False)
    if est_sr != ref_sr:
        est = resample(est, est_sr, ref_sr)
    if args.input_rate <= 0 or args.input_rate > ref_sr:
        raise CLIError(
            f"--input-rate must be in (0, {ref_sr}] (the reference's rate), got {args.input_rate}"
        )
    groups = _metric_list(args.metrics) if args.metrics else ["lsd"]
    known = ("lsd", "pesq", "stoi", "estoi", "wer")
    if not groups or any(g not in known for g in groups):
        raise CLIError(f"--metrics takes a comma-separated list of {', '.join(known)}")
    if "wer" in groups and not args.transcript:
        raise CLIError("--metrics wer needs --transcript (the words spoken in the reference)")
    result = {"sampling_rate": ref_sr, "input_rate": args.input_rate}
    if "lsd" in groups:
        result.update(
            compute_all(ref, est, sampling_rate=ref_sr, input_sampling_rate=args.input_rate)
        )
    if {"pesq", "stoi", "estoi", "wer"} & set(groups):
        from .metrics import speech
        from .metrics.functional import align

        ref_a, est_a = align(ref, est)
        for name, fn in (("pesq", speech.pesq_wb), ("stoi", speech.stoi), ("estoi", speech.estoi)):
            if name in groups:
                result[name] = fn(ref_a, est_a, sampling_rate=ref_sr)
        if "wer" in groups:
            from .metrics.asr import load_recognizer

            hypothesis = load_recognizer(args.recognizer).transcribe(est, ref_sr)
            result["wer"] = speech.wer(args.transcript, hypothesis)
            result["cer"] = speech.cer(args.transcript, hypothesis)
            result["hypothesis"] = hypothesis
    if args.json:
        # strict JSON: a non-finite value (the SNR of a perfect estimate is +inf) becomes null
        strict = {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in result.items()
        }
        print(json.dumps(strict, indent=2, allow_nan=False))
    else:
        for key, value in result.items():
            print(f"{key:14} {value:.4f}" if isinstance(value, float) else f"{key:14} {value}")
    return EXIT_OK


# ---------------------------------------------------------------------------- benchmark
def _metric_list(text: str) -> list[str]:
    return [m.strip().lower() for m in text.split(",") if m.strip()]


def cmd_benchmark(args: argparse.Namespace) -> int:
    from .benchmark import (
        _parse_metrics,
        format_markdown,
        read_transcripts,
        run_benchmark,
        summarize,
        write_csv,
    )
    from .bundled import bundled_models
    from .degradations import SPEECH_DEGRADATIONS, check_degradation
    from .loading import pipeline

    data = Path(args.data)
    manifest = data / "MANIFEST.csv" if data.is_dir() else data
    if not manifest.is_file():
        raise CLIError(f"{manifest}: no MANIFEST.csv found")
    metrics = _parse_metrics(_metric_list(args.metrics)) if args.metrics else ("lsd",)
    degradations = None
    if args.degradation:
        names = [d for name in args.degradation for d in _metric_list(name)]
        names = [d for name in names for d in (SPEECH_DEGRADATIONS if name == "all" else (name,))]
        degradations = tuple(check_degradation(d) for d in dict.fromkeys(names))
    transcripts = read_transcripts(args.transcripts) if args.transcripts else None
    from accelerate.utils import gather_object

    from .distributed import process_state

    state = process_state()
    names = args.model or list(bundled_models())
    pipes = {name: pipeline(name, device=state.device) for name in names}
    unmatched: list[str] = []
    rows = run_benchmark(
        manifest,
        pipes,
        protocol=args.protocol,
        use_manifest_inputs=args.inputs == "manifest",
        sources=args.source or None,
        shard=(state.process_index, state.num_processes),
        derive_rates=tuple(args.derive_rate or ()),
        degradations=degradations,
        metrics=metrics,
        recognizer=args.recognizer,
        transcripts=transcripts,
        unmatched=unmatched,
    )
    if state.num_processes > 1:
        rows = gather_object(rows)
        unmatched = gather_object(unmatched)
        state.wait_for_everyone()
        if not state.is_main_process:
            return EXIT_OK
    tables = summarize(rows, pool_sources=args.pool_sources)
    if args.condition:
        tables = {k: v for k, v in tables.items() if k[1] in args.condition}
    markdown = format_markdown(tables)
    print(markdown)
    for line in unmatched:
        say(f"warning: {line}", file=sys.stderr)
    if unmatched:
        say(
            f"warning: {len(unmatched)} manifest rows or estimates were not scored (above)",
            file=sys.stderr,
        )
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(rows, out / "per_clip.csv")
        (out / "summary.md").write_text(markdown)
        summary_rows = [
            {
                "source": key[0],
                "condition": key[1],
                **({"degradation": key[2]} if len(key) > 2 else {}),
                **r,
            }
            for key, t in tables.items()
            for r in t
        ]
        write_csv(summary_rows, out / "summary.csv")
        files = [out / "per_clip.csv", out / "summary.csv", out / "summary.md"]
        if unmatched:
            (out / "warnings.txt").write_text("\n".join(unmatched) + "\n")
            files.append(out / "warnings.txt")
        print(f"wrote {', '.join(map(str, files[:-1]))} and {files[-1]}")
    return EXIT_OK


# ---------------------------------------------------------------------------- push
def cmd_push(args: argparse.Namespace) -> int:
    from .bundled import resolve_model
    from .hub import push_model

    folder = resolve_model(args.model_dir)
    if not Path(folder).is_dir():
        raise CLIError(f"{args.model_dir}: not a local model folder or bundled model name")
    try:
        url = push_model(folder, args.repo_id, private=args.private)
    except (ConnectionError, OSError) as err:
        raise CLIError(
            f"could not reach the Hugging Face Hub ({type(err).__name__}: {err})"
        ) from err
    except Exception as err:
        kind = type(err).__name__
        if type(err).__module__.startswith(("huggingface_hub", "requests", "httpx", "httpcore")):
            if "Connect" in kind or "Timeout" in kind or "Offline" in kind:
                raise CLIError(f"could not reach the Hugging Face Hub ({kind}: {err})") from err
            raise CLIError(f"the Hub refused the upload ({kind}: {err})") from err
        raise
    print(f"published {folder} to {url}")
    return EXIT_OK


# ---------------------------------------------------------------------------- inspect
_INSPECT_BLOCK = 1 << 16  # frames read at a time: memory stays bounded for an hour-long file


def _dbfs(value: float) -> float | None:
    """``20 log10(value)`` rounded, or None for digital silence (JSON has no -inf)."""
    return round(20 * math.log10(value), 2) if value > 0 else None


def _inspect_file(path: Path, target_rate: int | None) -> dict:
    """What ``inspect`` reports for one file, read block by block."""
    import numpy as np

    from .audio_io import AudioLoadError, audio_info, check_audio_path, iter_blocks
    from .bandwidth import BandwidthMeter
    from .routing import choose_model

    check_audio_path(path)
    frames, sr, channels = audio_info(path)
    # the header's frame count only spreads the analysed frames; the count read is what counts
    meter = BandwidthMeter(sr, total_samples=frames if frames > 0 else None)
    peak, sum_sq, n = 0.0, 0.0, 0
    for block in iter_blocks(path, _INSPECT_BLOCK):
        if not np.isfinite(block).all():
            raise AudioLoadError(f"{path}: contains NaN or infinite samples")
        x = block.astype(np.float64)
        if x.size:
            peak = max(peak, float(np.abs(x).max()))
            sum_sq += float(np.square(x).sum())
        n += x.shape[1]
        meter.update(x)
    if n == 0:
        raise AudioLoadError(f"{path}: the file contains no samples")
    estimate = meter.result()
    route = choose_model(estimate.cutoff_hz, sr, target_rate)
    return {
        "path": str(path),
        "sampling_rate": sr,
        "channels": channels,
        "duration_s": round(n / sr, 3),
        "peak_dbfs": _dbfs(peak),
        "rms_dbfs": _dbfs(math.sqrt(sum_sq / (n * channels))),
        "bandwidth_hz": estimate.cutoff_hz,
        "bandwidth": estimate.to_dict(),
        "auto": route.to_dict(),
    }


def _level(db: float | None) -> str:
    return "silent" if db is None else f"{db:.1f} dBFS"


def _print_inspection(r: dict) -> None:
    b, auto = r["bandwidth"], r["auto"]
    band = (
        f"{r['bandwidth_hz'] / 1000:.2f} kHz (full band)"
        if b["full_band"]
        else f"{r['bandwidth_hz'] / 1000:.2f} kHz"
    )
    if b["kind"] == "bandpass":
        band = f"{b['low_cutoff_hz']:.0f} Hz - {band}"
    model = auto["model"] or "none (passthrough)"
    say(
        "\n".join(
            [
                str(r["path"]),
                f"  {r['sampling_rate']} Hz, {r['channels']} channel"
                f"{'s' if r['channels'] != 1 else ''}, {r['duration_s']:.2f} s, "
                f"peak {_level(r['peak_dbfs'])}, RMS {_level(r['rms_dbfs'])}",
                f"  bandwidth: {band}, {b['kind']}, confidence {b['confidence']:.2f}: {b['reason']}",
                f"  auto: {model} -> {auto['output_sampling_rate']} Hz: {auto['reason']}",
            ]
        )
    )


def cmd_inspect(args: argparse.Namespace) -> int:
    if args.target_rate is not None and args.target_rate <= 0:
        raise CLIError(f"--target-rate must be positive, got {args.target_rate}")
    items = _collect_inputs(args.inputs)
    results, failures = [], 0
    for src, _ in items:
        try:
            result = _inspect_file(src, args.target_rate)
        except _expected_errors() as err:
            failures += 1
            _report_file_error(src, err, args.debug)
            continue
        if args.json:
            results.append(result)
        else:
            _print_inspection(result)
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_OK if failures == 0 else EXIT_FAILED


# ---------------------------------------------------------------------------- main
def _speech_degradations() -> tuple[str, ...]:
    from .degradations import SPEECH_DEGRADATIONS

    return SPEECH_DEGRADATIONS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hf-audiosr", description="Neural audio super-resolution."
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("upsample", help="super-resolve audio files or folders")
    p.add_argument("inputs", nargs="+", help="audio files (WAV, FLAC, OGG, MP3) or folders")
    p.add_argument("-o", "--output", required=True, help="output file (one input) or folder")
    p.add_argument(
        "--model",
        default=AUTO_MODEL,
        help="'auto' (default: per file, the bundled model that fits its measured band; see "
        "`hf-audiosr models`), a bundled name, a model folder or a Hub id",
    )
    p.add_argument(
        "--target-rate",
        type=int,
        default=None,
        help="output rate (Hz); default: the model's output rate or the input's, whichever is higher",
    )
    p.add_argument(
        "--no-preserve-band",
        action="store_true",
        help="return the model's own output over the whole band (default: below the input's "
        "measured cut-off the output is the input)",
    )
    p.add_argument(
        "--format", choices=("wav", "flac"), default="wav", help="output format for folders"
    )
    p.add_argument(
        "--chunk-length", type=float, default=10.0, help="seconds of input per model call"
    )
    p.add_argument(
        "--context",
        type=float,
        default=None,
        help="seconds of extra input on each side of a chunk, discarded (default: the model's "
        "receptive field, at least 0.25, so chunked output matches whole-file output)",
    )
    p.add_argument("--plot", action="store_true", help="also write a before/after spectrogram PNG")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_upsample)

    p = sub.add_parser(
        "inspect",
        help="rate, channels, length, levels, measured bandwidth and the model auto would use",
    )
    p.add_argument("inputs", nargs="+", help="audio files (WAV, FLAC, OGG, MP3) or folders")
    p.add_argument(
        "--target-rate",
        type=int,
        default=None,
        help="route as `upsample --target-rate` would (default: the rate policy's own)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output (a list)")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("models", help="list the bundled models")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("evaluate", help="score one estimate against its reference")
    p.add_argument("--reference", required=True, help="the full-band reference recording")
    p.add_argument("--estimate", required=True, help="the super-resolved recording")
    p.add_argument(
        "--input-rate", type=int, required=True, help="rate (Hz) of the low-resolution input"
    )
    p.add_argument(
        "--metrics",
        default=None,
        help="comma-separated: lsd (default), pesq, stoi, estoi, wer (the last four need the "
        "eval extra; wer needs --transcript)",
    )
    p.add_argument("--transcript", default=None, help="what the reference says (for wer)")
    p.add_argument(
        "--recognizer",
        default="pocketsphinx",
        help="pocketsphinx (default) or transformers:<ASR model id or folder>",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("benchmark", help="compare models with published systems on a manifest")
    p.add_argument("--data", required=True, help="folder with MANIFEST.csv (or the CSV itself)")
    p.add_argument(
        "--model", action="append", help="model to run (repeatable; default: all bundled)"
    )
    p.add_argument(
        "--protocol",
        choices=("sinc", "cheby", "fft"),
        default="sinc",
        help="how inputs are simulated",
    )
    p.add_argument("--inputs", choices=("simulated", "manifest"), default="simulated")
    p.add_argument("--source", action="append", help="only these manifest sources (repeatable)")
    p.add_argument("--condition", action="append", help="only these conditions, e.g. 8k->16k")
    p.add_argument(
        "--derive-rate",
        type=int,
        action="append",
        help="also score at this lower target rate, resampling references and peer outputs "
        "(e.g. 16000 turns 8k->48k clips into 8k->16k ones; repeatable)",
    )
    p.add_argument(
        "--degradation",
        action="append",
        metavar="NAME",
        help="pass the simulated low-rate input through NAME first and make one table per "
        "degradation (repeatable or comma-separated): clean (the --protocol input alone), "
        "telephone (300-3400 Hz), mulaw, alaw, gsm610, g721, mp3_<kbps>k, opus_<kbps>k, "
        "vorbis_<kbps>k, or 'all' for " + ", ".join(_speech_degradations()),
    )
    p.add_argument(
        "--metrics",
        default=None,
        help="comma-separated columns: lsd (LSD, LSD-HF/LF, SNR, SI-SDR; the default), pesq "
        "(wideband, 16 kHz), stoi, estoi, wer (word/character error rate of --recognizer on "
        "clips whose reference has a transcript); all but lsd need the eval extra",
    )
    p.add_argument(
        "--recognizer",
        default="pocketsphinx",
        help="speech recognizer for wer: pocketsphinx (offline, default) or "
        "transformers:<ASR model id or folder>",
    )
    p.add_argument(
        "--transcripts",
        default=None,
        help="utterance_id<TAB>text file for references with an utterance_id but no transcript",
    )
    p.add_argument(
        "--pool-sources",
        action="store_true",
        help="one table per condition (and degradation) over every source, not one per source",
    )
    p.add_argument(
        "--out",
        default=None,
        help="folder for per_clip.csv, summary.csv, summary.md (and warnings.txt)",
    )
    p.set_defaults(func=cmd_benchmark)

    p = sub.add_parser("push", help="publish a model folder to the Hugging Face Hub")
    p.add_argument("model_dir", help="model folder (or bundled model name)")
    p.add_argument("--repo-id", required=True, help="owner/name on the Hub")
    p.add_argument("--private", action="store_true")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("train", help="train a model from a JSON config")
    p.add_argument("config", help="training config (see configs/)")
    p.add_argument("overrides", nargs=argparse.REMAINDER, help="--key value overrides")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except _expected_errors() as err:
        if args.debug:
            raise
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
