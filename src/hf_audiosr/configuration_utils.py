"""Pieces every hf-audiosr configuration shares: argument checks, presets, the upsampling factor,
receptive fields and the chunk context they call for."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TypeVar

from .dsp import INTERPOLATIONS, interpolation_taps

ConfigT = TypeVar("ConfigT", bound="AudioSRConfigMixin")


def validate_rates(input_sampling_rate: int, output_sampling_rate: int) -> None:
    """Both rates positive, the output rate an integer multiple of the input rate."""
    if input_sampling_rate <= 0 or output_sampling_rate <= 0:
        raise ValueError(
            f"sampling rates must be positive, got {input_sampling_rate} and {output_sampling_rate}"
        )
    if output_sampling_rate % input_sampling_rate:
        raise ValueError(
            "output_sampling_rate must be an integer multiple of input_sampling_rate, got "
            f"{output_sampling_rate} and {input_sampling_rate}"
        )


def validate_interpolation(interpolation: str) -> None:
    """One of :data:`hf_audiosr.dsp.INTERPOLATIONS`."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")


def validate_dropout(dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


def as_int_tuples(*sequences: Iterable) -> tuple[tuple[int, ...], ...]:
    """``([24, 48], (9.0, 5))`` -> ``((24, 48), (9, 5))``: JSON lists back to tuples of ints."""
    return tuple(tuple(int(v) for v in values) for values in sequences)


# Chunked processing (the pipeline, ``upsample_file``): the least context given to each side of a
# chunk (the fixed default before contexts came from the model), and the grid (s) the
# model-derived context is rounded up to.
MIN_CHUNK_CONTEXT_S = 0.25
CHUNK_CONTEXT_GRID_S = 0.05
# The pipeline's and ``upsample_file``'s default cross-fade (s) at chunk seams.
DEFAULT_CROSSFADE_S = 0.02

# A receptive field as ``(step, before, after)``: a feature map whose positions are ``step``
# output-rate samples apart, and how far (in output-rate samples) the value at position ``j``
# (output-rate sample ``step * j``) can depend on the U-Net's input before and after it. Worst case
# over positions, so the alignment of strided layers (where a position sits in its stride) is
# covered.
_Field = tuple[int, float, float]


def _conv(field: _Field, kernel_size: int, dilation: int = 1, stride: int = 1) -> _Field:
    """Convolution with ``padding = dilation * (kernel_size - 1) // 2`` (odd kernels: centred)."""
    step, before, after = field
    reach = step * (dilation * (kernel_size - 1) // 2)
    return step * stride, before + reach, after + reach


def _max_pool(field: _Field) -> _Field:
    """``max_pool1d(x, 2)``: position ``j`` is the maximum of ``2j`` and ``2j + 1``."""
    step, before, after = field
    return 2 * step, before, after + step


def _pixel_shuffle(field: _Field) -> _Field:
    """Sub-pixel shuffle by 2: position ``t`` comes from position ``t // 2`` of the input, up to
    half an input step earlier."""
    step, before, after = field
    return step // 2, before + step // 2, after


def _tfilm(field: _Field, block_size: int | None, window: int | None) -> _Field:
    """Temporal FiLM with blocks of ``block_size`` output-rate samples: a step in block ``b`` is
    modulated from blocks ``b - window + 1 .. b`` (all earlier blocks when ``window`` is None)."""
    if block_size is None:
        return field
    step, before, after = field
    after += block_size - step
    before = math.inf if window is None else before + window * block_size - step
    return step, before, after


def _concat(a: _Field, b: _Field) -> _Field:
    if a[0] != b[0]:
        raise ValueError(f"cannot concatenate feature maps of steps {a[0]} and {b[0]}")
    return a[0], max(a[1], b[1]), max(a[2], b[2])


def unet_receptive_field(
    kernel_sizes: Sequence[int],
    bottleneck_kernel_size: int,
    *,
    dilation: int = 1,
    max_pool: bool = False,
    final_kernel_size: int = 9,
    tfilm_block_size: int | None = None,
    tfilm_window: int | None = None,
) -> tuple[float, float]:
    """How far (samples, before and after) an output sample of an hf-audiosr 1-D U-Net can depend
    on its input, an upper bound that takes every layer's worst alignment.

    The U-Net is AudioUNet's (Kuleshov et al. 2017), as the models build it: ``B`` down blocks and
    a bottleneck that halve the resolution, either by a stride-2 convolution (``max_pool=False``,
    AudioUNet and TFNet) or by a stride-1 convolution of ``dilation`` followed by ``max_pool1d(2)``
    (``max_pool=True``, TFiLM U-Net); ``B`` up blocks, each a convolution (the matching down
    block's kernel, ``dilation``), a sub-pixel shuffle by 2 and concatenation with the matching
    down block's output; a final convolution of ``final_kernel_size`` at half resolution and a
    shuffle to full resolution. With ``tfilm_block_size``, a TFiLM layer follows every block (down,
    bottleneck, up) with blocks of ``tfilm_block_size`` samples at every level and a window of
    ``tfilm_window`` blocks (``None``: unbounded history, ``before`` is ``math.inf``). The TFiLM
    layers sit one after the other on the path through the bottleneck, so their histories add up:
    ``2B + 1`` of them reach ``(2B + 1) * tfilm_window * tfilm_block_size`` samples back.
    """
    field: _Field = (1, 0, 0)
    skips = []
    for kernel in (*kernel_sizes, bottleneck_kernel_size):
        if max_pool:
            field = _max_pool(_conv(field, kernel, dilation))
        else:
            field = _conv(field, kernel, dilation, stride=2)
        field = _tfilm(field, tfilm_block_size, tfilm_window)
        skips.append(field)
    skips.pop()  # the bottleneck's output goes up, not across
    for kernel in reversed(kernel_sizes):
        field = _pixel_shuffle(_conv(field, kernel, dilation))
        field = _concat(_tfilm(field, tfilm_block_size, tfilm_window), skips.pop())
    _, before, after = _pixel_shuffle(_conv(field, final_kernel_size))
    return before, after


def interpolation_receptive_field(kind: str, factor: int) -> int:
    """Output-rate samples on each side that the fixed interpolation
    (:class:`hf_audiosr.modeling_utils.AudioSRInterpolation`) reaches: its FIR half-width,
    ``16 * factor`` for ``"sinc"`` and ``32 * factor`` for ``"cubic"`` (0 for factor 1)."""
    if factor == 1:
        return 0
    return (len(interpolation_taps(kind, factor)) - 1) // 2


def stft_receptive_field(frame_length: int) -> int:
    """Output-rate samples on each side that an STFT -> per-frame processing -> overlap-add
    round trip reaches (centred periodic-Hann frames, whose first sample has weight 0): a sample
    is within ``frame_length // 2 - 1`` of the centre of every frame it is in, and so are the
    samples those frames are computed from."""
    return 2 * (frame_length // 2 - 1)


def receptive_field_samples(*parts: float) -> int | None:
    """The sum of ``parts`` as an int, or None when one is unbounded (``math.inf``)."""
    total = sum(parts)
    return None if math.isinf(total) else int(total)


def chunk_context_s(
    receptive_field: int | None,
    output_sampling_rate: int,
    crossfade_s: float = DEFAULT_CROSSFADE_S,
) -> float:
    """Context (s, each side of a chunk) that makes chunked processing match whole-input
    processing: the receptive field plus half the cross-fade (a chunk's output is used that far
    past its boundary), at least :data:`MIN_CHUNK_CONTEXT_S`, rounded up to a multiple of
    :data:`CHUNK_CONTEXT_GRID_S`. ``receptive_field`` is in output-rate samples; None (unbounded,
    or unknown) gives :data:`MIN_CHUNK_CONTEXT_S`, since no finite context would be exact.
    """
    if receptive_field is None:
        return MIN_CHUNK_CONTEXT_S
    needed = receptive_field / output_sampling_rate + crossfade_s / 2
    # the small tolerance keeps a value already on the grid (up to float error) where it is
    steps = math.ceil(needed / CHUNK_CONTEXT_GRID_S - 1e-9)
    return round(max(MIN_CHUNK_CONTEXT_S, steps * CHUNK_CONTEXT_GRID_S), 6)


def config_chunk_context_s(config, crossfade_s: float = DEFAULT_CROSSFADE_S) -> float:
    """:func:`chunk_context_s` for a model ``config``: its ``receptive_field`` (None when it has
    none, as a config from outside hf-audiosr) at its ``output_sampling_rate``."""
    return chunk_context_s(
        getattr(config, "receptive_field", None), config.output_sampling_rate, crossfade_s
    )


class AudioSRConfigMixin:
    """What every ``XxxConfig(AudioSRConfigMixin, PretrainedConfig)`` has in common.

    A subclass sets ``presets`` (name -> keyword arguments) and ``preset_label`` (how its error
    messages name the architecture), and stores ``input_sampling_rate`` and
    ``output_sampling_rate``. A plain mixin rather than a ``PretrainedConfig`` subclass, so it
    adds no dataclass fields and no ``__init__`` to the configs (transformers turns every
    ``PretrainedConfig`` subclass into a dataclass).
    """

    presets: dict[str, dict] = {}
    preset_label: str = ""

    @classmethod
    def from_preset(cls: type[ConfigT], name: str, **kwargs) -> ConfigT:
        """Build a config from one of the named ``presets``; ``kwargs`` override its values."""
        if name not in cls.presets:
            raise ValueError(
                f"unknown {cls.preset_label} preset {name!r}; choose one of {sorted(cls.presets)}"
            )
        return cls(**{**cls.presets[name], "preset": name, **kwargs})

    @property
    def upsampling_factor(self) -> int:
        """Output samples per input sample."""
        return self.output_sampling_rate // self.input_sampling_rate

    @property
    def receptive_field(self) -> int | None:
        """How far (output-rate samples, on either side) the output at a sample can depend on the
        input: input more than this before or after it has no effect. An upper bound computed
        from the architecture (every subclass defines it); None when unbounded."""
        raise NotImplementedError

    @property
    def default_chunk_context_s(self) -> float:
        """The context (s) chunked processing gives each side of a chunk when the caller gives
        none: the receptive field plus half the default cross-fade, at least 0.25 s, rounded up
        to 0.05 s (see :func:`chunk_context_s`)."""
        return chunk_context_s(self.receptive_field, self.output_sampling_rate)


__all__ = [
    "CHUNK_CONTEXT_GRID_S",
    "DEFAULT_CROSSFADE_S",
    "MIN_CHUNK_CONTEXT_S",
    "AudioSRConfigMixin",
    "as_int_tuples",
    "chunk_context_s",
    "config_chunk_context_s",
    "interpolation_receptive_field",
    "receptive_field_samples",
    "stft_receptive_field",
    "unet_receptive_field",
    "validate_dropout",
    "validate_interpolation",
    "validate_rates",
]
