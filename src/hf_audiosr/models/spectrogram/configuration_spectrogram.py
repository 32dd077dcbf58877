"""Configuration of the spectrogram baseline: predict the missing band's magnitudes, Griffin-Lim phase."""

from __future__ import annotations

import math

from transformers import PretrainedConfig

from ...configuration_utils import (
    AudioSRConfigMixin,
    interpolation_receptive_field,
    stft_receptive_field,
    validate_interpolation,
)

PHASE_INITS = ("replicate", "zero")

# All presets use Griffin-Lim momentum 0.9 rather than librosa's 0.99: measured on VCTK speech
# with the true high-band magnitudes, 16 iterations reach almost the same log-spectral distance
# (0.397 vs 0.392), while the output is an order of magnitude less sensitive to tiny input changes
# and to where a chunk starts (chunked vs whole processing differs ~10x less).
SPECTROGRAM_PRESETS: dict[str, dict] = {
    # The spectrogram-domain DNN baseline that Kuleshov, Enam & Ermon (2017) compare AudioUNet with,
    # after Li & Lee (2015), "A deep neural network approach to speech bandwidth expansion": a
    # fully connected network maps the narrow-band log-spectra of a window of frames to the
    # high-band log-spectrum of the centre frame. Assumed here (the papers leave details open or
    # differ from our setting): 512-point STFT at the output rate with 75 % overlap, a window of
    # 9 frames (+-4), 3 hidden layers of 2048 ReLU units; the phase of the new band comes from
    # 32 iterations of fast Griffin-Lim (Li & Lee instead mirrored ("imaged") the narrow-band
    # phase, which is what our "replicate" initialisation starts from).
    "paper": {
        "n_fft": 512,
        "hop_length": 128,
        "context_frames": 4,
        "hidden_size": 2048,
        "num_hidden_layers": 3,
        "n_iter": 32,
        "momentum": 0.9,
        "interpolation": "sinc",
    },
    # Our default for CPU use: +-3 frames, 2 hidden layers of 256 units, 16 Griffin-Lim iterations.
    "small": {
        "n_fft": 512,
        "hop_length": 128,
        "context_frames": 3,
        "hidden_size": 256,
        "num_hidden_layers": 2,
        "n_iter": 16,
        "momentum": 0.9,
        "interpolation": "sinc",
    },
    # For tests and quick experiments.
    "tiny": {
        "n_fft": 256,
        "hop_length": 64,
        "context_frames": 1,
        "hidden_size": 32,
        "num_hidden_layers": 1,
        "n_iter": 4,
        "momentum": 0.9,
        "interpolation": "sinc",
    },
}


class SpectrogramSRConfig(AudioSRConfigMixin, PretrainedConfig):
    r"""Configuration of [`SpectrogramSRForAudioSuperResolution`].

    The model interpolates the input to the output rate, takes an STFT there, predicts the
    log-magnitudes of the bins at or above the input Nyquist frequency from those below it, keeps
    the input's low band (magnitude and phase) and estimates the new band's phase with fast
    Griffin-Lim (Perraudin et al. 2013, as in `librosa.griffinlim`).

    Args:
        input_sampling_rate (`int`, *optional*, defaults to 8000):
            Sampling rate (Hz) of the low-resolution audio the model takes.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            Sampling rate (Hz) of the audio the model returns; an integer multiple (at least 2) of
            `input_sampling_rate`.
        n_fft (`int`, *optional*, defaults to 512):
            FFT size (and periodic Hann window length) of the STFT at the output rate; even.
        hop_length (`int`, *optional*, defaults to 128):
            Hop of the STFT in output-rate samples, `1 <= hop_length <= n_fft // 2`.
        context_frames (`int`, *optional*, defaults to 3):
            Frames on each side of a frame that the network sees (a window of
            `2 * context_frames + 1` frames).
        hidden_size (`int`, *optional*, defaults to 256):
            Units of each hidden layer of the per-frame network.
        num_hidden_layers (`int`, *optional*, defaults to 2):
            Number of hidden layers (at least 1).
        n_iter (`int`, *optional*, defaults to 16):
            Griffin-Lim iterations at inference (eval mode); `0` uses the initial phase as is.
            Training (train mode) never runs Griffin-Lim: its loss is on log-magnitudes.
        momentum (`float`, *optional*, defaults to 0.99):
            Momentum of fast Griffin-Lim (`librosa.griffinlim`'s default); `0` is the classic
            algorithm. In `[0, 1]`.
        phase_init (`str`, *optional*, defaults to `"replicate"`):
            Deterministic initial phase of the new band: `"replicate"` copies the phase of the
            input's low band upwards (bin `k` starts with the phase of bin `k mod num_low_bins`;
            for a factor of 2 this is a frequency-shifted copy of the low band, nearly a
            consistent spectrogram), `"zero"` starts at zero phase (`librosa.griffinlim`'s
            `init=None`). Either makes the output a deterministic, local function of the input.
        magnitude_floor (`float`, *optional*, defaults to 1e-5):
            Magnitudes are clamped at this value before the log.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            Fixed interpolation to the output rate before the STFT: `"sinc"` or `"cubic"`.
        preset (`str`, *optional*):
            Name of the preset these values came from, for reference only.
    """

    model_type = "audiosr-spectrogram"
    presets = SPECTROGRAM_PRESETS
    preset_label = "spectrogram"

    def __init__(
        self,
        input_sampling_rate: int = 8000,
        output_sampling_rate: int = 16000,
        n_fft: int = 512,
        hop_length: int = 128,
        context_frames: int = 3,
        hidden_size: int = 256,
        num_hidden_layers: int = 2,
        n_iter: int = 16,
        momentum: float = 0.99,
        phase_init: str = "replicate",
        magnitude_floor: float = 1e-5,
        interpolation: str = "sinc",
        preset: str | None = None,
        **kwargs,
    ):
        if input_sampling_rate <= 0 or output_sampling_rate <= 0:
            raise ValueError(
                f"sampling rates must be positive, got {input_sampling_rate} and {output_sampling_rate}"
            )
        if (
            output_sampling_rate % input_sampling_rate
            or output_sampling_rate < 2 * input_sampling_rate
        ):
            raise ValueError(
                "output_sampling_rate must be an integer multiple (at least 2) of "
                f"input_sampling_rate, got {output_sampling_rate} and {input_sampling_rate}"
            )
        if n_fft < 4 or n_fft % 2:
            raise ValueError(f"n_fft must be an even integer >= 4, got {n_fft}")
        if not 1 <= hop_length <= n_fft // 2:
            raise ValueError(
                f"hop_length must be in [1, n_fft // 2 = {n_fft // 2}], got {hop_length}"
            )
        if context_frames < 0:
            raise ValueError(f"context_frames must be >= 0, got {context_frames}")
        if hidden_size < 1 or num_hidden_layers < 1:
            raise ValueError(
                f"hidden_size and num_hidden_layers must be >= 1, got {hidden_size} and "
                f"{num_hidden_layers}"
            )
        if n_iter < 0:
            raise ValueError(f"n_iter must be >= 0, got {n_iter}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        if phase_init not in PHASE_INITS:
            raise ValueError(f"phase_init must be one of {PHASE_INITS}, got {phase_init!r}")
        if magnitude_floor <= 0:
            raise ValueError(f"magnitude_floor must be positive, got {magnitude_floor}")
        validate_interpolation(interpolation)
        self.input_sampling_rate = int(input_sampling_rate)
        self.output_sampling_rate = int(output_sampling_rate)
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.context_frames = int(context_frames)
        self.hidden_size = int(hidden_size)
        self.num_hidden_layers = int(num_hidden_layers)
        self.n_iter = int(n_iter)
        self.momentum = float(momentum)
        self.phase_init = phase_init
        self.magnitude_floor = float(magnitude_floor)
        self.interpolation = interpolation
        self.preset = preset
        super().__init__(**kwargs)

    @property
    def num_freq_bins(self) -> int:
        """Bins of the one-sided STFT, `n_fft // 2 + 1`."""
        return self.n_fft // 2 + 1

    @property
    def num_low_bins(self) -> int:
        """Bins strictly below the input Nyquist frequency (kept from the input)."""
        return math.ceil(self.n_fft / (2 * self.upsampling_factor))

    @property
    def num_high_bins(self) -> int:
        """Bins at or above the input Nyquist frequency (predicted)."""
        return self.num_freq_bins - self.num_low_bins

    @property
    def length_multiple(self) -> int:
        """Output-rate alignment that keeps chunked processing on the whole input's STFT frame grid.

        The model takes any length; the pipeline starts chunks on multiples of this so that their
        frames coincide with the frames of a whole-input pass.
        """
        return math.lcm(self.hop_length, self.upsampling_factor)

    @property
    def receptive_field(self) -> int:
        """Output-rate samples on either side that an output sample can depend on, at inference
        (eval mode, ``n_iter`` Griffin-Lim iterations): the interpolation's FIR half-width, the
        network's ``context_frames`` frames on each side, and the STFT round trips. Each
        Griffin-Lim iteration (inverse STFT, STFT) lets a frame see the frames within
        ``n_fft - 2`` samples, ``(n_fft - 2) // hop_length`` frames on each side, so
        ``n_iter`` iterations add that many frames ``n_iter`` times; the first STFT and the last
        inverse STFT add ``n_fft - 2`` samples. A finite bound, so chunks with this much context
        see everything their output depends on; but fast Griffin-Lim amplifies float rounding
        (where a bin's update nearly cancels, its phase is ill-defined), so chunked and
        whole-input output still differ by more than rounding (see the model's tests)."""
        frames = self.context_frames + self.n_iter * ((self.n_fft - 2) // self.hop_length)
        return (
            interpolation_receptive_field(self.interpolation, self.upsampling_factor)
            + stft_receptive_field(self.n_fft)
            + frames * self.hop_length
        )


__all__ = ["PHASE_INITS", "SPECTROGRAM_PRESETS", "SpectrogramSRConfig"]
