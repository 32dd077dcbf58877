"""AudioUNet configuration (Kuleshov, Enam & Ermon 2017, "Audio Super-Resolution Using Neural Nets")."""

from __future__ import annotations

import math

from transformers import PretrainedConfig

from ...configuration_utils import (
    AudioSRConfigMixin,
    as_int_tuples,
    interpolation_receptive_field,
    receptive_field_samples,
    unet_receptive_field,
    validate_dropout,
    validate_interpolation,
    validate_rates,
)

AUDIOUNET_PRESETS: dict[str, dict] = {
    # The published network: B = 4 down blocks with the filter counts and kernel sizes of the
    # paper (128/384/512/512 filters, kernels 65/33/17/9), a 512-filter bottleneck with kernel 9,
    # dropout 0.5, cubic-spline input interpolation.
    "paper": {
        "down_filters": (128, 384, 512, 512),
        "down_kernel_sizes": (65, 33, 17, 9),
        "bottleneck_filters": 512,
        "bottleneck_kernel_size": 9,
        "dropout": 0.5,
        "interpolation": "cubic",
    },
    # Same topology, about 1/60 of the parameters: our default for real-time CPU use.
    "small": {
        "down_filters": (24, 48, 64, 96),
        "down_kernel_sizes": (15, 9, 9, 9),
        "bottleneck_filters": 128,
        "bottleneck_kernel_size": 9,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
    # Between "small" and "paper": about 3.5x the parameters of "small".
    "base": {
        "down_filters": (48, 96, 128, 160),
        "down_kernel_sizes": (31, 15, 9, 9),
        "bottleneck_filters": 192,
        "bottleneck_kernel_size": 9,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
    # For tests and quick experiments.
    "tiny": {
        "down_filters": (8, 16),
        "down_kernel_sizes": (9, 5),
        "bottleneck_filters": 16,
        "bottleneck_kernel_size": 5,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
}


class AudioUNetConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`AudioUNetForAudioSuperResolution`].

    Args:
        input_sampling_rate (`int`, *optional*, defaults to 8000):
            Sampling rate (Hz) of the low-resolution audio the model takes.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            Sampling rate (Hz) of the audio the model returns; an integer multiple of
            `input_sampling_rate`.
        down_filters (`tuple[int]`, *optional*, defaults to `(24, 48, 64, 96)`):
            Number of filters of each down-sampling block (the up blocks mirror them). Its length
            is the number of blocks `B`.
        down_kernel_sizes (`tuple[int]`, *optional*, defaults to `(15, 9, 9, 9)`):
            Kernel size of each down block (odd integers), same length as `down_filters`.
        bottleneck_filters (`int`, *optional*, defaults to 128):
            Filters of the bottleneck convolution.
        bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size of the bottleneck convolution (odd).
        dropout (`float`, *optional*, defaults to 0.0):
            Dropout after the bottleneck and the up-block convolutions (the paper uses 0.5).
        negative_slope (`float`, *optional*, defaults to 0.2):
            Slope of the LeakyReLU of the down blocks.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            How the input is brought to the output rate before the U-Net adds its residual:
            `"cubic"` (cubic spline, the paper) or `"sinc"` (band-limited).
        preset (`str`, *optional*):
            Name of the preset these values came from (`"paper"`, `"small"`, `"tiny"`), for
            reference only; use [`AudioUNetConfig.from_preset`] to build one.
    """

    model_type = "audiosr-audiounet"
    presets = AUDIOUNET_PRESETS
    preset_label = "AudioUNet"

    def __init__(
        self,
        input_sampling_rate: int = 8000,
        output_sampling_rate: int = 16000,
        down_filters: tuple[int, ...] | list[int] = (24, 48, 64, 96),
        down_kernel_sizes: tuple[int, ...] | list[int] = (15, 9, 9, 9),
        bottleneck_filters: int = 128,
        bottleneck_kernel_size: int = 9,
        dropout: float = 0.0,
        negative_slope: float = 0.2,
        interpolation: str = "sinc",
        preset: str | None = None,
        **kwargs,
    ):
        down_filters, down_kernel_sizes = as_int_tuples(down_filters, down_kernel_sizes)
        validate_rates(input_sampling_rate, output_sampling_rate)
        if not down_filters or len(down_filters) != len(down_kernel_sizes):
            raise ValueError(
                "down_filters and down_kernel_sizes must be non-empty and of equal length, got "
                f"{len(down_filters)} and {len(down_kernel_sizes)}"
            )
        for k in (*down_kernel_sizes, bottleneck_kernel_size):
            if k < 1 or k % 2 == 0:
                raise ValueError(f"kernel sizes must be odd positive integers, got {k}")
        validate_interpolation(interpolation)
        validate_dropout(dropout)
        self.input_sampling_rate = int(input_sampling_rate)
        self.output_sampling_rate = int(output_sampling_rate)
        self.down_filters = down_filters
        self.down_kernel_sizes = down_kernel_sizes
        self.bottleneck_filters = int(bottleneck_filters)
        self.bottleneck_kernel_size = int(bottleneck_kernel_size)
        self.dropout = float(dropout)
        self.negative_slope = float(negative_slope)
        self.interpolation = interpolation
        self.preset = preset
        super().__init__(**kwargs)

    @property
    def num_blocks(self) -> int:
        return len(self.down_filters)

    @property
    def length_multiple(self) -> int:
        """Output-rate lengths are padded internally to a multiple of this: the U-Net's total
        stride, and a multiple of the upsampling factor so that input-rate chunk boundaries at
        multiples of ``length_multiple // factor`` fall on the stride grid (for factor 3, e.g.
        16 -> 48 kHz, chunked processing is otherwise not exact)."""
        return math.lcm(2 ** (self.num_blocks + 1), self.upsampling_factor)

    @property
    def receptive_field(self) -> int:
        """Output-rate samples on either side that an output sample can depend on: the
        interpolation's FIR half-width plus the U-Net's reach (stride-2 convolutions, sub-pixel
        shuffles, the final kernel-9 convolution at half rate; see
        :func:`~hf_audiosr.configuration_utils.unet_receptive_field`)."""
        before, after = unet_receptive_field(self.down_kernel_sizes, self.bottleneck_kernel_size)
        return receptive_field_samples(
            interpolation_receptive_field(self.interpolation, self.upsampling_factor),
            max(before, after),
        )


__all__ = ["AudioUNetConfig", "AUDIOUNET_PRESETS"]
