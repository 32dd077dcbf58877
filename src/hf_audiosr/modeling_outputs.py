"""The one output type every hf-audiosr model returns."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers.utils import ModelOutput


@dataclass
class AudioSuperResolutionOutput(ModelOutput):
    """Output of every ``...ForAudioSuperResolution`` model.

    Args:
        loss (`torch.FloatTensor` of shape `()`, *optional*):
            Training loss, returned when `labels` are given.
        audio_values (`torch.FloatTensor` of shape `(batch_size, factor * sequence_length)`):
            The super-resolved waveform at the model's output sampling rate.
        interpolated_values (`torch.FloatTensor` of shape `(batch_size, factor * sequence_length)`, *optional*):
            The fixed interpolation of the input that the network's residual is added to
            (returned when `output_interpolated=True`); a baseline for free.
    """

    loss: torch.FloatTensor | None = None
    audio_values: torch.FloatTensor | None = None
    interpolated_values: torch.FloatTensor | None = None
