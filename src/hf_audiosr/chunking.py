"""Chunked processing of long inputs: where each chunk of input goes through the model, how much
context it gets on each side, and how the chunks' outputs are cross-faded back together. The
in-memory pipeline and :func:`hf_audiosr.streaming.upsample_file` plan their chunks here, so
both give the same output."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .configuration_utils import config_chunk_context_s


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


__all__ = ["ChunkPlan", "crossfade_weights", "plan_chunks", "plan_model_chunks"]
