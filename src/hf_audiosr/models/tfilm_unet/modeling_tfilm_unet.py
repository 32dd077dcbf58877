"""TFiLM U-Net (Birnbaum, Kuleshov, Enam, Koh & Ermon 2019, "Temporal FiLM: Capturing Long-Range
Sequence Dependencies with Feature-Wise Modulations", NeurIPS).

AudioUNet's layout (input interpolated to the output rate, a U-Net predicting a residual) with the
paper's blocks: a down block is a dilated convolution, max-pooling by 2, LeakyReLU and a TFiLM
layer; the bottleneck adds dropout; an up block is a dilated convolution to twice the filters,
dropout, ReLU, sub-pixel shuffle, TFiLM, and concatenation with the matching down block's output.

Temporal FiLM (the paper's Algorithm 1): the activations ``(batch, channels, time)`` are cut into
blocks of ``block_length`` steps, each block is max-pooled over time, an LSTM runs across the
pooled blocks, and its output sets a per-channel scale and shift for every step of the block.

Where we differ from the paper, and why:

* The scale and shift come from a linear layer on the LSTM output, ``x * (1 + gamma) + beta``
  (the paper writes ``(gamma, beta) = RNN(...)`` without saying how; its code multiplies by the
  raw LSTM output and has no shift). With the projection near zero the layer starts near the
  identity, so a fresh model starts near the plain interpolation as AudioUNet does.
* ``tfilm_window``: the LSTM for block ``b`` sees blocks ``b - window + 1 .. b`` only (from a zero
  state), not the whole past. On the paper's 8192-sample training patches (32 blocks) this is
  exactly the paper's layer; on longer inputs it keeps the model shift-invariant by whole blocks,
  which is what lets chunked processing equal whole-file processing. ``tfilm_window=None`` gives
  the paper's unbounded LSTM.
* Up blocks use the block length of their own level (the reference code reuses the bottleneck's).
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
from .configuration_tfilm_unet import TFiLMUNetConfig


class TFiLMUNetTFiLMLayer(nn.Module):
    """Temporal feature-wise linear modulation of ``(batch, channels, time)`` activations.

    ``time`` must be a multiple of ``block_length``. Block ``b`` (steps ``b*block_length`` to
    ``(b+1)*block_length - 1``) is multiplied by ``1 + gamma_b`` and shifted by ``beta_b``, where
    ``(gamma_b, beta_b) = projection(LSTM(maxpool(block_{b-window+1}), ..., maxpool(block_b)))``.
    """

    def __init__(self, channels: int, block_length: int, window: int | None):
        super().__init__()
        if block_length < 1:
            raise ValueError(f"block_length must be positive, got {block_length}")
        self.channels = channels
        self.block_length = block_length
        self.window = window
        self.lstm = nn.LSTM(channels, channels, batch_first=True)
        self.projection = nn.Linear(channels, 2 * channels)

    def recurrence(self, pooled: torch.Tensor) -> torch.Tensor:
        """LSTM outputs ``(batch, num_blocks, channels)`` for pooled blocks of the same shape.

        With a window ``W``, block ``b``'s output is that of an LSTM started from a zero state at
        block ``max(0, b - W + 1)``. The first ``W - 1`` blocks are one ordinary LSTM pass; the
        remaining ones run as a batch of ``W``-block windows."""
        batch, num_blocks, channels = pooled.shape
        window = self.window
        if window is None or num_blocks <= window:
            return self.lstm(pooled)[0]
        parts = []
        if window > 1:
            parts.append(self.lstm(pooled[:, : window - 1])[0])
        windows = pooled.unfold(1, window, 1)  # (batch, num_blocks - window + 1, channels, window)
        num_windows = windows.shape[1]
        windows = windows.permute(0, 1, 3, 2).reshape(batch * num_windows, window, channels)
        parts.append(self.lstm(windows)[0][:, -1].view(batch, num_windows, channels))
        return torch.cat(parts, dim=1)

    def modulation(self, hidden_states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-block ``(scale, shift)``, each ``(batch, channels, num_blocks)``."""
        batch, channels, length = hidden_states.shape
        if length % self.block_length:
            raise ValueError(
                f"TFiLM input length {length} is not a multiple of its block length {self.block_length}"
            )
        blocks = hidden_states.view(batch, channels, length // self.block_length, self.block_length)
        pooled = blocks.amax(dim=-1).transpose(1, 2)
        gamma, beta = self.projection(self.recurrence(pooled)).transpose(1, 2).chunk(2, dim=1)
        return 1.0 + gamma, beta

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        batch, channels, length = hidden_states.shape
        scale, shift = self.modulation(hidden_states)
        blocks = hidden_states.view(batch, channels, -1, self.block_length)
        blocks = blocks * scale[..., None] + shift[..., None]
        return blocks.reshape(batch, channels, length)


def _dilated_conv(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    dilation: int,
    upscale_factor: int | None = None,
) -> nn.Conv1d:
    """A centred dilated convolution; a :class:`SubPixelConv1d` when ``upscale_factor`` is given."""
    kwargs = {"dilation": dilation, "padding": dilation * (kernel_size - 1) // 2}
    if upscale_factor is None:
        return nn.Conv1d(in_channels, out_channels, kernel_size, **kwargs)
    return SubPixelConv1d(
        in_channels, out_channels, kernel_size, upscale_factor=upscale_factor, **kwargs
    )


def _small_normal_(tensor: torch.Tensor) -> torch.Tensor:
    return init.normal_(tensor, std=1e-3)


class TFiLMUNetOutputConv(SubPixelConv1d):
    """The U-Net's last convolution (to two channels, before the sub-pixel shuffle); its own class
    so that ``_init_weights``, which transformers calls on parameter-holding modules only, can
    start it near zero."""


class TFiLMUNetDownBlock(nn.Module):
    """Dilated convolution, max-pool by 2, LeakyReLU, TFiLM (the bottleneck adds dropout)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int,
        negative_slope: float,
        block_length: int,
        window: int | None,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.conv = _dilated_conv(in_channels, out_channels, kernel_size, dilation)
        self.dropout = nn.Dropout(dropout)
        self.negative_slope = negative_slope
        self.tfilm = TFiLMUNetTFiLMLayer(out_channels, block_length, window)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden_states = F.max_pool1d(self.conv(hidden_states), 2)
        hidden_states = F.leaky_relu(self.dropout(hidden_states), self.negative_slope)
        return self.tfilm(hidden_states)


class TFiLMUNetBottleneck(TFiLMUNetDownBlock):
    """The down block at the bottom of the U-Net, with dropout."""


class TFiLMUNetUpBlock(nn.Module):
    """Dilated convolution to twice the filters, dropout, ReLU, sub-pixel shuffle, TFiLM, and
    concatenation with the skip connection."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int,
        dropout: float,
        block_length: int,
        window: int | None,
    ):
        super().__init__()
        self.conv = _dilated_conv(
            in_channels, 2 * out_channels, kernel_size, dilation, upscale_factor=2
        )
        self.dropout = nn.Dropout(dropout)
        self.tfilm = TFiLMUNetTFiLMLayer(out_channels, block_length, window)

    def forward(self, hidden_states: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        hidden_states = pixel_shuffle_1d(F.relu(self.dropout(self.conv(hidden_states))), 2)
        return torch.cat([self.tfilm(hidden_states), skip], dim=1)


class TFiLMUNetBackbone(nn.Module):
    """The TFiLM U-Net proper: ``(batch, 1, length)`` -> residual ``(batch, 1, length)``.

    ``length`` must be a multiple of ``block_size`` (a multiple of ``2 ** (K + 1)``). Used on the
    waveform by [`TFiLMUNetForAudioSuperResolution`] and on both branches of the TFNet-TFiLM
    hybrid (where the spectral branch's "time" axis is frequency).
    """

    def __init__(
        self,
        filters: tuple[int, ...],
        kernel_sizes: tuple[int, ...],
        bottleneck_filters: int,
        bottleneck_kernel_size: int,
        dilation: int,
        dropout: float,
        negative_slope: float,
        block_size: int,
        window: int | None,
    ):
        super().__init__()
        self.block_size = block_size
        num_blocks = len(filters)
        channels = 1
        self.down_blocks = nn.ModuleList()
        for level, (out_channels, kernel) in enumerate(zip(filters, kernel_sizes)):
            self.down_blocks.append(
                TFiLMUNetDownBlock(
                    channels,
                    out_channels,
                    kernel,
                    dilation,
                    negative_slope,
                    block_size >> (level + 1),
                    window,
                )
            )
            channels = out_channels
        self.bottleneck = TFiLMUNetBottleneck(
            channels,
            bottleneck_filters,
            bottleneck_kernel_size,
            dilation,
            negative_slope,
            block_size >> (num_blocks + 1),
            window,
            dropout,
        )
        channels = bottleneck_filters
        self.up_blocks = nn.ModuleList()
        for level in reversed(range(num_blocks)):
            self.up_blocks.append(
                TFiLMUNetUpBlock(
                    channels,
                    filters[level],
                    kernel_sizes[level],
                    dilation,
                    dropout,
                    block_size >> (level + 1),
                    window,
                )
            )
            channels = 2 * filters[level]
        self.final_conv = TFiLMUNetOutputConv(channels, 2, 9, padding=4, upscale_factor=2)

    @property
    def length_multiple(self) -> int:
        return self.block_size

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        if hidden_states.shape[-1] % self.block_size:
            raise ValueError(
                f"TFiLM U-Net input length {hidden_states.shape[-1]} is not a multiple of "
                f"block_size {self.block_size}"
            )
        skips = []
        for block in self.down_blocks:
            hidden_states = block(hidden_states)
            skips.append(hidden_states)
        hidden_states = self.bottleneck(hidden_states)
        for block, skip in zip(self.up_blocks, reversed(skips)):
            hidden_states = block(hidden_states, skip)
        return pixel_shuffle_1d(self.final_conv(hidden_states), 2)


def init_tfilm_unet_weights(module: nn.Module) -> None:
    """Initialisation shared by every model built from TFiLM U-Nets (also the TFNet-TFiLM hybrid).

    Convolutions: orthogonal, as the paper's code; the sub-pixel ones of the up blocks ICNR (every
    phase a copy of one orthogonal draw, :func:`~hf_audiosr.modeling_utils.icnr_`), so no
    checkerboard at init. LSTMs: Keras' defaults, which the paper's code used (Glorot-uniform input
    weights, orthogonal recurrent weights, zero biases but 1 for the forget gate). TFiLM
    projections: small, so each layer starts near the identity while gradients still reach the
    LSTM. Output convolutions: small (and ICNR), so the model starts near the interpolation.
    transformers calls ``_init_weights`` only on modules that hold parameters or buffers, so every
    rule here is keyed on such a module.
    """
    if isinstance(module, AudioSRInterpolation):
        init.copy_(module.taps, module.compute_taps())
    elif isinstance(module, TFiLMUNetOutputConv):
        icnr_(module.weight, module.upscale_factor, _small_normal_)
        init.zeros_(module.bias)
    elif isinstance(module, SubPixelConv1d):
        # ICNR: both sub-pixel phases start with the same kernels (no checkerboard at init)
        icnr_(module.weight, module.upscale_factor, init.orthogonal_)
        init.zeros_(module.bias)
    elif isinstance(module, nn.Conv1d):
        init.orthogonal_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)
    elif isinstance(module, nn.LSTM):
        hidden = module.hidden_size
        for name, param in module.named_parameters():
            if name.startswith("weight_ih"):
                init.xavier_uniform_(param)
            elif name.startswith("weight_hh"):
                init.orthogonal_(param)
            elif name.startswith("bias_ih"):
                # gate order in torch: input, forget, cell, output
                forget = torch.zeros(4 * hidden, dtype=param.dtype, device=param.device)
                forget[hidden : 2 * hidden] = 1.0
                init.copy_(param, forget)
            elif name.startswith("bias_hh"):
                init.zeros_(param)
    elif isinstance(module, nn.Linear):
        # the TFiLM projections (the only linear layers): near zero, so each layer starts near the
        # identity while gradients still reach its LSTM
        init.normal_(module.weight, std=1e-2)
        init.zeros_(module.bias)


class TFiLMUNetPreTrainedModel(PreTrainedModel):
    config_class = TFiLMUNetConfig
    config: TFiLMUNetConfig
    base_model_prefix = "tfilm_unet"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        init_tfilm_unet_weights(module)


class TFiLMUNetForAudioSuperResolution(TFiLMUNetPreTrainedModel):
    """TFiLM U-Net: low-rate ``input_values`` ``(batch, time)`` -> ``audio_values``
    ``(batch, factor*time)``."""

    def __init__(self, config: TFiLMUNetConfig):
        super().__init__(config)
        self.interpolation = AudioSRInterpolation(config.upsampling_factor, config.interpolation)
        self.unet = TFiLMUNetBackbone(
            config.down_filters,
            config.down_kernel_sizes,
            config.bottleneck_filters,
            config.bottleneck_kernel_size,
            config.dilation,
            config.dropout,
            config.negative_slope,
            config.block_size,
            config.tfilm_window,
        )
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
        residual = self.unet(hidden_states)[:, 0, :length]
        audio_values = interpolated + residual
        return super_resolution_output(
            audio_values,
            labels=labels,
            interpolated_values=interpolated if output_interpolated else None,
            return_dict=return_dict,
        )


__all__ = [
    "TFiLMUNetBackbone",
    "TFiLMUNetOutputConv",
    "TFiLMUNetForAudioSuperResolution",
    "TFiLMUNetPreTrainedModel",
    "TFiLMUNetTFiLMLayer",
    "init_tfilm_unet_weights",
]
