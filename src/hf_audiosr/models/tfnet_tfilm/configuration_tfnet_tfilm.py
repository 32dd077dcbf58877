"""TFNet-TFiLM hybrid configuration (G. Bini 2021, MSc thesis "Deep Learning for Audio
Super-Resolution", University of Milano-Bicocca; code giorgiobini/Deep-Learning-for-Audio-Super-Resolution)."""

from __future__ import annotations

import math

from transformers import PretrainedConfig

from ...configuration_utils import (
    AudioSRConfigMixin,
    interpolation_receptive_field,
    receptive_field_samples,
    stft_receptive_field,
    unet_receptive_field,
)
from ..tfilm_unet.configuration_tfilm_unet import validate_tfilm
from ..tfnet.configuration_tfnet import set_tfnet_fields

TFNET_TFILM_PRESETS: dict[str, dict] = {
    # The thesis' proposed model ("gionet" in its `src/params.py`), sized for its equal-parameter
    # comparison with the reduced TFNet and TFiLM Net (3 blocks each, ~22-25 M parameters): both
    # branches are TFiLM U-Nets with 64/128/256 filters, kernels 65/33/17, a 256-filter bottleneck
    # of kernel 9, dilation 2, dropout 0.5; TFiLM blocks of 128/64/32/16 steps in both branches
    # (32 blocks per 8192-sample patch in time, 16 per 4096-bin spectrum); cubic-spline input.
    "paper": {
        "time_filters": (64, 128, 256),
        "time_kernel_sizes": (65, 33, 17),
        "time_bottleneck_filters": 256,
        "time_bottleneck_kernel_size": 9,
        "spectral_filters": (64, 128, 256),
        "spectral_kernel_sizes": (65, 33, 17),
        "spectral_bottleneck_filters": 256,
        "spectral_bottleneck_kernel_size": 9,
        "dilation": 2,
        "time_block_size": 256,
        "spectral_block_size": 256,
        "tfilm_window": 32,
        "frame_length": 8192,
        "hop_length": 2048,
        "dropout": 0.5,
        "interpolation": "cubic",
    },
    # TFNet "small" with TFiLM in both branches.
    "small": {
        "time_filters": (24, 48, 64, 96),
        "time_kernel_sizes": (15, 9, 9, 9),
        "time_bottleneck_filters": 128,
        "time_bottleneck_kernel_size": 9,
        "spectral_filters": (16, 32, 48, 64),
        "spectral_kernel_sizes": (9, 9, 9, 9),
        "spectral_bottleneck_filters": 64,
        "spectral_bottleneck_kernel_size": 9,
        "dilation": 2,
        "time_block_size": 256,
        "spectral_block_size": 32,
        "tfilm_window": 32,
        "frame_length": 512,
        "hop_length": 128,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
    # For tests and quick experiments.
    "tiny": {
        "time_filters": (8, 16),
        "time_kernel_sizes": (9, 5),
        "time_bottleneck_filters": 16,
        "time_bottleneck_kernel_size": 5,
        "spectral_filters": (8, 16),
        "spectral_kernel_sizes": (5, 5),
        "spectral_bottleneck_filters": 16,
        "spectral_bottleneck_kernel_size": 5,
        "dilation": 2,
        "time_block_size": 32,
        "spectral_block_size": 8,
        "tfilm_window": 4,
        "frame_length": 64,
        "hop_length": 16,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
}


class TFNetTFiLMConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`TFNetTFiLMForAudioSuperResolution`]: TFNet's time and spectral branches
    and spectral fusion layer ([`TFNetConfig`]), with TFiLM U-Nets ([`TFiLMUNetConfig`]) in both
    branches instead of AudioUNets.

    Args:
        input_sampling_rate (`int`, *optional*, defaults to 8000):
            Sampling rate (Hz) of the low-resolution audio the model takes.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            Sampling rate (Hz) of the audio the model returns; an integer multiple of
            `input_sampling_rate`.
        time_filters (`tuple[int]`, *optional*, defaults to `(24, 48, 64, 96)`):
            Filters of each down block of the time-branch TFiLM U-Net.
        time_kernel_sizes (`tuple[int]`, *optional*, defaults to `(15, 9, 9, 9)`):
            Kernel size (odd) of each time-branch down block.
        time_bottleneck_filters (`int`, *optional*, defaults to 128):
            Filters of the time-branch bottleneck.
        time_bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size (odd) of the time-branch bottleneck.
        spectral_filters (`tuple[int]`, *optional*, defaults to `(16, 32, 48, 64)`):
            Filters of each down block of the spectral-branch TFiLM U-Net (along frequency).
        spectral_kernel_sizes (`tuple[int]`, *optional*, defaults to `(9, 9, 9, 9)`):
            Kernel size (odd) of each spectral-branch down block.
        spectral_bottleneck_filters (`int`, *optional*, defaults to 64):
            Filters of the spectral-branch bottleneck.
        spectral_bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size (odd) of the spectral-branch bottleneck.
        dilation (`int`, *optional*, defaults to 2):
            Dilation of every convolution of both TFiLM U-Nets.
        time_block_size (`int`, *optional*, defaults to 256):
            TFiLM block length of the time branch in output-rate samples (see
            [`TFiLMUNetConfig`]); a multiple of `2 ** (len(time_filters) + 1)`.
        spectral_block_size (`int`, *optional*, defaults to 32):
            TFiLM block length of the spectral branch in frequency bins; a multiple of
            `2 ** (len(spectral_filters) + 1)` that divides `frame_length // 2`. Its LSTM runs
            along frequency across one frame's blocks.
        tfilm_window (`int` or `None`, *optional*, defaults to 32):
            Blocks of history the time branch's TFiLM LSTMs see (see [`TFiLMUNetConfig`]);
            `None` is the thesis' unbounded LSTM.
        frame_length (`int`, *optional*, defaults to 512):
            STFT frame length in output-rate samples (see [`TFNetConfig`]).
        hop_length (`int`, *optional*, defaults to 128):
            STFT hop in output-rate samples, at most `frame_length // 2`.
        spectral_replication (`bool`, *optional*, defaults to `True`):
            Apply the spectral replicator before the spectral U-Net (the thesis does).
        dropout (`float`, *optional*, defaults to 0.0):
            Dropout after the bottleneck and up-block convolutions of both U-Nets (thesis: 0.5).
        negative_slope (`float`, *optional*, defaults to 0.2):
            Slope of the LeakyReLUs.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            Fixed interpolation both branches start from: `"cubic"` (the thesis) or `"sinc"`.
        preset (`str`, *optional*):
            Name of the preset these values came from, for reference only; use
            [`TFNetTFiLMConfig.from_preset`] to build one.
    """

    model_type = "audiosr-tfnet-tfilm"
    presets = TFNET_TFILM_PRESETS
    preset_label = "TFNet-TFiLM"

    def __init__(
        self,
        input_sampling_rate: int = 8000,
        output_sampling_rate: int = 16000,
        time_filters: tuple[int, ...] | list[int] = (24, 48, 64, 96),
        time_kernel_sizes: tuple[int, ...] | list[int] = (15, 9, 9, 9),
        time_bottleneck_filters: int = 128,
        time_bottleneck_kernel_size: int = 9,
        spectral_filters: tuple[int, ...] | list[int] = (16, 32, 48, 64),
        spectral_kernel_sizes: tuple[int, ...] | list[int] = (9, 9, 9, 9),
        spectral_bottleneck_filters: int = 64,
        spectral_bottleneck_kernel_size: int = 9,
        dilation: int = 2,
        time_block_size: int = 256,
        spectral_block_size: int = 32,
        tfilm_window: int | None = 32,
        frame_length: int = 512,
        hop_length: int = 128,
        spectral_replication: bool = True,
        dropout: float = 0.0,
        negative_slope: float = 0.2,
        interpolation: str = "sinc",
        preset: str | None = None,
        **kwargs,
    ):
        # The TFiLM blocks first: the frame check divides by spectral_block_size.
        validate_tfilm("time_", int(time_block_size), len(time_filters), tfilm_window)
        validate_tfilm("spectral_", int(spectral_block_size), len(spectral_filters))
        set_tfnet_fields(
            self,
            input_sampling_rate=input_sampling_rate,
            output_sampling_rate=output_sampling_rate,
            time_filters=time_filters,
            time_kernel_sizes=time_kernel_sizes,
            time_bottleneck_filters=time_bottleneck_filters,
            time_bottleneck_kernel_size=time_bottleneck_kernel_size,
            spectral_filters=spectral_filters,
            spectral_kernel_sizes=spectral_kernel_sizes,
            spectral_bottleneck_filters=spectral_bottleneck_filters,
            spectral_bottleneck_kernel_size=spectral_bottleneck_kernel_size,
            frame_length=frame_length,
            hop_length=hop_length,
            spectral_replication=spectral_replication,
            dropout=dropout,
            negative_slope=negative_slope,
            interpolation=interpolation,
            preset=preset,
            dilation=dilation,
            spectral_multiple=int(spectral_block_size),
        )
        self.dilation = int(dilation)
        self.time_block_size = int(time_block_size)
        self.spectral_block_size = int(spectral_block_size)
        self.tfilm_window = None if tfilm_window is None else int(tfilm_window)
        super().__init__(**kwargs)

    @property
    def num_frequency_bins(self) -> int:
        """STFT bins per frame, DC to Nyquist."""
        return self.frame_length // 2 + 1

    @property
    def length_multiple(self) -> int:
        """Output-rate lengths are padded internally to a multiple of this: whole time-branch
        TFiLM blocks, whole STFT hops, and a multiple of the upsampling factor (see
        [`TFNetConfig.length_multiple`])."""
        return math.lcm(self.time_block_size, self.hop_length, self.upsampling_factor)

    @property
    def receptive_field(self) -> int | None:
        """Output-rate samples on either side that an output sample can depend on (None for an
        unbounded ``tfilm_window``): the interpolation's FIR half-width, the time branch's TFiLM
        U-Net (see [`TFiLMUNetConfig.receptive_field`]) and the STFT frames of the fusion layer,
        ``frame_length - 2``. The spectral branch works within one frame (its TFiLM LSTMs run
        along frequency), so it adds nothing beyond the frames."""
        before, after = unet_receptive_field(
            self.time_kernel_sizes,
            self.time_bottleneck_kernel_size,
            dilation=self.dilation,
            max_pool=True,
            tfilm_block_size=self.time_block_size,
            tfilm_window=self.tfilm_window,
        )
        return receptive_field_samples(
            interpolation_receptive_field(self.interpolation, self.upsampling_factor),
            stft_receptive_field(self.frame_length),
            max(before, after),
        )


__all__ = ["TFNetTFiLMConfig", "TFNET_TFILM_PRESETS"]
