"""``pipeline("audio-super-resolution")``: any file or array at any rate in, super-resolved audio out."""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass

import numpy as np
import torch
from transformers.pipelines.base import ChunkPipeline
from transformers.utils import logging

from .audio_io import load_audio
from .configuration_utils import DEFAULT_CROSSFADE_S, config_chunk_context_s
from .dsp import resample
from .feature_extraction_audiosr import MAX_CHANNELS, check_finite, to_float32

logger = logging.get_logger(__name__)


@dataclass(frozen=True)
class ChunkPlan:
    """Where one chunk sits, in input-rate samples: the model sees ``[start, stop)``; its output is
    used over ``[keep_start, keep_stop)``, with linear cross-fades of ``fade`` samples at inner edges."""

    start: int
    stop: int
    keep_start: int
    keep_stop: int
    fade: int


def plan_chunks(
    length: int, chunk: int, context: int, fade: int, align: int = 1
) -> list[ChunkPlan]:
    """Split ``length`` samples into chunks of ``chunk`` with ``context`` on each side.

    ``chunk`` and ``context`` are rounded up to multiples of ``align`` so every chunk starts on the
    grid a whole-input pass would use (a U-Net with stride-2 layers is only shift-invariant by
    multiples of its total stride), which is what makes chunked output match whole-input output.
    A last chunk shorter than the cross-fade (which reaches half a fade into it from the seam) is
    merged into the one before it.
    """
    if length <= 0:
        raise ValueError("cannot plan chunks for empty input")
    chunk = max(align, int(math.ceil(chunk / align)) * align)
    context = int(math.ceil(context / align)) * align
    fade = min(fade, context, chunk)
    if length <= chunk + context:
        return [ChunkPlan(0, length, 0, length, 0)]
    plans = []
    n = int(math.ceil(length / chunk))
    if n > 1 and length - (n - 1) * chunk < fade:
        n -= 1
    for i in range(n):
        keep_start, keep_stop = i * chunk, (i + 1) * chunk if i + 1 < n else length
        start = max(0, keep_start - context)
        stop = min(length, keep_stop + context)
        plans.append(ChunkPlan(start, stop, keep_start, keep_stop, fade))
    return plans


def plan_model_chunks(
    config,
    length: int,
    input_sampling_rate: int,
    factor: int,
    chunk_length_s: float,
    context_s: float | None,
    crossfade_s: float,
) -> list[ChunkPlan]:
    """:func:`plan_chunks` for a model: seconds at ``input_sampling_rate`` turned into samples,
    chunk starts aligned to the model's ``length_multiple`` (in input samples), and
    ``context_s=None`` taken from the model (:func:`config_chunk_context_s`). The pipeline and
    :func:`hf_audiosr.streaming.upsample_file` both plan their chunks here."""
    if context_s is None:
        context_s = config_chunk_context_s(config, crossfade_s)
    return plan_chunks(
        length,
        chunk=int(chunk_length_s * input_sampling_rate),
        context=int(context_s * input_sampling_rate),
        fade=int(crossfade_s * input_sampling_rate),
        align=max(1, getattr(config, "length_multiple", 1) // factor),
    )


def crossfade_weights(plan: ChunkPlan, length: int, factor: int) -> tuple[int, np.ndarray]:
    """Output-rate weights of a chunk's contribution and the index where they begin.

    Inner edges get a linear ramp centred on the boundary that sums to one with the neighbour's."""
    half = plan.fade * factor // 2
    lo = plan.keep_start * factor - (half if plan.keep_start > 0 else 0)
    hi = plan.keep_stop * factor + (half if plan.keep_stop < length else 0)
    w = np.ones(hi - lo, dtype=np.float64)
    if plan.keep_start > 0 and half:
        w[: 2 * half] = (np.arange(2 * half) + 0.5) / (2 * half)
    if plan.keep_stop < length and half:
        w[-2 * half :] = np.minimum(w[-2 * half :], 1.0 - (np.arange(2 * half) + 0.5) / (2 * half))
    return lo, w


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


class AudioSuperResolutionPipeline(ChunkPipeline):
    """Super-resolve audio with any hf-audiosr model.

    Accepts a file path, encoded bytes, a numpy array / torch tensor / flat list of numbers with
    ``sampling_rate=``, or a ``{"array", "sampling_rate"}`` dict, at any rate and with any number of channels (each channel
    is processed on its own and the channel count is kept). The input is resampled to the model's
    input rate with a band-limited resampler, processed in overlapping chunks (bounded memory,
    cross-faded seams), and returned as ``{"audio": float32 array, "sampling_rate": int}``:
    ``audio`` is ``(time,)`` for mono input and ``(channels, time)`` otherwise.

    Call arguments:
        sampling_rate (`int`): rate of an array input.
        target_sampling_rate (`int`, *optional*): resample the result to this rate (no new band is
            predicted above the model's output Nyquist).
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
        postprocess = {}
        if target_sampling_rate is not None:
            if int(target_sampling_rate) <= 0:
                raise ValueError(
                    f"target_sampling_rate must be positive, got {target_sampling_rate}"
                )
            postprocess["target_sampling_rate"] = int(target_sampling_rate)
        return preprocess, {}, postprocess

    @property
    def input_sampling_rate(self) -> int:
        return int(self.feature_extractor.sampling_rate)

    @property
    def output_sampling_rate(self) -> int:
        return int(self.feature_extractor.output_sampling_rate)

    def preprocess(
        self,
        inputs,
        sampling_rate=None,
        chunk_length_s=10.0,
        context_s=None,
        crossfade_s=DEFAULT_CROSSFADE_S,
    ):
        audio, sr = read_input(inputs, sampling_rate)
        if sr != self.input_sampling_rate:
            if sr > self.input_sampling_rate:
                logger.info(
                    "input at %d Hz is reduced to the model's %d Hz input band; the band above "
                    "%d Hz is predicted by the model",
                    sr,
                    self.input_sampling_rate,
                    self.input_sampling_rate // 2,
                )
            audio = resample(audio, sr, self.input_sampling_rate).astype(np.float32)
            if audio.shape[-1] == 0:
                raise ValueError(
                    f"input is too short: nothing is left after resampling {sr} Hz to {self.input_sampling_rate} Hz"
                )
        channels, length = audio.shape
        plans = plan_model_chunks(
            self.model.config,
            length,
            self.input_sampling_rate,
            self.feature_extractor.upsampling_factor,
            chunk_length_s,
            context_s,
            crossfade_s,
        )
        total = channels * len(plans)
        index = 0
        for c in range(channels):
            for plan in plans:
                index += 1
                yield {
                    "input_values": torch.from_numpy(audio[c, plan.start : plan.stop])[None],
                    "info": {"channel": c, "channels": channels, "length": length, "plan": plan},
                    "is_last": index == total,
                }

    def _forward(self, model_inputs):
        return {
            "audio_values": self._run_model(model_inputs["input_values"], model_inputs["info"]),
            "info": model_inputs["info"],
            "is_last": model_inputs["is_last"],
        }

    def _run_model(self, input_values: torch.Tensor, info) -> torch.Tensor:
        """Run the model on each row at its true length.

        With ``batch_size > 1`` the collator right-pads chunks of different lengths; a U-Net would
        see the padding (its receptive field reaches past a chunk's end), so rows are grouped by
        their true length and each group runs unpadded. Outputs are right-padded back with zeros
        (``postprocess`` crops them)."""
        input_values = input_values.to(self.model.dtype)
        infos = info if isinstance(info, list) else [info]
        lengths = [i["plan"].stop - i["plan"].start for i in infos]
        if all(n == input_values.shape[-1] for n in lengths):
            return self.model(input_values=input_values).audio_values
        factor = self.feature_extractor.upsampling_factor
        out = input_values.new_zeros(input_values.shape[0], input_values.shape[-1] * factor)
        for n in sorted(set(lengths)):
            rows = [r for r, m in enumerate(lengths) if m == n]
            out[rows, : n * factor] = self.model(input_values=input_values[rows, :n]).audio_values
        return out

    def postprocess(self, model_outputs, target_sampling_rate=None):
        factor = self.feature_extractor.upsampling_factor
        info0 = model_outputs[0]["info"]
        channels, length = info0["channels"], info0["length"]
        out = np.zeros((channels, length * factor), dtype=np.float64)
        weight = np.zeros_like(out)
        for item in model_outputs:
            info, plan = item["info"], item["info"]["plan"]
            y = item["audio_values"].float().numpy().reshape(-1)
            y = y[: (plan.stop - plan.start) * factor]
            lo, w = crossfade_weights(plan, length, factor)
            seg = y[lo - plan.start * factor : lo - plan.start * factor + len(w)]
            out[info["channel"], lo : lo + len(w)] += w * seg
            weight[info["channel"], lo : lo + len(w)] += w
        audio = out / np.maximum(weight, 1e-12)
        sr = self.output_sampling_rate
        if target_sampling_rate is not None and target_sampling_rate != sr:
            audio = resample(audio, sr, target_sampling_rate)
            sr = target_sampling_rate
        audio = audio.astype(np.float32)
        return {"audio": audio[0] if channels == 1 else audio, "sampling_rate": int(sr)}


__all__ = ["AudioSuperResolutionPipeline", "plan_chunks", "plan_model_chunks", "read_input"]
