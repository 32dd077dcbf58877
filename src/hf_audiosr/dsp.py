"""Signal-processing building blocks shared by the models, the feature extractor and training.

Everything here is a pure function of its arguments (no state), so the same code makes training
pairs, pre-processes inference input and builds the fixed interpolation filters that the models
store as buffers.

Interpolation by an integer factor ``r`` is written as an FIR filter applied to the zero-stuffed
low-rate signal (``conv_transpose1d`` with stride ``r``):

* ``"sinc"``: a Kaiser-windowed sinc low-pass at the low-rate Nyquist (band-limited interpolation).
* ``"cubic"``: the cardinal cubic *spline* (the interpolation Kuleshov et al. 2017 used through
  ``scipy.interpolate.splrep``/``splev``). A cubic spline through the samples equals the cubic
  B-spline kernel applied after an IIR pre-filter with pole ``z1 = sqrt(3) - 2``; the pre-filter's
  impulse response decays as ``|z1|^n`` (0.268^n), so truncating it at 30 taps is exact to float
  precision and the whole interpolator becomes one FIR filter.
"""

from __future__ import annotations

from math import gcd

import numpy as np
import scipy.signal

INTERPOLATIONS = ("sinc", "cubic")
DEGRADATIONS = ("sinc", "cheby", "fft")


def _check_factor(factor: int) -> int:
    if not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"upsampling factor must be a positive integer, got {factor!r}")
    return int(factor)


def sinc_interpolation_taps(factor: int, half_width: int = 16, beta: float = 8.0) -> np.ndarray:
    """Taps of a Kaiser-windowed sinc interpolator for upsampling by ``factor``.

    The filter spans ``2 * half_width`` low-rate samples, has its cut-off at the low-rate Nyquist
    and a DC gain of ``factor`` (so that zero-stuffing followed by filtering keeps the amplitude).
    Returns a float64 array of odd length ``2 * half_width * factor + 1``.
    """
    factor = _check_factor(factor)
    n = np.arange(-half_width * factor, half_width * factor + 1, dtype=np.float64)
    taps = np.sinc(n / factor) * np.kaiser(len(n), beta)
    # Normalise each polyphase component to unit sum, so a constant input stays constant exactly.
    for phase in range(factor):
        taps[phase::factor] /= taps[phase::factor].sum()
    return taps


def cubic_spline_interpolation_taps(factor: int, prefilter_taps: int = 30) -> np.ndarray:
    """Taps of the cardinal cubic-spline interpolator for upsampling by ``factor``.

    ``h = (prefilter * beta3)`` where ``beta3`` is the cubic B-spline sampled at the high rate
    and ``prefilter`` is the (truncated, two-sided) inverse of the B-spline's sampled values
    ``[1/6, 4/6, 1/6]`` zero-stuffed to the high rate.
    """
    factor = _check_factor(factor)
    z1 = np.sqrt(3.0) - 2.0
    k = np.arange(-prefilter_taps, prefilter_taps + 1)
    prefilter = (-6.0 * z1 / (1.0 - z1**2)) * z1 ** np.abs(k)
    stuffed = np.zeros(len(k) * factor - (factor - 1))
    stuffed[::factor] = prefilter
    t = np.arange(-2 * factor, 2 * factor + 1) / factor
    at = np.abs(t)
    beta3 = np.where(
        at < 1.0,
        2.0 / 3.0 - at**2 + at**3 / 2.0,
        np.where(at < 2.0, (2.0 - at) ** 3 / 6.0, 0.0),
    )
    taps = np.convolve(stuffed, beta3)
    return taps


def interpolation_taps(kind: str, factor: int) -> np.ndarray:
    """The FIR taps for interpolation ``kind`` (one of :data:`INTERPOLATIONS`)."""
    if kind == "sinc":
        return sinc_interpolation_taps(factor)
    if kind == "cubic":
        return cubic_spline_interpolation_taps(factor)
    raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {kind!r}")


def interpolate(x: np.ndarray, factor: int, kind: str = "sinc") -> np.ndarray:
    """Upsample a 1-D (or ``(..., T)``) signal by an integer factor: output length ``factor * T``.

    Uses exactly the filters the models use internally, so ``interpolate(x)`` is the baseline a
    model's residual is added to.
    """
    factor = _check_factor(factor)
    x = np.asarray(x, dtype=np.float64)
    if factor == 1:
        return x.copy()
    taps = interpolation_taps(kind, factor)
    delay = (len(taps) - 1) // 2
    stuffed = np.zeros(x.shape[:-1] + (x.shape[-1] * factor,))
    stuffed[..., ::factor] = x
    y = scipy.signal.oaconvolve(stuffed, taps[(None,) * (x.ndim - 1)], mode="full", axes=-1)
    return y[..., delay : delay + x.shape[-1] * factor]


def resample(x: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Band-limited (anti-aliased) resampling along the last axis with soxr's high-quality mode."""
    import soxr

    if orig_sr == target_sr:
        return np.asarray(x)
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] == 0:
        return np.zeros(x.shape[:-1] + (0,))
    if x.ndim == 1:
        return soxr.resample(x, orig_sr, target_sr, quality="HQ")
    flat = x.reshape(-1, x.shape[-1])
    out = soxr.resample(flat.T, orig_sr, target_sr, quality="HQ").T
    return out.reshape(x.shape[:-1] + (out.shape[-1],))


def _resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    g = gcd(up, down)
    return scipy.signal.resample_poly(x, up // g, down // g, axis=-1)


def degrade(
    x: np.ndarray,
    sampling_rate: int,
    low_sampling_rate: int,
    method: str = "sinc",
) -> np.ndarray:
    """Simulate a low-resolution recording: ``x`` at ``sampling_rate`` -> signal at ``low_sampling_rate``.

    ``method``:
      * ``"sinc"``: band-limited resampling (Kaiser-windowed polyphase FIR), the AP-BWE protocol.
      * ``"cheby"``: 8th-order Chebyshev type I low-pass (0.05 dB ripple) at 0.8 x the new Nyquist,
        applied forwards and backwards, then decimation: ``scipy.signal.decimate``'s IIR filter, the
        Kuleshov et al. 2017 / NU-Wave 2 protocol (only for integer ratios).
      * ``"fft"``: zero every STFT bin above the new Nyquist, then take every ``r``-th sample
        (ssr_eval / NVSR). Only for integer ratios.

    Returns float64 of length ``ceil(len(x) * low_sampling_rate / sampling_rate)`` (sinc) or
    ``ceil(len(x) / r)``.
    """
    x = np.asarray(x, dtype=np.float64)
    if method == "sinc":
        return _resample_poly(x, low_sampling_rate, sampling_rate)
    if sampling_rate % low_sampling_rate:
        raise ValueError(
            f"degradation {method!r} needs an integer rate ratio, got {sampling_rate}/{low_sampling_rate}"
        )
    r = sampling_rate // low_sampling_rate
    if method == "cheby":
        if r == 1:
            return x.copy()
        return scipy.signal.decimate(x, r, n=8, ftype="iir", zero_phase=True, axis=-1)
    if method == "fft":
        return fft_lowpass(x, sampling_rate, low_sampling_rate / 2)[..., ::r]
    raise ValueError(f"degradation method must be one of {DEGRADATIONS}, got {method!r}")


def fft_lowpass(
    x: np.ndarray, sampling_rate: int, cutoff_hz: float, n_fft: int = 1024
) -> np.ndarray:
    """Zero the STFT bins at or above ``cutoff_hz`` and resynthesise (same length as ``x``)."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] < 2:
        return x.copy()
    nperseg = min(n_fft, x.shape[-1])
    _, _, spec = scipy.signal.stft(x, fs=sampling_rate, nperseg=nperseg, axis=-1)
    freqs = np.fft.rfftfreq(nperseg, 1.0 / sampling_rate)
    spec[..., freqs >= cutoff_hz, :] = 0.0
    _, y = scipy.signal.istft(spec, fs=sampling_rate, nperseg=nperseg)
    y = y[..., : x.shape[-1]]
    if y.shape[-1] < x.shape[-1]:
        y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, x.shape[-1] - y.shape[-1])])
    return y
