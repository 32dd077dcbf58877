"""BandNeXt: one model for any input band, amplitude and phase streams of ConvNeXt blocks over
STFT frames.

What it is (model-card text). BandNeXt is hf-audiosr's own bandwidth-extension architecture. It
takes audio already at its output rate (e.g. 48 kHz, resampled there first) whose real content
stops at a cut-off anywhere between ``min_input_bandwidth_hz`` and ``max_input_bandwidth_hz``
(2 kHz and 23.5 kHz at 48 kHz), is told that cut-off, and fills the band above it; below the
cut-off the output is the input. It borrows two ideas, with code of its own: from AP-BWE (Lu, Ai,
Du & Ling 2024, "Towards high-quality and efficient speech bandwidth extension with parallel
amplitude and phase prediction") parallel amplitude and phase streams of ConvNeXt blocks over
STFT frames that exchange information, the phase predicted as the angle of two outputs (so it
needs no unwrapping); from Vocos (Siuzdak 2023) ConvNeXt blocks over frames with an inverse-STFT
head, which keeps the cost per second of audio small (one network step per hop of 256 samples at
48 kHz) and makes the model CPU-fast.

How a forward pass goes:

1. STFT of the input (periodic Hann window of ``n_fft``, hop ``hop_length``, centred, zero-padded
   at the ends): log-magnitudes ``L = log(sqrt(|X|^2 + floor^2))`` and unit phasors
   ``X / sqrt(|X|^2 + floor^2)`` (the cosine and sine of the phase).
2. The cut-off ``c`` (Hz; given, or estimated, see below) is clamped to the model's range and
   turned into a per-bin weight ``w_k = clip((c / bin_hz - k) / crossover_bins, 0, 1)``: 1 for bins
   given by the input, 0 for bins to fill, a linear cross-over of ``crossover_bins`` below the
   cut-off. Every input feature is multiplied by ``w`` (what lies above the cut-off is never
   looked at), and ``w`` itself is projected into the amplitude stream.
3. Amplitude stream: ``L`` relative to the frame's level (the ``w``-weighted mean of ``L``), and
   ``w``, projected to ``hidden_size`` channels per frame. Phase stream: the masked cosines and
   sines, projected likewise. Each stream is ``num_blocks`` ConvNeXt blocks (depthwise convolution
   of ``kernel_size`` frames along time, LayerNorm, FiLM from a learned embedding of
   ``c / nyquist``, pointwise MLP, layer scale, residual); after every block each stream adds a
   linear projection of the other's state (the exchange).
4. Heads: the amplitude head predicts ``P = w L + (1 - w) level + delta`` (a residual on the
   input's log-magnitude where it is given, on the frame level above); the phase head predicts two
   numbers ``(r, i)`` per bin, the phase being ``atan2(i, r)``.
5. Output spectrum ``S = w X + (1 - w) exp(P) (r + j i) / |r + j i|``: below the cross-over it is
   the input's (magnitude and phase), above the cut-off the network's. Inverse STFT, cropped to
   the input's exact length.

Chunked processing equals whole-input processing for a given cut-off: every operation is local in
time (see ``config.receptive_field``). Without ``input_bandwidth_hz`` the model estimates the
cut-off from the input's long-term spectrum (:meth:`BandNeXtForAudioSuperResolution.estimate_bandwidth`),
which depends on the whole input: pass a measured cut-off (the pipeline does) for exact chunking.

Training: given ``labels`` the loss is the waveform mean squared error like every model's; with
``output_spectrum=True`` the output also carries the predicted spectrum, its log-magnitude and
phase, the band weight and the cut-off used, so a trainer can add amplitude, phase
(anti-wrapping), complex and consistency losses (:meth:`BandNeXtForAudioSuperResolution.stft`
gives the target's spectrum on the same frames).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import logging

from ...modeling_outputs import AudioSuperResolutionOutput
from ...modeling_utils import as_batch, check_labels
from .configuration_bandnext import BandNeXtConfig

logger = logging.get_logger(__name__)

# The new band starts about 20 dB (a factor 0.1 in magnitude) below the frame's mean log-magnitude
# over the given band: a quiet, flat extension that training moves from.
INITIAL_NEW_BAND_OFFSET = -2.302585
# Octaves of the sinusoidal features of the cut-off (c / nyquist in (0, 1]).
CUTOFF_FEATURE_OCTAVES = 6
# Floor of |r + j i|^2 when the phase head's two outputs are normalised to a unit phasor.
PHASOR_EPS = 1e-8


@dataclass
class BandNeXtOutput(AudioSuperResolutionOutput):
    """[`AudioSuperResolutionOutput`] with what training on the spectrum needs (only with
    `output_spectrum=True`; all `None` otherwise).

    Args:
        spectrum (`torch.ComplexTensor` of shape `(batch_size, n_fft // 2 + 1, frames)`):
            The spectrum whose inverse STFT is `audio_values` (the input's below the cut-off).
        log_magnitude (`torch.FloatTensor` of shape `(batch_size, n_fft // 2 + 1, frames)`):
            `log(sqrt(|spectrum|^2 + magnitude_floor^2))`, comparable with
            `model.log_magnitude(model.stft(labels))`.
        phase (`torch.FloatTensor` of shape `(batch_size, n_fft // 2 + 1, frames)`):
            `atan2` of the spectrum's imaginary and real parts, in `(-pi, pi]`.
        band_weight (`torch.FloatTensor` of shape `(batch_size, n_fft // 2 + 1)`):
            Per bin, how much of the output is the input's (1 below the cross-over, 0 from the
            cut-off up); `1 - band_weight` marks the band the network made.
        input_bandwidth_hz (`torch.FloatTensor` of shape `(batch_size,)`):
            The cut-off used (given or estimated, clamped to the model's range).
    """

    spectrum: torch.Tensor | None = None
    log_magnitude: torch.FloatTensor | None = None
    phase: torch.FloatTensor | None = None
    band_weight: torch.FloatTensor | None = None
    input_bandwidth_hz: torch.FloatTensor | None = None


class BandNeXtSTFT(nn.Module):
    """Centred, zero-padded STFT with a periodic Hann window, and its inverse. The window is a
    derived constant: a non-persistent buffer, refilled in ``_init_weights``."""

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
            window=self.window.to(device=signal.device, dtype=signal.dtype),
            center=True,
            pad_mode="constant",
            return_complex=True,
        )

    def inverse(self, spectrum: torch.Tensor, length: int) -> torch.Tensor:
        window = self.window.to(device=spectrum.device, dtype=spectrum.real.dtype)
        return torch.istft(
            spectrum, self.n_fft, self.hop_length, window=window, center=True, length=length
        )


class BandNeXtCutoffLinear(nn.Linear):
    """A layer of the cut-off embedding (a class of its own for ``_init_weights``, which only sees
    modules that hold parameters themselves)."""


class BandNeXtCutoffEmbedding(nn.Module):
    """``c / nyquist`` -> a learned embedding: the value and its sines and cosines at
    ``CUTOFF_FEATURE_OCTAVES`` octaves, through a two-layer MLP."""

    def __init__(self, embedding_size: int):
        super().__init__()
        features = 1 + 2 * CUTOFF_FEATURE_OCTAVES
        self.fc1 = BandNeXtCutoffLinear(features, embedding_size)
        self.fc2 = BandNeXtCutoffLinear(embedding_size, embedding_size)

    def forward(self, relative_cutoff: torch.Tensor) -> torch.Tensor:
        """``(batch,)`` in (0, 1] -> ``(batch, embedding_size)``."""
        scales = math.pi * 2.0 ** torch.arange(
            CUTOFF_FEATURE_OCTAVES, device=relative_cutoff.device, dtype=relative_cutoff.dtype
        )
        angles = relative_cutoff[:, None] * scales
        features = torch.cat([relative_cutoff[:, None], angles.sin(), angles.cos()], dim=-1)
        return F.gelu(self.fc2(F.gelu(self.fc1(features.to(self.fc1.weight.dtype)))))


class BandNeXtBlock(nn.Module):
    """ConvNeXt block over frames, ``(batch, frames, channels)`` -> same: depthwise convolution of
    ``kernel_size`` frames (zero-padded), LayerNorm without affine parameters, FiLM from the
    cut-off embedding (``x * (1 + scale) + shift``), pointwise MLP with GELU, layer scale,
    residual."""

    def __init__(self, config: BandNeXtConfig):
        super().__init__()
        channels = config.hidden_size
        self.depthwise = nn.Conv1d(
            channels,
            channels,
            config.kernel_size,
            padding=config.kernel_size // 2,
            groups=channels,
        )
        self.norm = nn.LayerNorm(channels, elementwise_affine=False, eps=1e-6)
        self.film = nn.Linear(config.cutoff_embedding_size, 2 * channels)
        self.pointwise_in = nn.Linear(channels, config.intermediate_size)
        self.pointwise_out = nn.Linear(config.intermediate_size, channels)
        self.layer_scale = nn.Parameter(torch.empty(channels))
        self.layer_scale_init = 1.0 / config.num_blocks

    def forward(self, hidden_states: torch.Tensor, cutoff_embedding: torch.Tensor) -> torch.Tensor:
        residual = hidden_states
        hidden_states = self.depthwise(hidden_states.transpose(1, 2)).transpose(1, 2)
        hidden_states = self.norm(hidden_states)
        scale, shift = self.film(cutoff_embedding)[:, None, :].chunk(2, dim=-1)
        hidden_states = hidden_states * (1 + scale) + shift
        hidden_states = self.pointwise_out(F.gelu(self.pointwise_in(hidden_states)))
        return residual + self.layer_scale * hidden_states


class BandNeXtAmplitudeHead(nn.Linear):
    """Channels -> one log-magnitude offset per bin (a class of its own for ``_init_weights``)."""


class BandNeXtPhaseHead(nn.Linear):
    """Channels -> two numbers per bin, ``(r, i)`` side by side (output ``2k`` and ``2k + 1`` for
    bin ``k``), whose angle is the phase."""


class BandNeXtNetwork(nn.Module):
    """The two streams, their exchanges and heads (see the module docstring)."""

    def __init__(self, config: BandNeXtConfig):
        super().__init__()
        bins, channels = config.num_freq_bins, config.hidden_size
        self.cutoff_embedding = BandNeXtCutoffEmbedding(config.cutoff_embedding_size)
        self.amplitude_in = nn.Linear(bins, channels)
        self.band_in = nn.Linear(bins, channels, bias=False)
        self.phase_in = nn.Linear(2 * bins, channels)
        self.amplitude_blocks = nn.ModuleList(
            BandNeXtBlock(config) for _ in range(config.num_blocks)
        )
        self.phase_blocks = nn.ModuleList(BandNeXtBlock(config) for _ in range(config.num_blocks))
        self.phase_to_amplitude = nn.ModuleList(
            nn.Linear(channels, channels) for _ in range(config.num_blocks)
        )
        self.amplitude_to_phase = nn.ModuleList(
            nn.Linear(channels, channels) for _ in range(config.num_blocks)
        )
        self.amplitude_norm = nn.LayerNorm(channels, eps=1e-6)
        self.phase_norm = nn.LayerNorm(channels, eps=1e-6)
        self.amplitude_head = BandNeXtAmplitudeHead(channels, bins)
        self.phase_head = BandNeXtPhaseHead(channels, 2 * bins)

    def forward(
        self,
        relative_log_magnitude: torch.Tensor,
        phasor: torch.Tensor,
        band_weight: torch.Tensor,
        relative_cutoff: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Masked features ``(batch, frames, bins)`` (``phasor``: ``(batch, frames, 2 * bins)``,
        the real and imaginary parts of each bin's unit phasor side by side), ``band_weight``
        ``(batch, bins)``, ``relative_cutoff`` ``(batch,)`` -> the log-magnitude offsets
        ``(batch, frames, bins)`` and the phase head's two outputs ``(r, i)`` per bin,
        ``(batch, frames, bins, 2)``."""
        embedding = self.cutoff_embedding(relative_cutoff)
        amplitude = self.amplitude_in(relative_log_magnitude) + self.band_in(band_weight)[:, None]
        phase = self.phase_in(phasor)
        for amp_block, pha_block, p2a, a2p in zip(
            self.amplitude_blocks,
            self.phase_blocks,
            self.phase_to_amplitude,
            self.amplitude_to_phase,
        ):
            amplitude = amp_block(amplitude, embedding)
            phase = pha_block(phase, embedding)
            amplitude, phase = amplitude + p2a(phase), phase + a2p(amplitude)
        offset = self.amplitude_head(self.amplitude_norm(amplitude))
        parts = self.phase_head(self.phase_norm(phase)).unflatten(-1, (-1, 2))
        return offset, parts


class BandNeXtPreTrainedModel(PreTrainedModel):
    config_class = BandNeXtConfig
    config: BandNeXtConfig
    base_model_prefix = "bandnext"
    main_input_name = "input_values"
    supports_gradient_checkpointing = False

    def _init_weights(self, module: nn.Module) -> None:
        """Truncated-normal (std 0.02) linear and convolution weights, zero biases (ConvNeXt's);
        layer scale ``1 / num_blocks``; a small amplitude head whose bias starts the new band
        ``INITIAL_NEW_BAND_OFFSET`` below the given band's level."""
        if isinstance(module, BandNeXtSTFT):
            init.copy_(module.window, module.compute_window())
        elif isinstance(module, BandNeXtAmplitudeHead):
            init.normal_(module.weight, std=1e-3)
            init.constant_(module.bias, INITIAL_NEW_BAND_OFFSET)
        elif isinstance(module, BandNeXtCutoffLinear):
            # unit-scale layers, so that the embedding varies with the cut-off from the start
            init.xavier_normal_(module.weight)
            init.zeros_(module.bias)
        elif isinstance(module, BandNeXtBlock):
            init.constant_(module.layer_scale, module.layer_scale_init)
        elif isinstance(module, (nn.Linear, nn.Conv1d)):
            init.trunc_normal_(module.weight, std=0.02)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm) and module.weight is not None:
            init.ones_(module.weight)
            init.zeros_(module.bias)


class BandNeXtForAudioSuperResolution(BandNeXtPreTrainedModel):
    """BandNeXt: ``input_values`` ``(batch, time)`` at ``config.sampling_rate``, real content up
    to ``input_bandwidth_hz`` -> ``audio_values`` ``(batch, time)``, the band above filled."""

    def __init__(self, config: BandNeXtConfig):
        super().__init__(config)
        self.stft = BandNeXtSTFT(config.n_fft, config.hop_length)
        self.network = BandNeXtNetwork(config)
        self.post_init()

    # ------------------------------------------------------------------ spectral helpers
    def log_magnitude(self, spectrum: torch.Tensor) -> torch.Tensor:
        """``log(sqrt(|X|^2 + magnitude_floor^2))`` of a complex spectrum (smooth at 0)."""
        power = spectrum.real.square() + spectrum.imag.square()
        return 0.5 * torch.log(power + self.config.magnitude_floor**2)

    def band_weight(self, cutoff_hz: torch.Tensor) -> torch.Tensor:
        """``(batch,)`` cut-offs (Hz) -> ``(batch, bins)`` weights of the input: 1 at least
        ``crossover_bins`` below the cut-off, falling linearly to 0 at the cut-off."""
        config = self.config
        bins = torch.arange(config.num_freq_bins, device=cutoff_hz.device, dtype=cutoff_hz.dtype)
        position = cutoff_hz[:, None] / config.bin_hz
        return ((position - bins) / config.crossover_bins).clamp(0.0, 1.0)

    def interior_frames(self, frames: int, length: int) -> slice:
        """The frames whose window lies inside the signal (not on the zero padding of the
        centred STFT, where an abrupt start or end of the signal is a broadband step)."""
        half = self.config.n_fft // 2
        hop = self.config.hop_length
        first = -(-half // hop)  # ceil: m * hop - half >= 0
        last = (length - half) // hop  # m * hop + half <= length
        return slice(first, min(frames, last + 1))

    @torch.no_grad()
    def estimate_bandwidth(self, spectrum: torch.Tensor, length: int) -> torch.Tensor:
        """The fallback cut-off (Hz, ``(batch,)``, not yet clamped) when none is given, from the
        STFT ``spectrum`` of a signal of ``length`` samples.

        From each example's long-term power spectrum (the mean of ``|X|^2`` over the frames that
        lie inside the signal, or over all frames of a signal shorter than one): the
        top edge, ``(k + 1) * bin_hz``, of the highest bin ``k`` whose power is within
        ``config.fallback_threshold_db`` of the loudest bin's. Clean low-pass input (resampled,
        brick-wall, codec) has nothing within 60 dB above its cut-off, so this lands on it, up to
        the Hann window's side lobes: measured 6 bins above a brick wall under white noise (a
        wall under a band that is quieter near the wall, as speech, reads closer); silence and
        full-band input give the Nyquist frequency. A simple stand-in for a real measurement
        (``hf_audiosr.estimate_bandwidth``): a natural spectrum that falls 60 dB before Nyquist
        reads as band-limited there.
        """
        power = spectrum.real.square() + spectrum.imag.square()
        interior = self.interior_frames(power.shape[-1], length)
        if interior.stop > interior.start:
            power = power[..., interior]
        power = power.mean(dim=-1)
        level_db = 10.0 * torch.log10(power + torch.finfo(power.dtype).tiny)
        present = (
            level_db >= level_db.amax(dim=-1, keepdim=True) - self.config.fallback_threshold_db
        )
        bins = present.shape[-1]
        highest = bins - 1 - present.flip(-1).to(torch.int8).argmax(dim=-1)
        return (highest + 1).to(power.dtype) * self.config.bin_hz

    def resolve_bandwidth(
        self,
        input_bandwidth_hz: torch.Tensor | float | None,
        spectrum: torch.Tensor,
        length: int,
    ) -> torch.Tensor:
        """The cut-off of every example, ``(batch,)`` in the spectrum's real dtype, clamped to
        ``[min_input_bandwidth_hz, max_input_bandwidth_hz]``."""
        config = self.config
        batch = spectrum.shape[0]
        dtype = spectrum.real.dtype
        if input_bandwidth_hz is None:
            cutoff = self.estimate_bandwidth(spectrum, length)
        else:
            if isinstance(input_bandwidth_hz, bool) or not isinstance(
                input_bandwidth_hz, (numbers.Real, torch.Tensor)
            ):
                raise ValueError(
                    "input_bandwidth_hz must be a float, a tensor of shape (batch,) or None, got "
                    f"{type(input_bandwidth_hz).__name__}"
                )
            cutoff = torch.as_tensor(input_bandwidth_hz, device=spectrum.device).detach()
            cutoff = cutoff.to(dtype)
            if cutoff.dim() == 0:
                cutoff = cutoff.expand(batch)
            if cutoff.shape != (batch,):
                raise ValueError(
                    f"input_bandwidth_hz must be a float or have shape ({batch},) (one cut-off "
                    f"per example), got shape {tuple(cutoff.shape)}"
                )
            if not (torch.isfinite(cutoff).all() and (cutoff > 0).all()):
                raise ValueError(f"input_bandwidth_hz must be positive and finite, got {cutoff}")
            if (cutoff < config.min_input_bandwidth_hz).any():
                logger.warning_once(
                    "input_bandwidth_hz below the model's min_input_bandwidth_hz (%g Hz) is "
                    "raised to it: the model fills the band above it only",
                    config.min_input_bandwidth_hz,
                )
        return cutoff.clamp(config.min_input_bandwidth_hz, config.max_input_bandwidth_hz)

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        input_values: torch.Tensor,
        input_bandwidth_hz: torch.Tensor | float | None = None,
        labels: torch.Tensor | None = None,
        output_interpolated: bool = False,
        output_spectrum: bool = False,
        return_dict: bool | None = None,
        **kwargs,
    ) -> BandNeXtOutput | tuple:
        r"""
        Args:
            input_values (`torch.FloatTensor` of shape `(batch_size, sequence_length)`):
                Waveform at `config.sampling_rate` (resampled there already), real content only
                up to its cut-off. Any length works; the output has the same length.
            input_bandwidth_hz (`torch.FloatTensor` of shape `(batch_size,)` or `float`, *optional*):
                The input's cut-off (Hz), one per example or one for all; clamped to
                `[config.min_input_bandwidth_hz, config.max_input_bandwidth_hz]`. When not
                given it is estimated from each example's long-term spectrum
                ([`~BandNeXtForAudioSuperResolution.estimate_bandwidth`]).
            labels (`torch.FloatTensor` of shape `(batch_size, sequence_length)`, *optional*):
                Full-band target; when given, `loss` is the mean squared error of
                `audio_values`.
            output_interpolated (`bool`, *optional*):
                Also return `interpolated_values`: the input itself (the interpolation to the
                output rate is the identity at a factor of 1).
            output_spectrum (`bool`, *optional*):
                Also return `spectrum`, `log_magnitude`, `phase`, `band_weight` and
                `input_bandwidth_hz` (see [`BandNeXtOutput`]) for spectral training losses.
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        input_values = as_batch(input_values)
        dtype = input_values.dtype
        compute_dtype = torch.float64 if dtype == torch.float64 else torch.float32
        length = input_values.shape[-1]
        weight_dtype = self.network.amplitude_in.weight.dtype
        floor_sq = self.config.magnitude_floor**2
        with torch.autocast(device_type=input_values.device.type, enabled=False):
            spectrum = self.stft(input_values.to(compute_dtype))  # (batch, bins, frames)
            cutoff = self.resolve_bandwidth(input_bandwidth_hz, spectrum, length)
            band = self.band_weight(cutoff)  # (batch, bins)
            # frame-major from here on: (batch, frames, bins, re/im), what the linear layers take
            parts = torch.view_as_real(spectrum.transpose(1, 2)).contiguous()
            inverse_magnitude = torch.rsqrt(parts.square().sum(dim=-1) + floor_sq)
            log_magnitude = -torch.log(inverse_magnitude)  # log(sqrt(|X|^2 + floor^2))
            band_t = band[:, None, :]  # (batch, 1, bins)
            level = (log_magnitude @ band[:, :, None]) / band_t.sum(dim=-1, keepdim=True)
            relative = band_t * (log_magnitude - level)
            phasor = parts * (band_t * inverse_magnitude)[..., None]
        offset, predicted_parts = self.network(
            relative.to(weight_dtype),
            phasor.flatten(2).to(weight_dtype),
            band.to(weight_dtype),
            (cutoff / (self.config.sampling_rate / 2)).to(weight_dtype),
        )
        with torch.autocast(device_type=input_values.device.type, enabled=False):
            offset = offset.to(compute_dtype)
            predicted_parts = predicted_parts.to(compute_dtype)
            predicted_log_magnitude = band_t * log_magnitude + (1 - band_t) * level + offset
            scale = predicted_log_magnitude.exp() * torch.rsqrt(
                predicted_parts.square().sum(dim=-1) + PHASOR_EPS
            )
            output_parts = (
                band_t[..., None] * parts + ((1 - band_t) * scale)[..., None] * predicted_parts
            )
            output_spectrum_values = torch.view_as_complex(output_parts).transpose(1, 2)
            audio_values = self.stft.inverse(output_spectrum_values, length)
            loss = None
            if labels is not None:
                labels = check_labels(labels, audio_values)
                loss = F.mse_loss(audio_values.float(), labels.float())
        extras = {}
        if output_spectrum:
            extras = {
                "spectrum": output_spectrum_values,
                "log_magnitude": self.log_magnitude(output_spectrum_values),
                "phase": torch.atan2(output_spectrum_values.imag, output_spectrum_values.real),
                "band_weight": band,
                "input_bandwidth_hz": cutoff,
            }
        output = BandNeXtOutput(
            loss=loss,
            audio_values=audio_values.to(dtype),
            interpolated_values=input_values if output_interpolated else None,
            **extras,
        )
        return output if return_dict else output.to_tuple()


__all__ = [
    "BandNeXtAmplitudeHead",
    "BandNeXtBlock",
    "BandNeXtCutoffEmbedding",
    "BandNeXtCutoffLinear",
    "BandNeXtForAudioSuperResolution",
    "BandNeXtNetwork",
    "BandNeXtOutput",
    "BandNeXtPhaseHead",
    "BandNeXtPreTrainedModel",
    "BandNeXtSTFT",
]
