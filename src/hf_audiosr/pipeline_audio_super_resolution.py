"""``pipeline("audio-super-resolution")``: any file or array at any rate in, super-resolved audio out."""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers.pipelines.base import ChunkPipeline
from transformers.utils import logging

from .audio_io import load_audio
from .band_replacement import (
    model_cutoff_hz,
    preserved_cutoff_hz,
    preserved_low_cutoff_hz,
    replace_low_band,
)
from .bandwidth import BandwidthEstimate, estimate_bandwidth
from .chunking import ChunkPlan, crossfade_weights, plan_chunks, plan_model_chunks
from .configuration_utils import DEFAULT_CROSSFADE_S
from .dsp import resample
from .feature_extraction_audiosr import MAX_CHANNELS, check_finite, to_float32
from .routing import Route, choose_model, fixed_route

logger = logging.get_logger(__name__)


def is_number_list(values) -> bool:
    """Whether ``values`` is a non-empty list or tuple of plain numbers (no bools): one signal."""
    return (
        isinstance(values, (list, tuple))
        and len(values) > 0
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
    )


def coerce_array(audio, name: str = "audio") -> np.ndarray:
    """Array-like -> float32 ``(channels, time)``. ``(time, channels)`` with few channels is
    transposed (soundfile's layout).

    A list of numbers (or of equal-length lists of numbers) holds sample values as they are:
    Python ints are not integer PCM (``[0, 1, -1]`` is full scale, not near-silence)."""
    if isinstance(audio, torch.Tensor):
        audio = audio.detach().cpu().float().numpy()
    elif is_number_list(audio) or (
        isinstance(audio, (list, tuple)) and audio and all(is_number_list(row) for row in audio)
    ):
        audio = np.asarray(audio, dtype=np.float32)
    audio = to_float32(np.asarray(audio))
    if audio.ndim == 1:
        audio = audio[None]
    elif audio.ndim == 2:
        if audio.shape[0] > MAX_CHANNELS and audio.shape[1] <= MAX_CHANNELS:
            audio = audio.T
        if audio.shape[0] > MAX_CHANNELS:
            raise ValueError(
                f"{name}: expected (channels, time) with at most {MAX_CHANNELS} channels, got shape {audio.shape}"
            )
    else:
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got shape {audio.shape}")
    if audio.shape[-1] == 0:
        raise ValueError(f"{name}: audio is empty (0 samples)")
    check_finite(audio)
    return np.ascontiguousarray(audio)


def read_input(inputs, sampling_rate: int | None) -> tuple[np.ndarray, int]:
    """Any supported input -> float32 ``(channels, time)`` and its rate."""
    if isinstance(inputs, dict):
        if "array" in inputs or "raw" in inputs:
            array = inputs["array"] if "array" in inputs else inputs["raw"]
            sr = inputs.get("sampling_rate", sampling_rate)
            if sr is None:
                raise ValueError("the input dict needs a 'sampling_rate' next to its 'array'")
            return coerce_array(array), int(sr)
        if inputs.get("bytes"):
            return read_input(inputs["bytes"], sampling_rate)
        if inputs.get("path"):
            return read_input(inputs["path"], sampling_rate)
        raise ValueError(
            "a dict input needs 'array' and 'sampling_rate' (datasets decoded audio) or "
            f"'path'/'bytes' (datasets Audio(decode=False)); got keys {sorted(inputs)}"
        )
    if isinstance(inputs, (str, os.PathLike)):
        if isinstance(inputs, str) and inputs.startswith(("http://", "https://")):
            raise ValueError(
                "URLs are not read by this pipeline; download the file and pass its path"
            )
        audio, sr = load_audio(inputs)
        return coerce_array(audio, str(inputs)), sr
    if isinstance(inputs, (bytes, bytearray)):
        audio, sr = load_audio(bytes(inputs))
        return coerce_array(audio), sr
    if isinstance(inputs, (np.ndarray, torch.Tensor, list, tuple)):
        if sampling_rate is None:
            raise ValueError(
                "an array input needs its rate: call the pipeline with sampling_rate=..., or pass "
                "{'array': ..., 'sampling_rate': ...}"
            )
        return coerce_array(inputs), int(sampling_rate)
    raise ValueError(
        f"unsupported input type {type(inputs).__name__}: pass a file path, bytes, an array with "
        "sampling_rate=, or a dict with 'array' and 'sampling_rate'"
    )


def fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """``audio`` cropped or zero-padded along its last axis to ``length`` samples."""
    if audio.shape[-1] >= length:
        return audio[..., :length]
    return np.pad(audio, [(0, 0)] * (audio.ndim - 1) + [(0, length - audio.shape[-1])])


def output_length(length: int, sampling_rate: int, output_sampling_rate: int) -> int:
    """Samples at ``output_sampling_rate`` that last as long as ``length`` at ``sampling_rate``."""
    return int(round(length * output_sampling_rate / sampling_rate))


def model_short_name(model) -> str:
    """The bundled short name of a loaded model, else its ``name_or_path`` (or its class)."""
    from .bundled import bundled_models

    path = getattr(model, "name_or_path", "") or ""
    if path:
        for name, folder in bundled_models().items():
            if name == path or Path(path).resolve() == folder.resolve():
                return name
        return str(path)
    return type(model).__name__


@dataclass(frozen=True)
class Job:
    """One input on its way through the pipeline: the audio as read, what was measured of it, the
    route it takes and what is kept of it."""

    source: np.ndarray  # (channels, time) at ``sampling_rate``
    sampling_rate: int
    estimate: BandwidthEstimate
    route: Route
    preserve_input_band: bool
    keep_below_hz: float  # the input is kept below this (low-band replacement) ...
    keep_above_hz: float = 0.0  # ... and above this (a band-pass input: telephone)


class AudioSuperResolutionPipeline(ChunkPipeline):
    """Super-resolve audio with any hf-audiosr model, or with the bundled model that fits each input.

    Accepts a file path, encoded bytes, a numpy array / torch tensor / flat list of numbers with
    ``sampling_rate=``, or a ``{"array", "sampling_rate"}`` dict, at any rate and with any number
    of channels (each channel is processed on its own and the channel count is kept).

    What comes back never holds less than what went in:

    - **rate**: the output is at ``target_sampling_rate`` if given, else at the higher of the
      model's output rate and the input's rate (a 44.1 kHz file comes back at 44.1 kHz);
    - **length and channels** are the input's (its duration at the output rate);
    - **band**: the input's bandwidth is measured (:func:`hf_audiosr.estimate_bandwidth`) and,
      with ``preserve_input_band=True`` (the default), the output below the input's cut-off is the
      input itself; the model only adds the band above it
      (:func:`hf_audiosr.band_replacement.replace_low_band`).

    With ``auto_route=True`` (what ``hf_audiosr.pipeline()``, ``model="auto"`` and the bundled
    default give) each input goes through the bundled model whose input band fits its measured
    band (:func:`hf_audiosr.routing.choose_model`); when no bundled model can add anything, the
    input comes back unchanged (resampled if asked) and ``"note"`` says why.

    The model's input is made by band-limited resampling, processed in overlapping chunks
    (bounded memory, cross-faded seams). The result is ``{"audio": float32 array,
    "sampling_rate": int, "model": str | None, "input_bandwidth_hz": float, "note": str}``:
    ``audio`` is ``(time,)`` for mono input and ``(channels, time)`` otherwise; ``model`` names
    the model that ran (None when none did).

    Call arguments:
        sampling_rate (`int`): rate of an array input.
        target_sampling_rate (`int`, *optional*): the output's rate (may be lower than the
            input's: only then is the output's band narrower than the input's).
        preserve_input_band (`bool`, defaults to `True`): keep the input below its measured
            cut-off; `False` returns the model's own output over the whole band (research
            comparisons).
        auto_route (`bool`): pick the bundled model per input (set at construction).
        chunk_length_s (`float`, defaults to 10.0): chunk length at the input.
        context_s (`float`, *optional*): extra input on each side of a chunk, discarded. By
            default the model's receptive field plus half the cross-fade, at least 0.25 s
            (`model.config.receptive_field`, see
            [`~hf_audiosr.configuration_utils.config_chunk_context_s`]), so chunked output
            matches whole-input output; a smaller value trades exactness at the seams for speed.
        crossfade_s (`float`, defaults to 0.02): cross-fade length at chunk boundaries.
    """

    _load_processor = False
    _load_image_processor = False
    _load_feature_extractor = True
    _load_tokenizer = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.feature_extractor is None:
            raise ValueError("the audio-super-resolution pipeline needs a feature extractor")
        self._own_name = model_short_name(self.model)
        self._models = {self._own_name: self.model}

    def __call__(self, inputs, *args, **kwargs):
        """Super-resolve one input, or a list of inputs (a list of results).

        A list whose elements are all plain numbers is one mono signal, not a batch of numbers
        (transformers takes every list as a batch); a list of arrays, lists, paths or dicts is a
        batch as usual."""
        if is_number_list(inputs):
            inputs = np.asarray(inputs, dtype=np.float32)
        return super().__call__(inputs, *args, **kwargs)

    def _sanitize_parameters(
        self,
        sampling_rate=None,
        target_sampling_rate=None,
        chunk_length_s=None,
        context_s=None,
        crossfade_s=None,
        preserve_input_band=None,
        auto_route=None,
        **kwargs,
    ):
        preprocess = {}
        if sampling_rate is not None:
            preprocess["sampling_rate"] = int(sampling_rate)
        for key, value in (
            ("chunk_length_s", chunk_length_s),
            ("context_s", context_s),
            ("crossfade_s", crossfade_s),
        ):
            if value is not None:
                if value < 0 or (key == "chunk_length_s" and value <= 0):
                    raise ValueError(f"{key} must be positive, got {value}")
                preprocess[key] = float(value)
        if target_sampling_rate is not None:
            if int(target_sampling_rate) <= 0:
                raise ValueError(
                    f"target_sampling_rate must be positive, got {target_sampling_rate}"
                )
            preprocess["target_sampling_rate"] = int(target_sampling_rate)
        for key, value in (
            ("preserve_input_band", preserve_input_band),
            ("auto_route", auto_route),
        ):
            if value is not None:
                if not isinstance(value, (bool, np.bool_)):
                    raise ValueError(f"{key} must be True or False, got {value!r}")
                preprocess[key] = bool(value)
        return preprocess, {}, {}

    @property
    def input_sampling_rate(self) -> int:
        return int(self.feature_extractor.sampling_rate)

    @property
    def output_sampling_rate(self) -> int:
        return int(self.feature_extractor.output_sampling_rate)

    def _model_for(self, name: str):
        """The loaded model called ``name`` (a bundled model is loaded the first time a route
        needs it, on the pipeline's device and in its dtype)."""
        if name not in self._models:
            from .loading import load_model

            model = load_model(name, dtype=self.model.dtype).to(self.device).eval()
            self._models[name] = model
        return self._models[name]

    def _route(self, estimate, sampling_rate: int, target, auto_route: bool) -> Route:
        if auto_route:
            return choose_model(estimate.cutoff_hz, sampling_rate, target)
        return fixed_route(
            self._own_name, self.model.config, estimate.cutoff_hz, sampling_rate, target
        )

    def preprocess(
        self,
        inputs,
        sampling_rate=None,
        chunk_length_s=10.0,
        context_s=None,
        crossfade_s=DEFAULT_CROSSFADE_S,
        target_sampling_rate=None,
        preserve_input_band=True,
        auto_route=False,
    ):
        audio, sr = read_input(inputs, sampling_rate)
        estimate = estimate_bandwidth(audio, sr)
        route = self._route(estimate, sr, target_sampling_rate, auto_route)
        job = Job(
            source=audio,
            sampling_rate=sr,
            estimate=estimate,
            route=route,
            preserve_input_band=preserve_input_band,
            keep_below_hz=preserved_cutoff_hz(estimate, sr, route.output_sampling_rate),
            keep_above_hz=preserved_low_cutoff_hz(estimate),
        )
        if route.model is None:
            yield {"input_values": torch.zeros(1, 1), "info": {"job": job}, "is_last": True}
            return
        config = self._model_for(route.model).config
        model_sr, factor = int(config.input_sampling_rate), int(config.upsampling_factor)
        if sr != model_sr:
            audio = resample(audio, sr, model_sr).astype(np.float32)
            if audio.shape[-1] == 0:
                raise ValueError(
                    f"input is too short: nothing is left after resampling {sr} Hz to {model_sr} Hz"
                )
        channels, length = audio.shape
        plans = plan_model_chunks(
            config, length, model_sr, factor, chunk_length_s, context_s, crossfade_s
        )
        total = channels * len(plans)
        index = 0
        for c in range(channels):
            for plan in plans:
                index += 1
                yield {
                    "input_values": torch.from_numpy(audio[c, plan.start : plan.stop])[None],
                    "info": {
                        "job": job,
                        "channel": c,
                        "channels": channels,
                        "length": length,
                        "factor": factor,
                        "plan": plan,
                    },
                    "is_last": index == total,
                }

    def _forward(self, model_inputs):
        return {
            "audio_values": self._run_model(model_inputs["input_values"], model_inputs["info"]),
            "info": model_inputs["info"],
            "is_last": model_inputs["is_last"],
        }

    def _run_model(self, input_values: torch.Tensor, info) -> torch.Tensor:
        """Run each row through its route's model at its true length.

        With ``batch_size > 1`` the collator right-pads chunks of different lengths (and may mix
        inputs routed to different models); a U-Net would see the padding (its receptive field
        reaches past a chunk's end), so rows are grouped by model and true length and each group
        runs unpadded. Outputs are right-padded back with zeros (``postprocess`` crops them)."""
        infos = info if isinstance(info, list) else [info]
        groups: dict[tuple[str, int], list[int]] = {}
        for row, item in enumerate(infos):
            if item["job"].route.model is None:
                continue
            n = item["plan"].stop - item["plan"].start
            groups.setdefault((item["job"].route.model, n), []).append(row)
        factor = max((item.get("factor", 1) for item in infos), default=1)
        out = torch.zeros(input_values.shape[0], input_values.shape[-1] * factor)
        for (name, n), rows in groups.items():
            model = self._model_for(name)
            kwargs = {}
            if getattr(model.config, "conditions_on_bandwidth", False):
                cutoffs = [
                    model_cutoff_hz(
                        model.config, infos[r]["job"].estimate, infos[r]["job"].sampling_rate
                    )
                    for r in rows
                ]
                kwargs["input_bandwidth_hz"] = torch.tensor(cutoffs, device=self.device)
            x = input_values[rows, :n].to(self.device, model.dtype)
            y = model(input_values=x, **kwargs).audio_values
            out[rows, : y.shape[-1]] = y.float().cpu()
        return out

    def postprocess(self, model_outputs):
        job = model_outputs[0]["info"]["job"]
        sr, out_sr = job.sampling_rate, job.route.output_sampling_rate
        length = output_length(job.source.shape[-1], sr, out_sr)

        def reference():  # the input at the output rate, only where it is used
            return fit_length(resample(job.source, sr, out_sr), length)

        if job.route.model is None:
            audio = reference()
        else:
            info0 = model_outputs[0]["info"]
            channels, n_in, factor = info0["channels"], info0["length"], info0["factor"]
            out = np.zeros((channels, n_in * factor), dtype=np.float64)
            weight = np.zeros_like(out)
            for item in model_outputs:
                info, plan = item["info"], item["info"]["plan"]
                y = item["audio_values"].float().numpy().reshape(-1)
                y = y[: (plan.stop - plan.start) * factor]
                lo, w = crossfade_weights(plan, n_in, factor)
                seg = y[lo - plan.start * factor : lo - plan.start * factor + len(w)]
                out[info["channel"], lo : lo + len(w)] += w * seg
                weight[info["channel"], lo : lo + len(w)] += w
            model_sr = int(self._model_for(job.route.model).config.output_sampling_rate)
            audio = fit_length(resample(out / np.maximum(weight, 1e-12), model_sr, out_sr), length)
            if job.preserve_input_band:
                audio = replace_low_band(
                    audio, reference(), job.keep_below_hz, out_sr, low_cutoff_hz=job.keep_above_hz
                )
        audio = np.asarray(audio, dtype=np.float32)
        return {
            "audio": audio[0] if audio.shape[0] == 1 else audio,
            "sampling_rate": int(out_sr),
            "model": job.route.model,
            "input_bandwidth_hz": float(job.estimate.cutoff_hz),
            "note": job.route.reason,
        }


__all__ = [
    "AudioSuperResolutionPipeline",
    "ChunkPlan",
    "crossfade_weights",
    "plan_chunks",
    "plan_model_chunks",
    "read_input",
]
