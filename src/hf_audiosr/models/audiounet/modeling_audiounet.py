"""AudioUNet (Kuleshov, Enam & Ermon 2017, "Audio Super-Resolution Using Neural Nets", ICLR workshop).

The input is interpolated to the output rate (cubic spline in the paper), and a 1-D U-Net predicts a
residual that is added to it: ``B`` down blocks (stride-2 convolution + LeakyReLU), a bottleneck
(stride-2 convolution + dropout + LeakyReLU), ``B`` up blocks (convolution to twice the filters +
dropout + ReLU + sub-pixel shuffle, then concatenation with the matching down block's output), and
a final convolution + sub-pixel shuffle to one channel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init

from ...modeling_outputs import AudioSuperResolutionOutput
from ...modeling_utils import (
    AudioSRInterpolation,
    SubPixelConv1d,
    as_batch,
    icnr_,
    pad_to_multiple,
    pixel_shuffle_1d,
    super_resolution_output,
)
from .configuration_audiounet import AudioUNetConfig


class AudioUNetDownBlock(nn.Module):
    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, negative_slope: float
    ):
        super().__init__()
        self.conv = nn.Conv1d(
            in_channels, out_channels, kernel_size, stride=2, padding=kernel_size // 2
        )
        self.negative_slope = negative_slope

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.conv(hidden_states), self.negative_slope)


class AudioUNetBottleneck(nn.Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dropout: float,
        negative_slope: float,
    ):
        super().__init__()
        self.conv = nn.Conv1d(
            in_channels, out_channels, kernel_size, stride=2, padding=kernel_size // 2
        )
        self.dropout = nn.Dropout(dropout)
        self.negative_slope = negative_slope

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.dropout(self.conv(hidden_states)), self.negative_slope)


class AudioUNetUpBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dropout: float):
        super().__init__()
        self.conv = SubPixelConv1d(
            in_channels, 2 * out_channels, kernel_size, padding=kernel_size // 2, upscale_factor=2
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, hidden_states: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        hidden_states = pixel_shuffle_1d(F.relu(self.dropout(self.conv(hidden_states))), 2)
        return torch.cat([hidden_states, skip], dim=1)


class AudioUNetOutputConv(SubPixelConv1d):
    """The last convolution (to 2 channels before the sub-pixel shuffle); initialised small so a
    fresh model starts as (almost) the plain interpolation."""


def _small_normal_(tensor: torch.Tensor) -> torch.Tensor:
    return init.normal_(tensor, std=1e-3)


class AudioUNetPreTrainedModel(PreTrainedModel):
    config_class = AudioUNetConfig
    config: AudioUNetConfig
    base_model_prefix = "audiounet"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, AudioSRInterpolation):
            init.copy_(module.taps, module.compute_taps())
        elif isinstance(module, AudioUNetOutputConv):
            icnr_(module.weight, module.upscale_factor, _small_normal_)
            init.zeros_(module.bias)
        elif isinstance(module, SubPixelConv1d):
            # ICNR: both sub-pixel phases start with the same kernels, so the up-sampling layers
            # start free of checkerboard tones (at half of each shuffled rate)
            icnr_(module.weight, module.upscale_factor, init.orthogonal_)
            init.zeros_(module.bias)
        elif isinstance(module, nn.Conv1d):
            # Orthogonal initialisation as in the paper's code.
            init.orthogonal_(module.weight)
            if module.bias is not None:
                init.zeros_(module.bias)


class AudioUNetForAudioSuperResolution(AudioUNetPreTrainedModel):
    """AudioUNet: low-rate ``input_values`` ``(batch, time)`` -> ``audio_values`` ``(batch, factor*time)``."""

    def __init__(self, config: AudioUNetConfig):
        super().__init__(config)
        self.interpolation = AudioSRInterpolation(config.upsampling_factor, config.interpolation)
        channels = 1
        self.down_blocks = nn.ModuleList()
        for filters, kernel in zip(config.down_filters, config.down_kernel_sizes):
            self.down_blocks.append(
                AudioUNetDownBlock(channels, filters, kernel, config.negative_slope)
            )
            channels = filters
        self.bottleneck = AudioUNetBottleneck(
            channels,
            config.bottleneck_filters,
            config.bottleneck_kernel_size,
            config.dropout,
            config.negative_slope,
        )
        channels = config.bottleneck_filters
        self.up_blocks = nn.ModuleList()
        for filters, kernel in reversed(list(zip(config.down_filters, config.down_kernel_sizes))):
            self.up_blocks.append(AudioUNetUpBlock(channels, filters, kernel, config.dropout))
            channels = 2 * filters
        self.final_conv = AudioUNetOutputConv(channels, 2, 9, padding=4, upscale_factor=2)
        self.post_init()

    def forward(
        self,
        input_values: torch.Tensor,
        labels: torch.Tensor | None = None,
        output_interpolated: bool = False,
        return_dict: bool | None = None,
        **kwargs,
    ) -> AudioSuperResolutionOutput | tuple:
        r"""
        Args:
            input_values (`torch.FloatTensor` of shape `(batch_size, sequence_length)`):
                Low-resolution waveform at `config.input_sampling_rate`, roughly in [-1, 1]. Any
                length works: it is padded internally and the output is cropped back.
            labels (`torch.FloatTensor` of shape `(batch_size, factor * sequence_length)`, *optional*):
                High-resolution target; when given, the mean squared error is returned as `loss`.
            output_interpolated (`bool`, *optional*):
                Also return the fixed interpolation the residual is added to.
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        input_values = as_batch(input_values)
        interpolated = self.interpolation(input_values)
        hidden_states, length = pad_to_multiple(
            interpolated[:, None, :], self.config.length_multiple
        )
        skips = []
        for block in self.down_blocks:
            hidden_states = block(hidden_states)
            skips.append(hidden_states)
        hidden_states = self.bottleneck(hidden_states)
        for block, skip in zip(self.up_blocks, reversed(skips)):
            hidden_states = block(hidden_states, skip)
        residual = pixel_shuffle_1d(self.final_conv(hidden_states), 2)[:, 0, :length]
        audio_values = interpolated + residual
        return super_resolution_output(
            audio_values,
            labels=labels,
            interpolated_values=interpolated if output_interpolated else None,
            return_dict=return_dict,
        )


__all__ = ["AudioUNetPreTrainedModel", "AudioUNetForAudioSuperResolution"]
