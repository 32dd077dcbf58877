"""TFNet configuration (Lim, Yeh, Xu, Do & Hasegawa-Johnson 2018, "Time-Frequency Networks for
Audio Super-Resolution", ICASSP)."""

from __future__ import annotations

import math

from transformers import PretrainedConfig

from ...configuration_utils import (
    AudioSRConfigMixin,
    as_int_tuples,
    interpolation_receptive_field,
    receptive_field_samples,
    stft_receptive_field,
    unet_receptive_field,
    validate_dropout,
    validate_interpolation,
    validate_rates,
)
from ..tfilm_unet.configuration_tfilm_unet import validate_unet

TFNET_PRESETS: dict[str, dict] = {
    # The published network: two "slim" AudioUNets (AudioUNet with half the filters: 64/128/256/256,
    # kernels 65/33/17/9, a 256-filter bottleneck), one on the waveform and one on the DFT
    # magnitude of 8192-sample patches (4096 bins above DC after the spectral replicator),
    # dropout 0.5, cubic-spline input. Our frames: 8192 samples, 75 % overlap (hop 2048), which is
    # also how the paper cut its training patches.
    "paper": {
        "time_filters": (64, 128, 256, 256),
        "time_kernel_sizes": (65, 33, 17, 9),
        "time_bottleneck_filters": 256,
        "time_bottleneck_kernel_size": 9,
        "spectral_filters": (64, 128, 256, 256),
        "spectral_kernel_sizes": (65, 33, 17, 9),
        "spectral_bottleneck_filters": 256,
        "spectral_bottleneck_kernel_size": 9,
        "frame_length": 8192,
        "hop_length": 2048,
        "dropout": 0.5,
        "interpolation": "cubic",
    },
    # The reduced TFNet of Bini's equal-parameter comparison (MSc thesis 2021, code
    # giorgiobini/Deep-Learning-for-Audio-Super-Resolution `src/params.py`): 3 blocks of
    # 64/128/288 filters and a 288-filter bottleneck in both branches.
    "thesis": {
        "time_filters": (64, 128, 288),
        "time_kernel_sizes": (65, 33, 17),
        "time_bottleneck_filters": 288,
        "time_bottleneck_kernel_size": 9,
        "spectral_filters": (64, 128, 288),
        "spectral_kernel_sizes": (65, 33, 17),
        "spectral_bottleneck_filters": 288,
        "spectral_bottleneck_kernel_size": 9,
        "frame_length": 8192,
        "hop_length": 2048,
        "dropout": 0.5,
        "interpolation": "cubic",
    },
    # AudioUNet "small" as the time branch and a lighter spectral branch on 512-sample frames
    # (32 ms at 16 kHz): for CPU use.
    "small": {
        "time_filters": (24, 48, 64, 96),
        "time_kernel_sizes": (15, 9, 9, 9),
        "time_bottleneck_filters": 128,
        "time_bottleneck_kernel_size": 9,
        "spectral_filters": (16, 32, 48, 64),
        "spectral_kernel_sizes": (9, 9, 9, 9),
        "spectral_bottleneck_filters": 64,
        "spectral_bottleneck_kernel_size": 9,
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
        "frame_length": 64,
        "hop_length": 16,
        "dropout": 0.0,
        "interpolation": "sinc",
    },
}


def validate_frames(frame_length: int, hop_length: int, spectral_multiple: int) -> None:
    """``spectral_multiple``: what the spectral U-Net needs its length to be a multiple of (its
    total stride, or for a TFiLM U-Net its block size)."""
    if frame_length < 2 or frame_length % 2:
        raise ValueError(f"frame_length must be an even integer >= 2, got {frame_length}")
    if (frame_length // 2) % spectral_multiple:
        raise ValueError(
            f"frame_length // 2 (the bins above DC the spectral U-Net sees) must be a multiple of "
            f"{spectral_multiple}, got frame_length={frame_length}"
        )
    if not 1 <= hop_length <= frame_length // 2:
        raise ValueError(
            "hop_length must be between 1 and frame_length // 2 (Hann frames must overlap for "
            f"overlap-add to invert them), got {hop_length} with frame_length={frame_length}"
        )


def set_tfnet_fields(
    config,
    *,
    input_sampling_rate: int,
    output_sampling_rate: int,
    time_filters: tuple[int, ...] | list[int],
    time_kernel_sizes: tuple[int, ...] | list[int],
    time_bottleneck_filters: int,
    time_bottleneck_kernel_size: int,
    spectral_filters: tuple[int, ...] | list[int],
    spectral_kernel_sizes: tuple[int, ...] | list[int],
    spectral_bottleneck_filters: int,
    spectral_bottleneck_kernel_size: int,
    frame_length: int,
    hop_length: int,
    spectral_replication: bool,
    dropout: float,
    negative_slope: float,
    interpolation: str,
    preset: str | None,
    dilation: int = 1,
    spectral_multiple: int | None = None,
) -> None:
    """Check and store the arguments [`TFNetConfig`] and [`TFNetTFiLMConfig`] share (rates, the two
    branches' U-Nets, STFT frames, dropout, interpolation) on ``config``.

    ``dilation``: of both U-Nets' convolutions (checked, not stored). ``spectral_multiple``: what
    ``frame_length // 2`` must be a multiple of; defaults to the spectral U-Net's total stride.
    """
    time_filters, time_kernel_sizes, spectral_filters, spectral_kernel_sizes = as_int_tuples(
        time_filters, time_kernel_sizes, spectral_filters, spectral_kernel_sizes
    )
    validate_rates(input_sampling_rate, output_sampling_rate)
    validate_unet("time_", time_filters, time_kernel_sizes, time_bottleneck_kernel_size, dilation)
    validate_unet(
        "spectral_",
        spectral_filters,
        spectral_kernel_sizes,
        spectral_bottleneck_kernel_size,
        dilation,
    )
    if spectral_multiple is None:
        spectral_multiple = 2 ** (len(spectral_filters) + 1)
    validate_frames(int(frame_length), int(hop_length), spectral_multiple)
    validate_interpolation(interpolation)
    validate_dropout(dropout)
    config.input_sampling_rate = int(input_sampling_rate)
    config.output_sampling_rate = int(output_sampling_rate)
    config.time_filters = time_filters
    config.time_kernel_sizes = time_kernel_sizes
    config.time_bottleneck_filters = int(time_bottleneck_filters)
    config.time_bottleneck_kernel_size = int(time_bottleneck_kernel_size)
    config.spectral_filters = spectral_filters
    config.spectral_kernel_sizes = spectral_kernel_sizes
    config.spectral_bottleneck_filters = int(spectral_bottleneck_filters)
    config.spectral_bottleneck_kernel_size = int(spectral_bottleneck_kernel_size)
    config.frame_length = int(frame_length)
    config.hop_length = int(hop_length)
    config.spectral_replication = bool(spectral_replication)
    config.dropout = float(dropout)
    config.negative_slope = float(negative_slope)
    config.interpolation = interpolation
    config.preset = preset


class TFNetConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`TFNetForAudioSuperResolution`].

    Two AudioUNet-style branches see the interpolated input: the time branch predicts a waveform
    (residual on the interpolation), the spectral branch predicts, frame by frame, the STFT
    magnitude from the input's magnitude with its pass band copied up to the output Nyquist (the
    paper's spectral replicator). The spectral fusion layer mixes the two magnitudes with a learned
    weight per frequency bin, takes the phase from the time branch, and overlap-adds the frames.

    Args:
        input_sampling_rate (`int`, *optional*, defaults to 8000):
            Sampling rate (Hz) of the low-resolution audio the model takes.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            Sampling rate (Hz) of the audio the model returns; an integer multiple of
            `input_sampling_rate`.
        time_filters (`tuple[int]`, *optional*, defaults to `(24, 48, 64, 96)`):
            Filters of each down block of the time-branch U-Net (the up blocks mirror them).
        time_kernel_sizes (`tuple[int]`, *optional*, defaults to `(15, 9, 9, 9)`):
            Kernel size (odd) of each time-branch down block, same length as `time_filters`.
        time_bottleneck_filters (`int`, *optional*, defaults to 128):
            Filters of the time-branch bottleneck.
        time_bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size (odd) of the time-branch bottleneck.
        spectral_filters (`tuple[int]`, *optional*, defaults to `(16, 32, 48, 64)`):
            Filters of each down block of the spectral-branch U-Net, which convolves along
            frequency, one frame at a time.
        spectral_kernel_sizes (`tuple[int]`, *optional*, defaults to `(9, 9, 9, 9)`):
            Kernel size (odd) of each spectral-branch down block.
        spectral_bottleneck_filters (`int`, *optional*, defaults to 64):
            Filters of the spectral-branch bottleneck.
        spectral_bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size (odd) of the spectral-branch bottleneck.
        frame_length (`int`, *optional*, defaults to 512):
            STFT frame (and FFT) length in output-rate samples; Hann window. `frame_length // 2`
            must be a multiple of the spectral U-Net's stride `2 ** (len(spectral_filters) + 1)`.
        hop_length (`int`, *optional*, defaults to 128):
            STFT hop in output-rate samples, at most `frame_length // 2`.
        spectral_replication (`bool`, *optional*, defaults to `True`):
            Copy the input's pass band up to the output Nyquist before the spectral U-Net (the
            paper's spectral replicator); `False` feeds the plain magnitude.
        dropout (`float`, *optional*, defaults to 0.0):
            Dropout after the bottleneck and up-block convolutions of both U-Nets (paper: 0.5).
        negative_slope (`float`, *optional*, defaults to 0.2):
            Slope of the LeakyReLU of the down blocks.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            Fixed interpolation both branches start from: `"cubic"` (the paper) or `"sinc"`.
        preset (`str`, *optional*):
            Name of the preset these values came from, for reference only; use
            [`TFNetConfig.from_preset`] to build one.
    """

    model_type = "audiosr-tfnet"
    presets = TFNET_PRESETS
    preset_label = "TFNet"

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
        frame_length: int = 512,
        hop_length: int = 128,
        spectral_replication: bool = True,
        dropout: float = 0.0,
        negative_slope: float = 0.2,
        interpolation: str = "sinc",
        preset: str | None = None,
        **kwargs,
    ):
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
        )
        super().__init__(**kwargs)

    @property
    def num_frequency_bins(self) -> int:
        """STFT bins per frame, DC to Nyquist."""
        return self.frame_length // 2 + 1

    @property
    def length_multiple(self) -> int:
        """Output-rate lengths are padded internally to a multiple of this: the time U-Net's
        stride and the STFT hop (so frames sit on one grid however the input is chunked), and a
        multiple of the upsampling factor so that input-rate chunk boundaries at multiples of
        ``length_multiple // factor`` fall on that grid."""
        return math.lcm(2 ** (len(self.time_filters) + 1), self.hop_length, self.upsampling_factor)

    @property
    def receptive_field(self) -> int:
        """Output-rate samples on either side that an output sample can depend on: the
        interpolation's FIR half-width, the time U-Net's reach (see
        :func:`~hf_audiosr.configuration_utils.unet_receptive_field`) and the STFT frames of the
        fusion layer, ``frame_length - 2`` (see
        :func:`~hf_audiosr.configuration_utils.stft_receptive_field`). The spectral branch works
        within one frame, so it adds nothing beyond the frames."""
        before, after = unet_receptive_field(
            self.time_kernel_sizes, self.time_bottleneck_kernel_size
        )
        return receptive_field_samples(
            interpolation_receptive_field(self.interpolation, self.upsampling_factor),
            stft_receptive_field(self.frame_length),
            max(before, after),
        )


__all__ = ["TFNetConfig", "TFNET_PRESETS"]
