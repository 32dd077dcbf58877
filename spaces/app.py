"""Hugging Face Space: super-resolve an uploaded or recorded clip with a bundled hf-audiosr model.

Run locally from the repository (with the package installed, e.g. ``pip install -e ".[space]"``)::

    python spaces/app.py [--host 127.0.0.1] [--port 7860]

The work is done by plain functions (:func:`super_resolve`, :func:`pipeline_cache`) so they can be
tested without a browser; :func:`build_demo` only wires them to Gradio components.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import soundfile as sf

import hf_audiosr
from hf_audiosr.audio_io import load_audio
from hf_audiosr.bundled import model_summary
from hf_audiosr.plotting import plot_before_after

MAX_INPUT_SECONDS = 120.0
MIN_TARGET_RATE, MAX_TARGET_RATE = 1_000, 192_000
RESULT_MAX_AGE_S = 3600

DESCRIPTION = """\
# hf-audiosr: audio super-resolution

Upload or record a clip and get it back with the high frequencies it is missing predicted
(bandwidth extension). With **auto** (the default) the clip's real bandwidth is measured and the
bundled model made for that band is used; a clip that already holds the band the output can carry
comes back unchanged. Nothing the clip holds is lost: its rate (or a higher one), its length, its
channels, and everything below its measured cut-off are kept. The spectrograms show the input and
the output on the same frequency axis.
"""
AUTO = "auto"


def pipeline_cache(
    loader: Callable[[str], Any] | None = None, max_models: int = 2
) -> Callable[[str], Any]:
    """A ``model name -> pipeline`` getter that keeps the last ``max_models`` pipelines loaded."""
    load = loader or hf_audiosr.pipeline
    pipelines: dict[str, Any] = {}
    lock = threading.Lock()

    def get(name: str) -> Any:
        with lock:
            if name not in pipelines:
                while len(pipelines) >= max_models:
                    pipelines.pop(next(iter(pipelines)))
                pipelines[name] = load(name)
            return pipelines[name]

    return get


def model_choices() -> list[tuple[str, str]]:
    """``(label, name)`` of ``auto`` and every bundled model, the label showing its rates."""
    choices = [("auto (the bundled model that fits each clip's band)", AUTO)]
    for name, path in hf_audiosr.bundled_models().items():
        info = model_summary(name, path)
        rates = (
            f"{info['input_sampling_rate'] / 1000:g} → {info['output_sampling_rate'] / 1000:g} kHz"
        )
        choices.append((f"{name} ({rates})", name))
    return choices


def _check_target_rate(target_rate: float | None) -> int | None:
    if target_rate is None or target_rate == 0:
        return None
    rate = float(target_rate)
    if rate != int(rate) or not MIN_TARGET_RATE <= rate <= MAX_TARGET_RATE:
        raise gr.Error(
            f"Target rate must be a whole number of Hz between {MIN_TARGET_RATE} and "
            f"{MAX_TARGET_RATE} (or 0 for the model's own output rate), got {target_rate:g}.",
            print_exception=False,
        )
    return int(rate)


def _safe_stem(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._") or "audio"
    return stem[:80]


def prune_results(out_dir: str | Path, max_age_s: float = RESULT_MAX_AGE_S) -> None:
    """Delete result folders under ``out_dir`` older than ``max_age_s`` seconds."""
    cutoff = time.time() - max_age_s
    for child in Path(out_dir).glob("run-*"):
        try:
            if child.is_dir() and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            pass


def super_resolve(
    path: str | Path | None,
    model_name: str = AUTO,
    target_rate: float | None = None,
    *,
    get_pipeline: Callable[[str], Any] | None = None,
    out_dir: str | Path | None = None,
    max_seconds: float = MAX_INPUT_SECONDS,
) -> tuple[str, str, str]:
    """Super-resolve one audio file.

    Returns ``(wav_path, png_path, status)``: a 16-bit WAV at the output rate, a PNG with the input
    and output spectrograms, and a Markdown line with the rates and the processing time. Bad input
    (no file, an unreadable or empty file, a clip longer than ``max_seconds``, an unknown model, a
    bad target rate) raises ``gr.Error`` with a message meant for the user.
    """
    if not path:
        raise gr.Error("Upload or record an audio clip first.", print_exception=False)
    models = hf_audiosr.bundled_models()
    if model_name != AUTO and model_name not in models:
        raise gr.Error(
            f"Unknown model {model_name!r}; choose one of: {', '.join([AUTO, *models])}.",
            print_exception=False,
        )
    rate = _check_target_rate(target_rate)
    source = Path(path)
    try:
        audio, sr = load_audio(source)
    except ValueError as err:
        message = str(err).replace(str(source), source.name)
        raise gr.Error(f"Could not read the audio: {message}", print_exception=False) from err
    channels, length = audio.shape
    duration = length / sr
    if duration > max_seconds:
        raise gr.Error(
            f"The clip is {duration:.1f} s long; this demo takes at most {max_seconds:g} s. "
            "Use the `hf-audiosr upsample` command line for long files.",
            print_exception=False,
        )
    pipe = (get_pipeline or hf_audiosr.pipeline)(model_name)
    start = time.perf_counter()
    try:
        result = pipe({"array": audio, "sampling_rate": sr}, target_sampling_rate=rate)
    except ValueError as err:
        raise gr.Error(f"Could not process the audio: {err}", print_exception=False) from err
    elapsed = time.perf_counter() - start
    out, out_sr = np.asarray(result["audio"]), int(result["sampling_rate"])

    if out_dir is None:
        out_dir = tempfile.mkdtemp(prefix="hf-audiosr-space-")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=out_dir))
    stem = f"{_safe_stem(source)}_{out_sr / 1000:g}k".replace(".", "_")
    wav_path = work / f"{stem}.wav"
    png_path = work / f"{stem}_spectrogram.png"
    sf.write(wav_path, np.clip(out.T, -1.0, 1.0), out_sr, subtype="PCM_16")
    used = result.get("model")
    plot_before_after(audio, sr, out, out_sr, png_path, title=used or "unchanged")

    band = result.get("input_bandwidth_hz")
    measured = "" if band is None else f", content up to {band / 1000:.3g} kHz"
    how = f"model `{used}`" if used else f"no model: {result.get('note', 'nothing to add')}"
    status = (
        f"**Input:** {sr} Hz, {channels} channel{'s' if channels > 1 else ''}, "
        f"{duration:.2f} s{measured} → **Output:** {out_sr} Hz, {out.shape[-1] / out_sr:.2f} s "
        f"· {how} · processed in {elapsed:.2f} s"
    )
    return str(wav_path), str(png_path), status


def build_demo(max_models: int = 2) -> gr.Blocks:
    """The Gradio app: audio in, model and optional target rate, audio and spectrograms out."""
    get_pipeline = pipeline_cache(max_models=max_models)
    out_dir = Path(tempfile.mkdtemp(prefix="hf-audiosr-space-"))

    def run(path: str | None, model_name: str, target_rate: float | None):
        prune_results(out_dir)
        return super_resolve(
            path, model_name, target_rate, get_pipeline=get_pipeline, out_dir=out_dir
        )

    with gr.Blocks(title="hf-audiosr", delete_cache=(RESULT_MAX_AGE_S, RESULT_MAX_AGE_S)) as demo:
        gr.Markdown(DESCRIPTION)
        with gr.Row():
            with gr.Column():
                audio_in = gr.Audio(
                    sources=["upload", "microphone"],
                    type="filepath",
                    label="Input audio (upload or record)",
                    elem_id="input-audio",
                )
                model = gr.Dropdown(
                    choices=model_choices(),
                    value=AUTO,
                    label="Model",
                    elem_id="model",
                )
                target = gr.Number(
                    value=0,
                    precision=0,
                    label="Target rate in Hz (optional; 0 = the model's output rate or the clip's, whichever is higher)",
                    elem_id="target-rate",
                )
                button = gr.Button("Super-resolve", variant="primary", elem_id="run-button")
                # a copy in our temp folder: Gradio serves example files only from allowed folders
                example = shutil.copy(hf_audiosr.EXAMPLE_AUDIO, out_dir / "example_8k.flac")
                gr.Examples([[example]], inputs=[audio_in], label="Example: 8 kHz speech")
            with gr.Column():
                audio_out = gr.Audio(
                    type="filepath",
                    label="Super-resolved audio",
                    buttons=["download"],
                    interactive=False,
                    elem_id="output-audio",
                )
                status = gr.Markdown(elem_id="status")
        spectrogram = gr.Image(
            type="filepath",
            label="Spectrograms: input (top) and output (bottom)",
            interactive=False,
            elem_id="spectrogram",
        )
        button.click(
            run,
            inputs=[audio_in, model, target],
            outputs=[audio_out, spectrogram, status],
            api_name="super_resolve",
        )
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the hf-audiosr Gradio demo.")
    parser.add_argument(
        "--host", default=None, help="address to serve on (default: $GRADIO_SERVER_NAME or local)"
    )
    parser.add_argument(
        "--port", type=int, default=None, help="port (default: $GRADIO_SERVER_PORT or 7860)"
    )
    args = parser.parse_args(argv)
    build_demo().launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
