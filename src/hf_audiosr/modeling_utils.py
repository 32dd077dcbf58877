"""Pieces every hf-audiosr architecture shares: fixed interpolation, length handling, outputs."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn
from transformers import initialization as init

from .dsp import interpolation_taps
from .modeling_outputs import AudioSuperResolutionOutput


class AudioSRInterpolation(nn.Module):
    """Upsample ``(batch, time)`` by an integer factor with a fixed FIR interpolator.

    The taps (see :func:`hf_audiosr.dsp.interpolation_taps`) are a derived constant, so they are a
    non-persistent buffer: rebuilt from the config, never stored in the checkpoint.
    """

    def __init__(self, factor: int, kind: str):
        super().__init__()
        self.factor = int(factor)
        self.kind = kind
        self.register_buffer("taps", self.compute_taps(), persistent=False)

    def compute_taps(self) -> torch.Tensor:
        return torch.tensor(interpolation_taps(self.kind, self.factor), dtype=torch.float32)

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        if self.factor == 1:
            return input_values
        batch, length = input_values.shape
        taps = self.taps.to(dtype=input_values.dtype)
        delay = (taps.shape[-1] - 1) // 2
        out = F.conv_transpose1d(
            input_values[:, None, :], taps.flip(-1)[None, None, :], stride=self.factor
        )
        return out[:, 0, delay : delay + length * self.factor]


def as_batch(input_values: torch.Tensor) -> torch.Tensor:
    """Accept ``(time,)``, ``(batch, time)`` or ``(batch, 1, time)``; return ``(batch, time)``."""
    if input_values.dim() == 1:
        return input_values[None]
    if input_values.dim() == 3 and input_values.shape[1] == 1:
        return input_values[:, 0]
    if input_values.dim() != 2:
        raise ValueError(
            "input_values must have shape (time,), (batch, time) or (batch, 1, time), got "
            f"{tuple(input_values.shape)}"
        )
    return input_values


def pad_to_multiple(hidden_states: torch.Tensor, multiple: int) -> tuple[torch.Tensor, int]:
    """Right-pad ``(batch, channels, time)`` with zeros to a multiple of ``multiple``."""
    length = hidden_states.shape[-1]
    pad = (-length) % multiple
    if pad:
        hidden_states = F.pad(hidden_states, (0, pad))
    return hidden_states, length


def pixel_shuffle_1d(hidden_states: torch.Tensor, factor: int) -> torch.Tensor:
    """1-D sub-pixel shuffle (Shi et al. 2016): ``(B, r*C, L)`` -> ``(B, C, r*L)``.

    Channel ``j*C + c`` of step ``t`` becomes channel ``c`` of step ``r*t + j``.
    """
    batch, channels, length = hidden_states.shape
    out_channels = channels // factor
    hidden_states = hidden_states.view(batch, factor, out_channels, length)
    return hidden_states.permute(0, 2, 3, 1).reshape(batch, out_channels, length * factor)


class SubPixelConv1d(nn.Conv1d):
    """A convolution whose output feeds :func:`pixel_shuffle_1d` by ``upscale_factor``: output
    channel ``j * C + c`` becomes phase ``j`` (time step ``r * t + j``) of channel ``c``.

    A plain :class:`~torch.nn.Conv1d` otherwise (same parameters and checkpoint keys); its own
    class so that ``_init_weights`` can give it ICNR initialisation (:func:`icnr_`).
    """

    def __init__(self, *args, upscale_factor: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        if upscale_factor < 1 or self.out_channels % upscale_factor:
            raise ValueError(
                f"out_channels ({self.out_channels}) must be a multiple of upscale_factor "
                f"({upscale_factor})"
            )
        self.upscale_factor = int(upscale_factor)


def icnr_(
    weight: torch.Tensor, upscale_factor: int, init_fn: Callable[[torch.Tensor], object]
) -> torch.Tensor:
    """ICNR initialisation (Aitken et al. 2017, "Checkerboard artifact free sub-pixel convolution")
    of a :class:`SubPixelConv1d` weight ``(r * C, in_channels, kernel)``, in place.

    ``init_fn`` draws the kernels of one phase, ``(C, in_channels, kernel)``, and every phase gets
    a copy. With equal biases too, all ``r`` phases of each output channel are then identical, so
    the convolution followed by the shuffle starts as the convolution followed by nearest-neighbour
    upsampling: nothing at the new rate's ``k / r`` multiples of the rate (a bias or gain mismatch
    between phases is a "checkerboard", a tone at half the shuffled rate for ``r = 2``). Respects
    transformers' ``_is_hf_initialized`` flag, like the functions of ``transformers.initialization``,
    so weights loaded from a checkpoint are left alone.
    """
    if getattr(weight, "_is_hf_initialized", False):
        return weight
    if weight.shape[0] % upscale_factor:
        raise ValueError(
            f"weight has {weight.shape[0]} output channels, not a multiple of {upscale_factor}"
        )
    phase = torch.empty(
        (weight.shape[0] // upscale_factor, *weight.shape[1:]),
        dtype=weight.dtype,
        device=weight.device,
    )
    init_fn(phase)
    return init.copy_(weight, phase.repeat(upscale_factor, *([1] * (weight.dim() - 1))))


def check_labels(labels: torch.Tensor, audio_values: torch.Tensor) -> torch.Tensor:
    """``labels`` as ``(batch, time)`` (see :func:`as_batch`), checked against ``audio_values``."""
    labels = as_batch(labels)
    if labels.shape != audio_values.shape:
        raise ValueError(
            f"labels must have shape {tuple(audio_values.shape)} (factor x input length), "
            f"got {tuple(labels.shape)}"
        )
    return labels


def super_resolution_output(
    audio_values: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    loss: torch.Tensor | None = None,
    interpolated_values: torch.Tensor | None = None,
    return_dict: bool = True,
) -> AudioSuperResolutionOutput | tuple:
    """The end of every model's ``forward``: the loss and the output in the form asked for.

    Args:
        audio_values: The model's ``(batch, factor * time)`` output.
        labels: High-resolution target; when given, ``loss`` is the mean squared error (computed
            in float32) between ``audio_values`` and it.
        loss: A loss the model computed itself (and checked its labels for, see
            :func:`check_labels`); only without ``labels``.
        interpolated_values: The fixed interpolation, when the caller asked for it.
        return_dict: An [`AudioSuperResolutionOutput`] if true, else the tuple of its non-``None``
            fields ``(loss, audio_values, interpolated_values)``.
    """
    if labels is not None:
        if loss is not None:
            raise ValueError("pass labels or a precomputed loss, not both")
        labels = check_labels(labels, audio_values)
        loss = F.mse_loss(audio_values.float(), labels.float())
    if not return_dict:
        return tuple(v for v in (loss, audio_values, interpolated_values) if v is not None)
    return AudioSuperResolutionOutput(
        loss=loss, audio_values=audio_values, interpolated_values=interpolated_values
    )
