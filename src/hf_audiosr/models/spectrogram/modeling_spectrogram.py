"""Spectrogram baseline: predict the missing band's log-magnitudes, estimate its phase with Griffin-Lim.

``input_values`` (input rate) -> fixed interpolation to the output rate (:class:`AudioSRInterpolation`)
-> STFT -> a per-frame network (a fully connected network over a window of frames, written as
convolutions over time) maps the log-magnitudes of the bins below the input Nyquist frequency to
those of the bins above it -> the low band is kept exactly as the input's (magnitude *and* phase),
the high band's phase starts from a deterministic guess and is refined by fast Griffin-Lim (in eval
mode) -> inverse STFT, cropped to exactly ``factor x`` the input length.

Training does not run Griffin-Lim: given ``labels``, the model returns as ``loss`` the L1 distance
between predicted and true high-band log-magnitudes (phase plays no part), and in train mode its
``audio_values`` are a cheap inverse STFT with the initial phase. The trainer sees
``trains_on_own_loss = True`` and optimises ``loss`` instead of its waveform losses.
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
    as_batch,
    check_labels,
    super_resolution_output,
)
from .configuration_spectrogram import SpectrogramSRConfig

# The new band starts about 20 dB (a factor of 0.1 in magnitude) below the frame's mean low-band
# log-magnitude: a quiet, flat extension that training moves from.
INITIAL_HIGH_BAND_OFFSET = -2.302585


def griffin_lim(
    magnitude: torch.Tensor,
    n_fft: int,
    hop_length: int,
    window: torch.Tensor,
    n_iter: int = 32,
    momentum: float = 0.99,
    angles: torch.Tensor | None = None,
    length: int | None = None,
    low_band: torch.Tensor | None = None,
) -> torch.Tensor:
    """Fast Griffin-Lim (Perraudin, Balazs & Sondergaard 2013) in torch, as ``librosa.griffinlim``.

    Each iteration takes the inverse STFT of ``magnitude * angles``, its STFT ``rebuilt``, and sets
    ``angles = phase(rebuilt - momentum / (1 + momentum) * rebuilt_prev)``; the result is the
    inverse STFT of the last estimate. STFTs are centred with zero (``"constant"``) padding and a
    window of length ``n_fft``, librosa's defaults, so with ``angles=None`` (zero phase, librosa's
    ``init=None``) this computes what ``librosa.griffinlim(..., init=None)`` does.

    Args:
        magnitude: ``(..., n_fft // 2 + 1, frames)`` target magnitudes.
        n_fft, hop_length, window: The STFT (``window`` has ``n_fft`` samples).
        n_iter: Iterations (``0`` returns the inverse STFT with the initial phase).
        momentum: ``0`` gives the classic algorithm; librosa's default is 0.99.
        angles: Initial unit-modulus complex phase factors, same shape as ``magnitude``
            (``None``: ones).
        length: Samples of the returned signal (``None``: what the frames span).
        low_band: ``(..., K, frames)`` complex spectrum imposed on bins ``[0, K)`` at every
            iteration (magnitude and phase known there); only bins ``>= K`` are estimated.

    Returns:
        ``(..., length)`` real signal in the magnitude's precision.
    """
    known = 0 if low_band is None else low_band.shape[-2]
    magnitude = magnitude[..., known:, :]
    if angles is None:
        angles = torch.ones_like(
            magnitude, dtype=torch.promote_types(magnitude.dtype, torch.complex64)
        )
    else:
        angles = angles[..., known:, :]
    eps = torch.finfo(magnitude.dtype).tiny
    window = window.to(device=magnitude.device, dtype=magnitude.dtype)
    lead = magnitude.shape[:-2]

    def spectrum(phase: torch.Tensor) -> torch.Tensor:
        spec = magnitude * phase
        return spec if low_band is None else torch.cat([low_band, spec], dim=-2)

    def istft(spec: torch.Tensor) -> torch.Tensor:
        flat = spec.reshape(-1, *spec.shape[-2:])
        out = torch.istft(flat, n_fft, hop_length, window=window, center=True, length=length)
        return out.reshape(*lead, out.shape[-1])

    def stft(signal: torch.Tensor) -> torch.Tensor:
        flat = signal.reshape(-1, signal.shape[-1])
        spec = torch.stft(
            flat,
            n_fft,
            hop_length,
            window=window,
            center=True,
            pad_mode="constant",
            return_complex=True,
        )
        return spec.reshape(*lead, *spec.shape[-2:])

    previous = None
    for _ in range(n_iter):
        rebuilt = stft(istft(spectrum(angles)))[..., known:, :]
        update = rebuilt
        if momentum and previous is not None:
            update = rebuilt - (momentum / (1 + momentum)) * previous
        previous = rebuilt
        angles = update / (update.abs() + eps)
    return istft(spectrum(angles))


class SpectrogramSRSTFT(nn.Module):
    """The model's STFT and inverse STFT at the output rate (centred, zero-padded, periodic Hann).

    The window is a derived constant: a non-persistent buffer, refilled in ``_init_weights``.
    """

    def __init__(self, n_fft: int, hop_length: int):
        super().__init__()
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.register_buffer("window", self.compute_window(), persistent=False)

    def compute_window(self) -> torch.Tensor:
        return torch.hann_window(self.n_fft, periodic=True, dtype=torch.float32)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """``(batch, time)`` -> complex ``(batch, n_fft // 2 + 1, 1 + time // hop_length)``."""
        return torch.stft(
            signal,
            self.n_fft,
            self.hop_length,
            window=self.window.to(signal.dtype),
            center=True,
            pad_mode="constant",
            return_complex=True,
        )

    def inverse(self, spectrum: torch.Tensor, length: int) -> torch.Tensor:
        window = self.window.to(spectrum.real.dtype)
        return torch.istft(
            spectrum, self.n_fft, self.hop_length, window=window, center=True, length=length
        )


class SpectrogramSRHighBandHead(nn.Conv1d):
    """The network's last ``1 x 1`` convolution (a class of its own so ``_init_weights`` can tell it
    apart: ``_init_weights`` only ever sees one module at a time, children before parents, and a
    module without parameters of its own is never passed to it)."""


class SpectrogramSRNetwork(nn.Module):
    """Per-frame network: relative low-band log-magnitudes of ``2 * context + 1`` frames -> the
    centre frame's high-band log-magnitudes relative to its mean low-band log-magnitude.

    A fully connected network over a window of frames, written as a ``Conv1d`` over time (kernel
    ``2 * context + 1``, zero-padded at the ends) followed by ``1 x 1`` convolutions.
    """

    def __init__(self, config: SpectrogramSRConfig):
        super().__init__()
        kernel = 2 * config.context_frames + 1
        self.input_proj = nn.Conv1d(
            config.num_low_bins, config.hidden_size, kernel, padding=config.context_frames
        )
        self.hidden_layers = nn.ModuleList(
            nn.Conv1d(config.hidden_size, config.hidden_size, 1)
            for _ in range(config.num_hidden_layers - 1)
        )
        self.output_proj = SpectrogramSRHighBandHead(config.hidden_size, config.num_high_bins, 1)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden_states = F.relu(self.input_proj(hidden_states))
        for layer in self.hidden_layers:
            hidden_states = F.relu(layer(hidden_states))
        return self.output_proj(hidden_states)


class SpectrogramSRPreTrainedModel(PreTrainedModel):
    config_class = SpectrogramSRConfig
    config: SpectrogramSRConfig
    base_model_prefix = "spectrogram"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, AudioSRInterpolation):
            init.copy_(module.taps, module.compute_taps())
        elif isinstance(module, SpectrogramSRSTFT):
            init.copy_(module.window, module.compute_window())
        elif isinstance(module, SpectrogramSRHighBandHead):
            # Start near a flat extension INITIAL_HIGH_BAND_OFFSET below the low band's level.
            init.normal_(module.weight, std=1e-3)
            init.constant_(module.bias, INITIAL_HIGH_BAND_OFFSET)
        elif isinstance(module, nn.Conv1d):
            init.kaiming_normal_(module.weight, nonlinearity="relu")
            init.zeros_(module.bias)


class SpectrogramSRForAudioSuperResolution(SpectrogramSRPreTrainedModel):
    """Spectrogram baseline: ``input_values`` ``(batch, time)`` -> ``audio_values`` ``(batch, factor*time)``."""

    # The trainer optimises `loss` (high-band log-magnitude L1) instead of waveform losses.
    trains_on_own_loss = True

    def __init__(self, config: SpectrogramSRConfig):
        super().__init__(config)
        self.interpolation = AudioSRInterpolation(config.upsampling_factor, config.interpolation)
        self.stft = SpectrogramSRSTFT(config.n_fft, config.hop_length)
        self.network = SpectrogramSRNetwork(config)
        self.post_init()

    def log_magnitude(self, magnitude: torch.Tensor) -> torch.Tensor:
        return magnitude.clamp(min=self.config.magnitude_floor).log()

    def predict_high_band(self, low_log_magnitude: torch.Tensor) -> torch.Tensor:
        """``(batch, num_low_bins, frames)`` log-magnitudes -> ``(batch, num_high_bins, frames)``.

        The network sees each frame relative to its mean (so a gain change of the input shifts
        the prediction by the same amount in the log domain) and predicts relative to it too.
        """
        level = low_log_magnitude.mean(dim=1, keepdim=True)
        weight_dtype = self.network.output_proj.weight.dtype
        relative = self.network((low_log_magnitude - level).to(weight_dtype))
        return level + relative.to(level.dtype)

    def initial_phase(self, low_band: torch.Tensor) -> torch.Tensor:
        """Unit-modulus phase factors ``(batch, num_high_bins, frames)`` Griffin-Lim starts from.

        ``"replicate"``: bin ``k`` takes the phase of low bin ``k mod num_low_bins``, except where
        that is the DC bin, whose value is real (its phase is 0 or pi, flipped by any rounding
        when it is near zero): those start at zero phase, like every bin with ``"zero"``.
        """
        num_low, num_high = self.config.num_low_bins, self.config.num_high_bins
        ones = torch.ones(
            low_band.shape[0],
            num_high,
            low_band.shape[-1],
            dtype=low_band.dtype,
            device=low_band.device,
        )
        if self.config.phase_init == "zero":
            return ones
        source = torch.arange(num_low, num_low + num_high, device=low_band.device) % num_low
        replicated = torch.polar(ones.real, low_band[:, source].angle())
        return torch.where((source == 0)[None, :, None], ones, replicated)

    def forward(
        self,
        input_values: torch.Tensor,
        labels: torch.Tensor | None = None,
        output_interpolated: bool = False,
        n_iter: int | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> AudioSuperResolutionOutput | tuple:
        r"""
        Args:
            input_values (`torch.FloatTensor` of shape `(batch_size, sequence_length)`):
                Low-resolution waveform at `config.input_sampling_rate`. Any length works.
            labels (`torch.FloatTensor` of shape `(batch_size, factor * sequence_length)`, *optional*):
                High-resolution target; when given, `loss` is the mean absolute difference between
                the predicted and the target's natural-log magnitudes over the high band (bins at
                or above the input Nyquist frequency, magnitudes floored at
                `config.magnitude_floor`). No Griffin-Lim is involved.
            output_interpolated (`bool`, *optional*):
                Also return the fixed interpolation the low band is taken from.
            n_iter (`int`, *optional*):
                Griffin-Lim iterations for this call (default `config.n_iter` in eval mode and `0`
                in train mode).
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        input_values = as_batch(input_values)
        dtype = input_values.dtype
        compute_dtype = torch.float64 if dtype == torch.float64 else torch.float32
        interpolated = self.interpolation(input_values)
        length = interpolated.shape[-1]
        with torch.autocast(device_type=interpolated.device.type, enabled=False):
            spectrum = self.stft(interpolated.to(compute_dtype))
            num_low = self.config.num_low_bins
            low_band = spectrum[:, :num_low]
            high_log_magnitude = self.predict_high_band(self.log_magnitude(low_band.abs()))
            high_magnitude = high_log_magnitude.exp()
            angles = self.initial_phase(low_band)
            if n_iter is None:
                n_iter = 0 if self.training else self.config.n_iter
            magnitude = torch.cat([low_band.abs(), high_magnitude], dim=1)
            full_angles = torch.cat([torch.ones_like(low_band), angles], dim=1)
            audio_values = griffin_lim(
                magnitude,
                self.stft.n_fft,
                self.stft.hop_length,
                self.stft.window,
                n_iter=n_iter,
                momentum=self.config.momentum,
                angles=full_angles,
                length=length,
                low_band=low_band,
            )

            loss = None
            if labels is not None:
                labels = check_labels(labels, audio_values)
                target = self.log_magnitude(self.stft(labels.to(compute_dtype))[:, num_low:].abs())
                loss = (high_log_magnitude - target).abs().mean()
        return super_resolution_output(
            audio_values.to(dtype),
            loss=loss,
            interpolated_values=interpolated if output_interpolated else None,
            return_dict=return_dict,
        )


__all__ = [
    "SpectrogramSRForAudioSuperResolution",
    "SpectrogramSRPreTrainedModel",
    "griffin_lim",
]
