"""Keep the input's own band: below the input's cut-off the output *is* the input.

A model predicts the whole spectrum, the band the input already had included, and its version
of that band is never better than the original (NVSR and AudioSR call replacing it back the
"low-band replacement"). :func:`replace_low_band` puts the input back under its measured cut-off
with a smooth cross-over: ``output + h * (input - output)``, where ``h`` is a zero-phase
(linear-phase, delay-compensated) low-pass FIR of unit gain up to ``cutoff - width`` and zero from
``cutoff`` up. It is a fixed weight on every frequency bin, the same in every frame, as an STFT
mask would be, but exact at any length and with no frame edges: below the cross-over the result
is the input sample for sample (its phase included), above the cut-off it is the model's output,
and between the two a cosine-like blend of both.

:class:`LowBandReplacer` does the same block by block for files of any length (the CLI); it
gives the same samples as the whole-array function, up to float rounding.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.signal

# Cross-over width: this fraction of the cut-off, within these bounds (Hz).
WIDTH_FRACTION = 0.08
MIN_WIDTH_HZ, MAX_WIDTH_HZ = 200.0, 500.0
# Stop-band attenuation of the cross-over filter (dB): its pass-band ripple is 10^(-70/20).
ATTENUATION_DB = 70.0
# A cut-off this close to Nyquist keeps the whole input: there is nothing for the model to add.
FULL_BAND_FRACTION = 0.995
# The resampler (soxr "HQ") keeps an input's band flat up to about 92 % of its Nyquist and is 3 dB
# down at 95 %: the input is kept up to there at most, the model fills the resampler's roll-off.
RESAMPLER_PASSBAND = 0.95


def crossover_width_hz(cutoff_hz: float) -> float:
    """The default cross-over width for ``cutoff_hz``: 8 % of it, between 200 and 500 Hz."""
    return float(min(MAX_WIDTH_HZ, max(MIN_WIDTH_HZ, WIDTH_FRACTION * cutoff_hz)))


def _lowpass(cutoff_hz: float, sampling_rate: int, width_hz: float) -> np.ndarray:
    """Odd-length Kaiser-windowed low-pass: unit gain to ``cutoff - width``, -70 dB from
    ``cutoff``."""
    numtaps, beta = scipy.signal.kaiserord(ATTENUATION_DB, width_hz / (sampling_rate / 2))
    numtaps |= 1  # odd: a whole-sample delay, so "same" convolution is zero-phase
    return scipy.signal.firwin(
        numtaps, cutoff_hz - width_hz / 2, window=("kaiser", beta), fs=sampling_rate
    )


def crossover_filter(
    cutoff_hz: float,
    sampling_rate: int,
    width_hz: float | None = None,
    low_cutoff_hz: float = 0.0,
) -> np.ndarray | None:
    """The odd-length, symmetric FIR of the cross-over at ``sampling_rate``: unit gain up to
    ``cutoff_hz - width_hz``, ``-70 dB`` from ``cutoff_hz`` up. With ``low_cutoff_hz`` (a
    band-pass input, e.g. a telephone call with nothing below 300 Hz) also ``-70 dB`` below it
    and unit gain from a cross-over above it, so the model fills the missing low band as well.
    ``None`` when the input is kept whole (cut-off at Nyquist, no low cut-off)."""
    nyquist = sampling_rate / 2
    if not cutoff_hz > 0:
        raise ValueError(f"cutoff_hz must be positive, got {cutoff_hz}")
    low = float(low_cutoff_hz or 0.0)
    if low < 0 or low >= cutoff_hz:
        raise ValueError(f"low_cutoff_hz must be in [0, cutoff_hz), got {low_cutoff_hz}")
    top = None
    if cutoff_hz < FULL_BAND_FRACTION * nyquist:
        width = crossover_width_hz(cutoff_hz) if width_hz is None else float(width_hz)
        width = min(width, 0.5 * cutoff_hz)
        if width <= 0:
            raise ValueError(f"width_hz must be positive, got {width_hz}")
        top = _lowpass(cutoff_hz, sampling_rate, width)
    if low <= 0:
        return top
    low_width = min(crossover_width_hz(low), 0.5 * (cutoff_hz - low))
    below = _lowpass(low + low_width, sampling_rate, low_width)  # 0 dB below low, -70 dB above
    if top is None:
        top = np.zeros(1)
        top[0] = 1.0  # the identity: everything up to Nyquist
    n = max(len(top), len(below))
    h = np.zeros(n)
    h[(n - len(top)) // 2 : (n + len(top)) // 2] += top
    h[(n - len(below)) // 2 : (n + len(below)) // 2] -= below
    return h


def _fit_length(x: np.ndarray, length: int) -> np.ndarray:
    if x.shape[-1] >= length:
        return x[..., :length]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, length - x.shape[-1])]
    return np.pad(x, pad)


def replace_low_band(
    output: np.ndarray,
    reference: np.ndarray,
    cutoff_hz: float,
    sampling_rate: int,
    width_hz: float | None = None,
    low_cutoff_hz: float = 0.0,
) -> np.ndarray:
    """``output`` with its band below ``cutoff_hz`` (and above ``low_cutoff_hz``) replaced by
    ``reference``'s.

    Both are ``(..., time)`` at ``sampling_rate`` (the input already resampled to the output's
    rate); ``reference`` is cropped or zero-padded to ``output``'s length. Returns float64.
    """
    output = np.asarray(output, dtype=np.float64)
    reference = _fit_length(np.asarray(reference, dtype=np.float64), output.shape[-1])
    h = crossover_filter(cutoff_hz, sampling_rate, width_hz, low_cutoff_hz)
    if h is None:
        return reference.copy()
    if output.shape[-1] == 0:
        return output.copy()
    taps = h.reshape((1,) * (output.ndim - 1) + (-1,))
    low = scipy.signal.oaconvolve(reference - output, taps, mode="full", axes=-1)
    half = (len(h) - 1) // 2
    return output + low[..., half : half + output.shape[-1]]


class LowBandReplacer:
    """:func:`replace_low_band` over a stream of blocks.

    ``feed(output_block, reference_block)`` takes the next samples of both (``(channels, n)``,
    equal lengths) and returns the finished samples so far; ``flush()`` returns the rest. The
    output lags the input by half the filter length; the samples, all blocks joined, are those of
    :func:`replace_low_band` on the whole signals.
    """

    def __init__(
        self,
        cutoff_hz: float,
        sampling_rate: int,
        channels: int,
        width_hz: float | None = None,
        low_cutoff_hz: float = 0.0,
    ):
        self.taps = crossover_filter(cutoff_hz, sampling_rate, width_hz, low_cutoff_hz)
        self.channels = channels
        self.half = 0 if self.taps is None else (len(self.taps) - 1) // 2
        # diff = reference - output over [emitted - half, fed), zeros before the start
        self._diff = np.zeros((channels, self.half))
        self._pending = np.zeros((channels, 0))  # output samples fed but not yet emitted

    def _check(self, block: np.ndarray) -> np.ndarray:
        block = np.asarray(block, dtype=np.float64)
        if block.ndim == 1:
            block = block[None]
        if block.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {block.shape[0]}")
        return block

    def _emit(self, diff_tail: np.ndarray) -> np.ndarray:
        buf = np.concatenate([self._diff, diff_tail], axis=1)
        count = buf.shape[1] - 2 * self.half
        if count <= 0:
            self._diff = buf
            return np.zeros((self.channels, 0))
        low = scipy.signal.oaconvolve(buf, self.taps[None], mode="valid", axes=-1)
        out = self._pending[:, :count] + low
        self._pending = self._pending[:, count:]
        self._diff = buf[:, count:]
        return out

    def feed(self, output_block: np.ndarray, reference_block: np.ndarray) -> np.ndarray:
        output_block = self._check(output_block)
        reference_block = self._check(reference_block)
        if output_block.shape != reference_block.shape:
            raise ValueError(
                f"output and reference blocks differ in shape: {output_block.shape} and "
                f"{reference_block.shape}"
            )
        if self.taps is None:
            return reference_block
        self._pending = np.concatenate([self._pending, output_block], axis=1)
        return self._emit(reference_block - output_block)

    def flush(self) -> np.ndarray:
        if self.taps is None or self._pending.shape[1] == 0:
            return np.zeros((self.channels, 0))
        return self._emit(np.zeros((self.channels, self.half)))


def preserved_cutoff_hz(estimate, sampling_rate: int, output_sampling_rate: int) -> float:
    """The frequency below which an input at ``sampling_rate`` is kept in output at
    ``output_sampling_rate``: its measured cut-off (``estimate.cutoff_hz``; None: full band). When
    the input has to be resampled up, at most :data:`RESAMPLER_PASSBAND` of its Nyquist, where the
    resampler starts to attenuate it (the model fills that roll-off)."""
    nyquist = sampling_rate / 2
    cutoff = nyquist if estimate is None else float(estimate.cutoff_hz)
    if not math.isfinite(cutoff) or cutoff <= 0:
        cutoff = nyquist
    if output_sampling_rate > sampling_rate:
        return min(cutoff, RESAMPLER_PASSBAND * nyquist)
    return min(cutoff, nyquist)


def model_cutoff_hz(config, estimate, sampling_rate: int) -> float:
    """The cut-off a model that is told its input's band (``config.conditions_on_bandwidth``) is
    given for input at ``sampling_rate`` that it runs on at ``config.input_sampling_rate``.

    Such a model keeps the input's bins up to its cut-off less its cross-over
    (``config.crossover_hz``) and fades them into its own over the cross-over. An input that was
    resampled up is flat only up to the resampler's pass-band (:data:`RESAMPLER_PASSBAND`, the band
    that is kept, :func:`preserved_cutoff_hz`): the model is told that band plus its cross-over,
    so that the cross-over lies over the resampler's roll-off and the model fills the rest of it
    instead of copying an attenuated band; never more than the measured cut-off, and clamped to
    the bands the model is made for. At the model's own rate: the measured cut-off."""
    measured = preserved_cutoff_hz(estimate, sampling_rate, sampling_rate)
    kept = preserved_cutoff_hz(estimate, sampling_rate, int(config.input_sampling_rate))
    cutoff = min(measured, kept + float(getattr(config, "crossover_hz", 0.0)))
    return float(min(max(cutoff, config.min_input_bandwidth_hz), config.max_input_bandwidth_hz))


def preserved_low_cutoff_hz(estimate) -> float:
    """The frequency above which a band-pass input (``estimate.kind == "bandpass"``: a telephone
    call) is kept; 0 (from DC) for every other input."""
    if estimate is None or getattr(estimate, "kind", None) != "bandpass":
        return 0.0
    return float(estimate.low_cutoff_hz)


__all__ = [
    "LowBandReplacer",
    "crossover_filter",
    "crossover_width_hz",
    "model_cutoff_hz",
    "preserved_cutoff_hz",
    "preserved_low_cutoff_hz",
    "replace_low_band",
]
