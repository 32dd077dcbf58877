"""TFNet (Lim, Yeh, Xu, Do & Hasegawa-Johnson 2018, "Time-Frequency Networks for Audio
Super-Resolution", ICASSP).

Two branches see the input interpolated to the output rate ``x``:

* the time branch, an AudioUNet, predicts a waveform ``z = x + unet(x)``;
* the spectral branch predicts a magnitude spectrum ``m`` from ``|F(x)|``: the pass band (below
  the input Nyquist) is copied up to the output Nyquist (the paper's spectral replicator), an
  AudioUNet convolving along frequency refines it, the DC bin passes through;

and the spectral fusion layer joins them: ``M = w * |F(z)| + (1 - w) * m`` with a learned weight
``w = (tanh(theta) + 1) / 2`` per frequency bin, and ``y = F^-1(M * exp(j * angle(F(z))))``, the
phase coming from the time branch.

How arbitrary-length input is handled (our main deviation from the paper): the paper takes one
DFT of each 8192-sample training patch, so its spectral branch and its fusion weights are tied to
that patch length. Here ``F`` is a short-time Fourier transform on a fixed grid instead: Hann
frames of ``frame_length`` samples every ``hop_length`` samples (centred, zero-padded at the
ends, scaled by ``1/sqrt(frame_length)``), each frame handled on its own by the spectral U-Net and
the fusion, and ``F^-1`` is the matching weighted overlap-add. The number of bins, and so the
fusion weights, depend only on ``frame_length``; the output at a sample depends only on the input
within the frames covering it plus the time U-Net's receptive field; and frames sit at multiples
of ``hop_length`` (``config.length_multiple`` includes it), so chunked processing with enough
context (``frame_length`` plus the time branch's receptive field) equals whole-input processing.
The paper preset uses 8192-sample frames with a hop of 2048, the patch length and overlap the
paper trained on.
"""

from __future__ import annotations

import math

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
from .configuration_tfnet import TFNetConfig


class TFNetSTFT(nn.Module):
    """Centred Hann-window STFT ``(batch, time)`` -> ``(batch, frame_length // 2 + 1, frames)``
    and its overlap-add inverse. The window is a derived constant (non-persistent buffer)."""

    def __init__(self, frame_length: int, hop_length: int):
        super().__init__()
        self.frame_length = int(frame_length)
        self.hop_length = int(hop_length)
        self.register_buffer("window", self.compute_window(), persistent=False)

    def compute_window(self) -> torch.Tensor:
        return torch.hann_window(self.frame_length, dtype=torch.float32)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return torch.stft(
            waveform.float(),
            self.frame_length,
            self.hop_length,
            window=self.window.float(),
            center=True,
            pad_mode="constant",
            normalized=True,
            return_complex=True,
        )

    def inverse(self, spectrum: torch.Tensor, length: int) -> torch.Tensor:
        return torch.istft(
            spectrum,
            self.frame_length,
            self.hop_length,
            window=self.window.float(),
            center=True,
            normalized=True,
            length=length,
        )


class TFNetOutputConv(SubPixelConv1d):
    """A U-Net's last convolution (to two channels, before the sub-pixel shuffle); its own class
    so that ``_init_weights``, which transformers calls on parameter-holding modules only, can
    start it near zero."""


def _small_normal_(tensor: torch.Tensor) -> torch.Tensor:
    return init.normal_(tensor, std=1e-3)


class TFNetDownBlock(nn.Module):
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


class TFNetBottleneck(TFNetDownBlock):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dropout: float,
        negative_slope: float,
    ):
        super().__init__(in_channels, out_channels, kernel_size, negative_slope)
        self.dropout = nn.Dropout(dropout)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.dropout(self.conv(hidden_states)), self.negative_slope)


class TFNetUpBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dropout: float):
        super().__init__()
        self.conv = SubPixelConv1d(
            in_channels, 2 * out_channels, kernel_size, padding=kernel_size // 2, upscale_factor=2
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, hidden_states: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        hidden_states = pixel_shuffle_1d(F.relu(self.dropout(self.conv(hidden_states))), 2)
        return torch.cat([hidden_states, skip], dim=1)


class TFNetUNet(nn.Module):
    """AudioUNet's U-Net (Kuleshov et al. 2017) without the residual: ``(batch, 1, length)`` ->
    ``(batch, 1, length)``, ``length`` a multiple of ``2 ** (len(filters) + 1)``. The paper's
    "slim AudioUNet" is this with half AudioUNet's filters."""

    def __init__(
        self,
        filters: tuple[int, ...],
        kernel_sizes: tuple[int, ...],
        bottleneck_filters: int,
        bottleneck_kernel_size: int,
        dropout: float,
        negative_slope: float,
    ):
        super().__init__()
        channels = 1
        self.down_blocks = nn.ModuleList()
        for out_channels, kernel in zip(filters, kernel_sizes):
            self.down_blocks.append(TFNetDownBlock(channels, out_channels, kernel, negative_slope))
            channels = out_channels
        self.bottleneck = TFNetBottleneck(
            channels, bottleneck_filters, bottleneck_kernel_size, dropout, negative_slope
        )
        channels = bottleneck_filters
        self.up_blocks = nn.ModuleList()
        for out_channels, kernel in reversed(list(zip(filters, kernel_sizes))):
            self.up_blocks.append(TFNetUpBlock(channels, out_channels, kernel, dropout))
            channels = 2 * out_channels
        self.final_conv = TFNetOutputConv(channels, 2, 9, padding=4, upscale_factor=2)
        self.length_multiple = 2 ** (len(filters) + 1)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        if hidden_states.shape[-1] % self.length_multiple:
            raise ValueError(
                f"U-Net input length {hidden_states.shape[-1]} is not a multiple of "
                f"{self.length_multiple}"
            )
        skips = []
        for block in self.down_blocks:
            hidden_states = block(hidden_states)
            skips.append(hidden_states)
        hidden_states = self.bottleneck(hidden_states)
        for block, skip in zip(self.up_blocks, reversed(skips)):
            hidden_states = block(hidden_states, skip)
        return pixel_shuffle_1d(self.final_conv(hidden_states), 2)


class TFNetTimeBranch(nn.Module):
    """Waveform branch: ``z = x + unet(x)`` for the interpolated input ``x`` ``(batch, time)``."""

    def __init__(self, unet: nn.Module):
        super().__init__()
        self.unet = unet

    def forward(self, interpolated: torch.Tensor) -> torch.Tensor:
        return interpolated + self.unet(interpolated[:, None, :])[:, 0]


class TFNetSpectralBranch(nn.Module):
    """Magnitude branch: ``(batch, time)`` -> predicted STFT magnitude ``(batch, bins, frames)``.

    Per frame: ``|F(x)|`` split into DC and the ``frame_length // 2`` bins above it; those bins'
    pass band (below the input Nyquist, ``frame_length // (2 * factor)`` bins) is tiled up to the
    output Nyquist (the spectral replicator), the U-Net convolves along frequency, and its output
    is added to the unreplicated magnitude (so a fresh model predicts the input's own magnitude);
    DC passes through unchanged.
    """

    def __init__(
        self,
        unet: nn.Module,
        frame_length: int,
        hop_length: int,
        upsampling_factor: int,
        replicate: bool = True,
    ):
        super().__init__()
        self.unet = unet
        self.stft = TFNetSTFT(frame_length, hop_length)
        self.upsampling_factor = int(upsampling_factor)
        self.replicate = bool(replicate)

    def replicate_pass_band(self, bins: torch.Tensor) -> torch.Tensor:
        """``(..., K)`` magnitudes of bins ``1..K`` -> the pass band tiled to fill all ``K``."""
        num_bins = bins.shape[-1]
        cutoff = num_bins // self.upsampling_factor
        if not self.replicate or self.upsampling_factor == 1 or cutoff == 0:
            return bins
        copies = math.ceil(num_bins / cutoff)
        return bins[..., :cutoff].repeat(*([1] * (bins.dim() - 1)), copies)[..., :num_bins]

    def forward(self, interpolated: torch.Tensor) -> torch.Tensor:
        magnitude = self.stft(interpolated).abs().to(interpolated.dtype)
        batch, num_bins, num_frames = magnitude.shape
        frames = magnitude.transpose(1, 2).reshape(batch * num_frames, num_bins)
        dc, bins = frames[:, :1], frames[:, 1:]
        predicted = bins + self.unet(self.replicate_pass_band(bins)[:, None, :])[:, 0]
        predicted = torch.cat([dc, predicted], dim=1)
        return predicted.view(batch, num_frames, num_bins).transpose(1, 2)


class TFNetSpectralFusion(nn.Module):
    """The paper's spectral fusion layer:
    ``y = F^-1((w * |F(z)| + (1 - w) * m) * exp(j * angle(F(z))))`` with
    ``w = (tanh(fusion_logits) + 1) / 2`` learned per frequency bin (``w = 1`` keeps the time
    branch, ``w = 0`` the spectral branch's magnitude with the time branch's phase)."""

    def __init__(self, frame_length: int, hop_length: int):
        super().__init__()
        self.stft = TFNetSTFT(frame_length, hop_length)
        self.fusion_logits = nn.Parameter(torch.zeros(frame_length // 2 + 1))

    def fusion_weights(self) -> torch.Tensor:
        """``w`` per bin, in [0, 1]: the time branch's share of the magnitude."""
        return (torch.tanh(self.fusion_logits) + 1.0) / 2.0

    def forward(self, time_values: torch.Tensor, spectral_magnitude: torch.Tensor) -> torch.Tensor:
        spectrum = self.stft(time_values)
        time_magnitude = spectrum.abs()
        weights = self.fusion_weights().float()[:, None]
        magnitude = weights * time_magnitude + (1.0 - weights) * spectral_magnitude.float()
        phase = spectrum / time_magnitude.clamp_min(1e-8)
        fused = self.stft.inverse(magnitude * phase, time_values.shape[-1])
        return fused.to(time_values.dtype)


def init_tfnet_spectral_weights(module: nn.Module) -> None:
    """Initialisation of the TFNet-only pieces (STFT windows, fusion weights): ``w = 0.5``."""
    if isinstance(module, TFNetSTFT):
        init.copy_(module.window, module.compute_window())
    elif isinstance(module, TFNetSpectralFusion):
        init.zeros_(module.fusion_logits)


def init_tfnet_weights(module: nn.Module) -> None:
    """Orthogonal convolutions as AudioUNet (ICNR for the sub-pixel ones), small output
    convolutions so both branches start near their input, and equal fusion weights.
    (transformers calls ``_init_weights`` only on modules that hold parameters or buffers, so every
    rule is keyed on such a module.)"""
    init_tfnet_spectral_weights(module)
    if isinstance(module, AudioSRInterpolation):
        init.copy_(module.taps, module.compute_taps())
    elif isinstance(module, TFNetOutputConv):
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


def tfnet_forward(
    model: nn.Module,
    input_values: torch.Tensor,
    labels: torch.Tensor | None,
    output_interpolated: bool,
    return_dict: bool,
) -> AudioSuperResolutionOutput | tuple:
    """The forward pass of TFNet and the TFNet-TFiLM hybrid (which differ only in their U-Nets)."""
    input_values = as_batch(input_values)
    interpolated = model.interpolation(input_values)
    padded, length = pad_to_multiple(interpolated[:, None, :], model.config.length_multiple)
    padded = padded[:, 0]
    time_values = model.time_branch(padded)
    spectral_magnitude = model.spectral_branch(padded)
    audio_values = model.fusion(time_values, spectral_magnitude)[:, :length]

    return super_resolution_output(
        audio_values,
        labels=labels,
        interpolated_values=interpolated if output_interpolated else None,
        return_dict=return_dict,
    )


class TFNetPreTrainedModel(PreTrainedModel):
    config_class = TFNetConfig
    config: TFNetConfig
    base_model_prefix = "tfnet"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        init_tfnet_weights(module)


class TFNetForAudioSuperResolution(TFNetPreTrainedModel):
    """TFNet: low-rate ``input_values`` ``(batch, time)`` -> ``audio_values`` ``(batch, factor*time)``."""

    def __init__(self, config: TFNetConfig):
        super().__init__(config)
        self.interpolation = AudioSRInterpolation(config.upsampling_factor, config.interpolation)
        self.time_branch = TFNetTimeBranch(
            TFNetUNet(
                config.time_filters,
                config.time_kernel_sizes,
                config.time_bottleneck_filters,
                config.time_bottleneck_kernel_size,
                config.dropout,
                config.negative_slope,
            )
        )
        self.spectral_branch = TFNetSpectralBranch(
            TFNetUNet(
                config.spectral_filters,
                config.spectral_kernel_sizes,
                config.spectral_bottleneck_filters,
                config.spectral_bottleneck_kernel_size,
                config.dropout,
                config.negative_slope,
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


__all__ = [
    "TFNetForAudioSuperResolution",
    "TFNetOutputConv",
    "TFNetPreTrainedModel",
    "TFNetSTFT",
    "TFNetSpectralBranch",
    "TFNetSpectralFusion",
    "TFNetTimeBranch",
    "TFNetUNet",
    "init_tfnet_spectral_weights",
    "init_tfnet_weights",
    "tfnet_forward",
]
