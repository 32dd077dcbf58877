"""TFNet-TFiLM hybrid (G. Bini 2021, MSc thesis "Deep Learning for Audio Super-Resolution").

TFNet's two-branch design (time branch, spectral branch with the spectral replicator, spectral
fusion layer; see [`TFNetForAudioSuperResolution`]) with a TFiLM U-Net (see
[`TFiLMUNetForAudioSuperResolution`]) in each branch instead of an AudioUNet. In the spectral
branch the TFiLM layers' LSTMs run along frequency, across the blocks of one frame's spectrum.

Our deviations are those of the two parents: STFT frames with overlap-add instead of one DFT per
8192-sample patch (so any input length works and chunked equals whole-input processing), a linear
projection for the TFiLM scale and shift, and a bounded TFiLM window (``tfilm_window`` blocks) in
the time branch. The thesis code adds the U-Net output to the replicated magnitude; we add it to
the unreplicated one, so a fresh model starts near the interpolation.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedModel

from ...modeling_outputs import AudioSuperResolutionOutput
from ...modeling_utils import AudioSRInterpolation
from ..tfilm_unet.modeling_tfilm_unet import TFiLMUNetBackbone, init_tfilm_unet_weights
from ..tfnet.modeling_tfnet import (
    TFNetSpectralBranch,
    TFNetSpectralFusion,
    TFNetTimeBranch,
    init_tfnet_spectral_weights,
    tfnet_forward,
)
from .configuration_tfnet_tfilm import TFNetTFiLMConfig


class TFNetTFiLMPreTrainedModel(PreTrainedModel):
    config_class = TFNetTFiLMConfig
    config: TFNetTFiLMConfig
    base_model_prefix = "tfnet_tfilm"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        init_tfilm_unet_weights(module)
        init_tfnet_spectral_weights(module)


class TFNetTFiLMForAudioSuperResolution(TFNetTFiLMPreTrainedModel):
    """TFNet with TFiLM U-Nets: low-rate ``input_values`` ``(batch, time)`` -> ``audio_values``
    ``(batch, factor*time)``."""

    def __init__(self, config: TFNetTFiLMConfig):
        super().__init__(config)
        self.interpolation = AudioSRInterpolation(config.upsampling_factor, config.interpolation)
        self.time_branch = TFNetTimeBranch(
            TFiLMUNetBackbone(
                config.time_filters,
                config.time_kernel_sizes,
                config.time_bottleneck_filters,
                config.time_bottleneck_kernel_size,
                config.dilation,
                config.dropout,
                config.negative_slope,
                config.time_block_size,
                config.tfilm_window,
            )
        )
        self.spectral_branch = TFNetSpectralBranch(
            TFiLMUNetBackbone(
                config.spectral_filters,
                config.spectral_kernel_sizes,
                config.spectral_bottleneck_filters,
                config.spectral_bottleneck_kernel_size,
                config.dilation,
                config.dropout,
                config.negative_slope,
                config.spectral_block_size,
                None,  # one frame's spectrum is already bounded
            ),
            config.frame_length,
            config.hop_length,
            config.upsampling_factor,
            config.spectral_replication,
        )
        self.fusion = TFNetSpectralFusion(config.frame_length, config.hop_length)
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
                Also return the fixed interpolation both branches start from.
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        return tfnet_forward(self, input_values, labels, output_interpolated, return_dict)


__all__ = ["TFNetTFiLMForAudioSuperResolution", "TFNetTFiLMPreTrainedModel"]
