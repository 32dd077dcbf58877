"""Configuration of BandNeXt: one model for any input band, amplitude and phase streams of
ConvNeXt blocks over STFT frames."""

from __future__ import annotations

from transformers import PretrainedConfig

from ...configuration_utils import AudioSRConfigMixin, stft_receptive_field, validate_interpolation

# Defaults of the input-band range, as fractions of the Nyquist frequency: 2 kHz and 23.52 kHz at
# 48 kHz (0.667 and 7.84 kHz at 16 kHz).
DEFAULT_MIN_BANDWIDTH_FRACTION = 1 / 12
DEFAULT_MAX_BANDWIDTH_FRACTION = 0.98

BANDNEXT_PRESETS: dict[str, dict] = {
    # Roughly the scale of AP-BWE (Lu, Ai, Du & Ling 2024; 29.8 M parameters): two streams of 8
    # ConvNeXt blocks, 512 channels, 1536 in the pointwise MLP, kernel 7 along frames. Our frames
    # are 1024-point with a hop of 256 (at 48 kHz: 21 ms, 5.3 ms), a coarser hop than AP-BWE's.
    "paper": {
        "n_fft": 1024,
        "hop_length": 256,
        "hidden_size": 512,
        "intermediate_size": 1536,
        "num_blocks": 8,
        "kernel_size": 7,
    },
    # For CPU training and use: 4 blocks of 192 channels per stream (about 2.3 M parameters).
    "small": {
        "n_fft": 1024,
        "hop_length": 256,
        "hidden_size": 192,
        "intermediate_size": 384,
        "num_blocks": 4,
        "kernel_size": 7,
    },
    # For tests and quick experiments.
    "tiny": {
        "n_fft": 128,
        "hop_length": 32,
        "hidden_size": 16,
        "intermediate_size": 32,
        "num_blocks": 2,
        "kernel_size": 5,
        "cutoff_embedding_size": 8,
    },
}

# The same presets for 16 kHz models: frames of the same duration (64 ms, hop 16 ms would be too
# coarse; 512 points and a hop of 128 are 32 ms and 8 ms at 16 kHz).
BANDNEXT_PRESETS["paper-16k"] = {
    **BANDNEXT_PRESETS["paper"],
    "sampling_rate": 16000,
    "n_fft": 512,
    "hop_length": 128,
}
BANDNEXT_PRESETS["small-16k"] = {
    **BANDNEXT_PRESETS["small"],
    "sampling_rate": 16000,
    "n_fft": 512,
    "hop_length": 128,
}


class BandNeXtConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`BandNeXtForAudioSuperResolution`].

    The model takes audio already at its rate (`sampling_rate`; input rate == output rate) whose
    real content ends at a cut-off somewhere between `min_input_bandwidth_hz` and
    `max_input_bandwidth_hz`, and fills the band above the cut-off. It works on the STFT of the
    input (periodic Hann window of `n_fft` samples, `hop_length` apart, centred, zero-padded).

    Args:
        sampling_rate (`int`, *optional*, defaults to 48000):
            Sampling rate (Hz) of the input and of the output.
        n_fft (`int`, *optional*, defaults to 1024):
            FFT size and window length of the STFT; even, at least 16.
        hop_length (`int`, *optional*, defaults to 256):
            STFT hop in samples, `1 <= hop_length <= n_fft // 2`.
        hidden_size (`int`, *optional*, defaults to 192):
            Channels of each stream (the bins of a frame are projected to this many).
        intermediate_size (`int`, *optional*, defaults to 384):
            Channels of the pointwise MLP inside each ConvNeXt block.
        num_blocks (`int`, *optional*, defaults to 4):
            ConvNeXt blocks per stream (amplitude and phase); the streams exchange information
            after every block.
        kernel_size (`int`, *optional*, defaults to 7):
            Kernel (in frames) of each block's depthwise convolution along time; odd.
        cutoff_embedding_size (`int`, *optional*, defaults to 64):
            Size of the learned embedding of the cut-off that modulates every block (FiLM).
        crossover_bins (`float`, *optional*, defaults to 4.0):
            Width (bins) of the linear cross-over below the cut-off: bins at least this far below
            it are the input's exactly, bins at or above it are the network's.
        min_input_bandwidth_hz (`float`, *optional*):
            Lowest input cut-off (Hz) the model serves; lower ones are raised to it. Defaults to
            a twelfth of the Nyquist frequency (2 kHz at 48 kHz).
        max_input_bandwidth_hz (`float`, *optional*):
            Highest input cut-off (Hz) the model serves, at most the Nyquist frequency; higher
            ones (full-band input) are lowered to it, so the band above it is always the
            network's. Defaults to 0.98 of the Nyquist frequency (23.52 kHz at 48 kHz).
        fallback_threshold_db (`float`, *optional*, defaults to 60.0):
            When `forward` is not told the input's cut-off, it estimates it from the input's
            long-term spectrum: the top of the highest bin whose mean power (smoothed over 5
            bins) is within this many dB of the loudest bin's.
        output_sampling_rates (`tuple[int]`, *optional*):
            Output rates the model can deliver natively (it runs at `sampling_rate`, its output
            is resampled to the others). Must contain `sampling_rate`. Defaults to
            `(44100, 48000)` at 48 kHz and `(sampling_rate,)` otherwise.
        magnitude_floor (`float`, *optional*, defaults to 1e-5):
            Magnitudes are floored (softly: `log(sqrt(|X|^2 + floor^2))`) before the log.
        input_sampling_rate, output_sampling_rate (`int`, *optional*):
            Accepted for callers that build every architecture with both rates (the trainer, the
            benchmarks): they must be equal and then set `sampling_rate`.
        interpolation (`str`, *optional*):
            Accepted and checked for the same callers; there is nothing to interpolate at a factor
            of 1, so the property is always `"sinc"` (a no-op).
        conditions_on_bandwidth (`bool`, *optional*, defaults to `True`):
            Always `True` (`forward` takes `input_bandwidth_hz`); stored, so that `config.json`
            tells the router so.
        preset (`str`, *optional*):
            Name of the preset these values came from, for reference only.
    """

    model_type = "audiosr-bandnext"
    presets = BANDNEXT_PRESETS
    preset_label = "bandnext"

    def __init__(
        self,
        sampling_rate: int = 48000,
        n_fft: int = 1024,
        hop_length: int = 256,
        hidden_size: int = 192,
        intermediate_size: int = 384,
        num_blocks: int = 4,
        kernel_size: int = 7,
        cutoff_embedding_size: int = 64,
        crossover_bins: float = 4.0,
        min_input_bandwidth_hz: float | None = None,
        max_input_bandwidth_hz: float | None = None,
        fallback_threshold_db: float = 60.0,
        output_sampling_rates: tuple[int, ...] | list[int] | None = None,
        magnitude_floor: float = 1e-5,
        input_sampling_rate: int | None = None,
        output_sampling_rate: int | None = None,
        interpolation: str | None = None,
        conditions_on_bandwidth: bool = True,
        preset: str | None = None,
        **kwargs,
    ):
        given = {r for r in (input_sampling_rate, output_sampling_rate) if r is not None}
        if len(given) > 1:
            raise ValueError(
                "BandNeXt works at one rate (input rate == output rate, audio resampled to it "
                f"first), got input_sampling_rate={input_sampling_rate} and "
                f"output_sampling_rate={output_sampling_rate}"
            )
        if given:
            sampling_rate = given.pop()
        if interpolation is not None:
            validate_interpolation(interpolation)
        if conditions_on_bandwidth is not True:
            raise ValueError(
                "BandNeXt always conditions on the input's bandwidth (conditions_on_bandwidth "
                f"must be True), got {conditions_on_bandwidth!r}"
            )
        if not isinstance(sampling_rate, (int, float)) or sampling_rate <= 0:
            raise ValueError(f"sampling_rate must be a positive integer, got {sampling_rate!r}")
        sampling_rate = int(sampling_rate)
        if n_fft < 16 or n_fft % 2:
            raise ValueError(f"n_fft must be an even integer >= 16, got {n_fft}")
        if not 1 <= hop_length <= n_fft // 2:
            raise ValueError(
                f"hop_length must be in [1, n_fft // 2 = {n_fft // 2}] (Hann frames must overlap "
                f"for the inverse STFT), got {hop_length}"
            )
        for name, value in (
            ("hidden_size", hidden_size),
            ("intermediate_size", intermediate_size),
            ("num_blocks", num_blocks),
            ("cutoff_embedding_size", cutoff_embedding_size),
        ):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd integer, got {kernel_size}")
        if not crossover_bins > 0:
            raise ValueError(f"crossover_bins must be positive, got {crossover_bins}")
        nyquist = sampling_rate / 2
        if min_input_bandwidth_hz is None:
            min_input_bandwidth_hz = DEFAULT_MIN_BANDWIDTH_FRACTION * nyquist
        if max_input_bandwidth_hz is None:
            max_input_bandwidth_hz = DEFAULT_MAX_BANDWIDTH_FRACTION * nyquist
        if not 0 < min_input_bandwidth_hz < max_input_bandwidth_hz <= nyquist:
            raise ValueError(
                "need 0 < min_input_bandwidth_hz < max_input_bandwidth_hz <= sampling_rate / 2 "
                f"= {nyquist:g}, got {min_input_bandwidth_hz:g} and {max_input_bandwidth_hz:g}"
            )
        if not fallback_threshold_db > 0:
            raise ValueError(f"fallback_threshold_db must be positive, got {fallback_threshold_db}")
        if output_sampling_rates is None:
            output_sampling_rates = (44100, 48000) if sampling_rate == 48000 else (sampling_rate,)
        output_sampling_rates = tuple(int(r) for r in output_sampling_rates)
        if any(r <= 0 for r in output_sampling_rates) or sampling_rate not in output_sampling_rates:
            raise ValueError(
                "output_sampling_rates must be positive rates that include sampling_rate "
                f"({sampling_rate}), got {output_sampling_rates}"
            )
        if not magnitude_floor > 0:
            raise ValueError(f"magnitude_floor must be positive, got {magnitude_floor}")
        self.sampling_rate = sampling_rate
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.hidden_size = int(hidden_size)
        self.intermediate_size = int(intermediate_size)
        self.num_blocks = int(num_blocks)
        self.kernel_size = int(kernel_size)
        self.cutoff_embedding_size = int(cutoff_embedding_size)
        self.crossover_bins = float(crossover_bins)
        self.min_input_bandwidth_hz = float(min_input_bandwidth_hz)
        self.max_input_bandwidth_hz = float(max_input_bandwidth_hz)
        self.fallback_threshold_db = float(fallback_threshold_db)
        self.output_sampling_rates = output_sampling_rates
        self.magnitude_floor = float(magnitude_floor)
        # a stored field (saved in config.json, where the router reads it), always True
        self.conditions_on_bandwidth = True
        self.preset = preset
        super().__init__(**kwargs)

    @property
    def input_sampling_rate(self) -> int:
        """The input rate: `sampling_rate` (the model does not change the rate)."""
        return self.sampling_rate

    @property
    def output_sampling_rate(self) -> int:
        """The output rate: `sampling_rate`."""
        return self.sampling_rate

    @property
    def interpolation(self) -> str:
        """Always `"sinc"`: at a factor of 1 the shared interpolation is the identity."""
        return "sinc"

    @property
    def num_freq_bins(self) -> int:
        """Bins of the one-sided STFT, `n_fft // 2 + 1`."""
        return self.n_fft // 2 + 1

    @property
    def bin_hz(self) -> float:
        """Spacing of the STFT bins (Hz)."""
        return self.sampling_rate / self.n_fft

    @property
    def crossover_hz(self) -> float:
        """Width of the cross-over below the cut-off (Hz): the input's bins fade out over it."""
        return self.crossover_bins * self.bin_hz

    @property
    def length_multiple(self) -> int:
        """Chunks that start on multiples of the hop see the whole input's frame grid."""
        return self.hop_length

    @property
    def receptive_field(self) -> int:
        """Samples on either side that an output sample can depend on: the STFT round trip
        (a frame reaches ``n_fft // 2 - 1`` samples from its centre, on the way in and on the
        way out) and ``num_blocks`` depthwise convolutions of ``kernel_size // 2`` frames on each
        side along the path through either stream (the exchanges between the streams are per
        frame, so the reaches add up once per block, not once per stream). Exact for a given
        cut-off; the fallback estimate of the cut-off (no ``input_bandwidth_hz``) depends on the
        whole input."""
        frames = self.num_blocks * (self.kernel_size // 2)
        return stft_receptive_field(self.n_fft) + frames * self.hop_length


__all__ = ["BANDNEXT_PRESETS", "BandNeXtConfig"]
