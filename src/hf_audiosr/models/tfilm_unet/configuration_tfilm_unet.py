"""TFiLM U-Net configuration (Birnbaum, Kuleshov, Enam, Koh & Ermon 2019, "Temporal FiLM:
Capturing Long-Range Sequence Dependencies with Feature-Wise Modulations", NeurIPS)."""

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

TFILM_UNET_PRESETS: dict[str, dict] = {
    # The published audio super-resolution network (the paper's Figure 2 and its code,
    # kuleshov/audio-super-res `src/models/audiotfilm.py`): K = 4 down blocks with 128/256/512/512
    # filters and kernels 65/33/17/9, dilation 2, max-pool downsampling, a 512-filter bottleneck,
    # dropout 0.5, cubic-spline input, and TFiLM blocks of 128/64/32/16/8 steps (32 blocks per
    # 8192-sample training patch, i.e. 256 output-rate samples per block at every level).
    "paper": {
        "down_filters": (128, 256, 512, 512),
        "down_kernel_sizes": (65, 33, 17, 9),
        "bottleneck_filters": 512,
        "bottleneck_kernel_size": 9,
        "dilation": 2,
        "dropout": 0.5,
        "block_size": 256,
        "tfilm_window": 32,
        "interpolation": "cubic",
    },
    # The reduced "TFiLM Net" of Bini's equal-parameter comparison (MSc thesis 2021, code
    # giorgiobini/Deep-Learning-for-Audio-Super-Resolution `src/params.py`): 3 blocks,
    # 64/128/448 filters, a 448-filter bottleneck.
    "thesis": {
        "down_filters": (64, 128, 448),
        "down_kernel_sizes": (65, 33, 17),
        "bottleneck_filters": 448,
        "bottleneck_kernel_size": 9,
        "dilation": 2,
        "dropout": 0.5,
        "block_size": 256,
        "tfilm_window": 32,
        "interpolation": "cubic",
    },
    # Same topology as AudioUNet "small" plus TFiLM: our default for CPU use.
    "small": {
        "down_filters": (24, 48, 64, 96),
        "down_kernel_sizes": (15, 9, 9, 9),
        "bottleneck_filters": 128,
        "bottleneck_kernel_size": 9,
        "dilation": 2,
        "dropout": 0.0,
        "block_size": 256,
        "tfilm_window": 32,
        "interpolation": "sinc",
    },
    # For tests and quick experiments.
    "tiny": {
        "down_filters": (8, 16),
        "down_kernel_sizes": (9, 5),
        "bottleneck_filters": 16,
        "bottleneck_kernel_size": 5,
        "dilation": 2,
        "dropout": 0.0,
        "block_size": 32,
        "tfilm_window": 4,
        "interpolation": "sinc",
    },
}


def validate_unet(
    prefix: str,
    filters: tuple[int, ...],
    kernel_sizes: tuple[int, ...],
    bottleneck_kernel_size: int,
    dilation: int = 1,
) -> None:
    """Check one U-Net's filters and kernels; ``prefix`` names the arguments in the message."""
    if not filters or len(filters) != len(kernel_sizes):
        raise ValueError(
            f"{prefix}filters and {prefix}kernel_sizes must be non-empty and of equal length, got "
            f"{len(filters)} and {len(kernel_sizes)}"
        )
    if any(f < 1 for f in filters):
        raise ValueError(f"{prefix}filters must be positive integers, got {filters}")
    for k in (*kernel_sizes, bottleneck_kernel_size):
        if k < 1 or k % 2 == 0:
            raise ValueError(f"kernel sizes must be odd positive integers, got {k}")
    if dilation < 1:
        raise ValueError(f"dilation must be a positive integer, got {dilation}")


def validate_tfilm(
    prefix: str, block_size: int, num_blocks: int, tfilm_window: int | None = None
) -> None:
    multiple = 2 ** (num_blocks + 1)
    if block_size < 1 or block_size % multiple:
        raise ValueError(
            f"{prefix}block_size must be a positive multiple of 2 ** (number of down blocks + 1) = "
            f"{multiple}, so that every level of the U-Net holds whole TFiLM blocks; got {block_size}"
        )
    if tfilm_window is not None and tfilm_window < 1:
        raise ValueError(
            f"tfilm_window must be a positive number of blocks or None (unbounded), got {tfilm_window}"
        )


class TFiLMUNetConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`TFiLMUNetForAudioSuperResolution`].

    The network is AudioUNet's U-Net with dilated convolutions, max-pool downsampling and a
    temporal FiLM layer after every convolutional block: the block's output is cut into blocks of
    time steps, each block is max-pooled over time, an LSTM runs across the pooled blocks, and a
    linear layer turns its output into a per-channel scale and shift applied to every step of the
    block.

    Args:
        input_sampling_rate (`int`, *optional*, defaults to 8000):
            Sampling rate (Hz) of the low-resolution audio the model takes.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            Sampling rate (Hz) of the audio the model returns; an integer multiple of
            `input_sampling_rate`.
        down_filters (`tuple[int]`, *optional*, defaults to `(24, 48, 64, 96)`):
            Filters of each down block (the up blocks mirror them); its length is the number of
            blocks `K`.
        down_kernel_sizes (`tuple[int]`, *optional*, defaults to `(15, 9, 9, 9)`):
            Kernel size of each down block (odd), same length as `down_filters`.
        bottleneck_filters (`int`, *optional*, defaults to 128):
            Filters of the bottleneck convolution.
        bottleneck_kernel_size (`int`, *optional*, defaults to 9):
            Kernel size of the bottleneck convolution (odd).
        dilation (`int`, *optional*, defaults to 2):
            Dilation of every U-Net convolution (the paper's code uses 2).
        dropout (`float`, *optional*, defaults to 0.0):
            Dropout after the bottleneck and up-block convolutions (the paper uses 0.5).
        negative_slope (`float`, *optional*, defaults to 0.2):
            Slope of the LeakyReLU of the down blocks and the bottleneck.
        block_size (`int`, *optional*, defaults to 256):
            TFiLM block length in output-rate samples. A level at `1/2**(l+1)` of the output rate
            uses blocks of `block_size // 2**(l+1)` steps, so every level has the same number of
            blocks (the paper: 32 blocks per 8192-sample patch, i.e. 256). A multiple of
            `2 ** (K + 1)`.
        tfilm_window (`int` or `None`, *optional*, defaults to 32):
            How many blocks (the current one and those before it) the TFiLM LSTM sees for each
            block's scale and shift. `None` runs the LSTM across the whole input as in the paper.
            The paper trains on 8192-sample patches, i.e. 32 blocks, so with 32 the two are
            identical on training patches and differ only on longer inputs; a bounded window makes
            the model shift-invariant by whole blocks, so chunked processing (with enough context)
            equals whole-input processing. A deviation from the paper for inputs longer than
            `block_size * tfilm_window` output samples.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            Fixed interpolation the residual is added to: `"cubic"` (the paper) or `"sinc"`.
        preset (`str`, *optional*):
            Name of the preset these values came from, for reference only; use
            [`TFiLMUNetConfig.from_preset`] to build one.
    """

    model_type = "audiosr-tfilm-unet"
    presets = TFILM_UNET_PRESETS
    preset_label = "TFiLM U-Net"

    def __init__(
        self,
        input_sampling_rate: int = 8000,
        output_sampling_rate: int = 16000,
        down_filters: tuple[int, ...] | list[int] = (24, 48, 64, 96),
        down_kernel_sizes: tuple[int, ...] | list[int] = (15, 9, 9, 9),
        bottleneck_filters: int = 128,
        bottleneck_kernel_size: int = 9,
        dilation: int = 2,
        dropout: float = 0.0,
        negative_slope: float = 0.2,
        block_size: int = 256,
        tfilm_window: int | None = 32,
        interpolation: str = "sinc",
        preset: str | None = None,
        **kwargs,
    ):
        down_filters, down_kernel_sizes = as_int_tuples(down_filters, down_kernel_sizes)
        validate_rates(input_sampling_rate, output_sampling_rate)
        validate_unet("down_", down_filters, down_kernel_sizes, bottleneck_kernel_size, dilation)
        validate_tfilm("", int(block_size), len(down_filters), tfilm_window)
        validate_interpolation(interpolation)
        validate_dropout(dropout)
        self.input_sampling_rate = int(input_sampling_rate)
        self.output_sampling_rate = int(output_sampling_rate)
        self.down_filters = down_filters
        self.down_kernel_sizes = down_kernel_sizes
        self.bottleneck_filters = int(bottleneck_filters)
        self.bottleneck_kernel_size = int(bottleneck_kernel_size)
        self.dilation = int(dilation)
        self.dropout = float(dropout)
        self.negative_slope = float(negative_slope)
        self.block_size = int(block_size)
        self.tfilm_window = None if tfilm_window is None else int(tfilm_window)
        self.interpolation = interpolation
        self.preset = preset
        super().__init__(**kwargs)

    @property
    def num_blocks(self) -> int:
        return len(self.down_filters)

    @property
    def length_multiple(self) -> int:
        """Output-rate lengths are padded internally to a multiple of this: whole TFiLM blocks
        (which are also whole U-Net strides), and a multiple of the upsampling factor so that
        input-rate chunk boundaries at multiples of ``length_multiple // factor`` fall on the
        block grid."""
        return math.lcm(self.block_size, self.upsampling_factor)

    @property
    def tfilm_context_length(self) -> int | None:
        """Output-rate samples of history behind each block's modulation (``None``: unbounded)."""
        return None if self.tfilm_window is None else self.block_size * self.tfilm_window

    @property
    def receptive_field(self) -> int | None:
        """Output-rate samples on either side that an output sample can depend on (None for an
        unbounded ``tfilm_window``): the interpolation's FIR half-width plus the U-Net's reach,
        dilated convolutions, max-pooling and sub-pixel shuffles, and the history of its
        ``2 * K + 1`` TFiLM layers, which compound along the path through the bottleneck: about
        ``(2K + 1) * tfilm_context_length`` before the sample, much more than one layer's
        ``tfilm_context_length`` (see :func:`~hf_audiosr.configuration_utils.unet_receptive_field`)."""
        before, after = unet_receptive_field(
            self.down_kernel_sizes,
            self.bottleneck_kernel_size,
            dilation=self.dilation,
            max_pool=True,
            tfilm_block_size=self.block_size,
            tfilm_window=self.tfilm_window,
        )
        return receptive_field_samples(
            interpolation_receptive_field(self.interpolation, self.upsampling_factor),
            max(before, after),
        )


__all__ = ["TFiLMUNetConfig", "TFILM_UNET_PRESETS"]
