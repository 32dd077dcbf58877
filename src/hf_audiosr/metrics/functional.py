"""Functional (numpy-in / numpy-out) objective metrics for audio super-resolution.

Every function takes a ground-truth ``reference`` and a system ``estimate`` given as 1-D float
arrays of shape ``(T,)`` (numpy arrays, lists, or torch tensors, which are converted with
``.detach().cpu().numpy()``) and returns a python ``float``. Computation is done in float64.

Conventions
-----------
* Argument order is always ``(reference, estimate)``.
* Both signals must have the same length; peer outputs whose length differs slightly from the
  reference must go through :func:`align` first (:func:`compute_all` does this for you).
* Invalid input (empty, not 1-D, non-finite, mismatched lengths) raises ``ValueError`` with a
  message that states what was received.

Log-spectral distance protocols
-------------------------------
:func:`lsd` implements the protocol used by NU-Wave (Lee & Han, 2021), NU-Wave 2 (Han & Lee, 2022),
AERO (Mandel et al., 2023) and AP-BWE (Lu et al., 2024): power spectrogram with a 2048-point
periodic Hann window, hop 512, centred frames with *reflect* padding (``torch.stft`` defaults, which
the reference implementations call), power floored at ``1e-8``, base-10 log, RMS over frequency
per frame, mean over frames.

:func:`legacy_lsd` implements the older definition of Kuleshov et al. (2017) and the TFiLM/AFiLM code
(natural log, RMS over *time* per frequency bin, mean over bins). Numbers from the two protocols are
not comparable.
"""

from __future__ import annotations

import math
from typing import Any

import librosa
import numpy as np

__all__ = [
    "align",
    "compute_all",
    "legacy_lsd",
    "lsd",
    "lsd_hf",
    "lsd_lf",
    "si_sdr",
    "snr",
]

_VALID_BANDS = ("high", "low")


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def _to_numpy(x: Any, name: str) -> np.ndarray:
    """Convert ``x`` (numpy array, torch tensor, list) to a float64 numpy array and validate it.

    Args:
        x: The signal, expected shape ``(T,)``.
        name: Argument name used in error messages.

    Returns:
        A float64 array of shape ``(T,)``.

    Raises:
        ValueError: If ``x`` is not 1-D, is empty, is not real-valued, or has non-finite values.
    """
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch.Tensor without importing torch
        x = x.detach().cpu()
        if hasattr(x, "float") and str(getattr(x, "dtype", "")) == "torch.bfloat16":
            x = x.float()
        x = x.numpy()
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(
            f"`{name}` must be a 1-D array of shape (T,), got an array with shape "
            f"{tuple(arr.shape)}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"`{name}` is empty (shape (0,)); expected at least one sample.")
    if np.iscomplexobj(arr) or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise ValueError(f"`{name}` must hold real numbers, got dtype {arr.dtype}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"`{name}` contains {n_bad} non-finite value(s) (NaN or Inf).")
    return arr


def _validate_pair(reference: Any, estimate: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate both signals and check that their lengths match."""
    ref = _to_numpy(reference, "reference")
    est = _to_numpy(estimate, "estimate")
    if ref.shape[0] != est.shape[0]:
        raise ValueError(
            f"`reference` and `estimate` must have the same length, got {ref.shape[0]} and "
            f"{est.shape[0]} samples. Use `align(reference, estimate)` to trim both to the "
            "shorter length."
        )
    return ref, est


def _band_mask(
    n_fft: int,
    band: str | None,
    sampling_rate: float | None,
    cutoff_hz: float | None,
) -> np.ndarray | None:
    """Boolean mask over the ``n_fft // 2 + 1`` STFT bins selecting the requested band.

    Bin ``k`` has frequency ``k * sampling_rate / n_fft``; ``band="high"`` keeps bins with frequency
    ``>= cutoff_hz`` and ``band="low"`` keeps bins with frequency ``< cutoff_hz``. Returns ``None``
    for the full band.
    """
    if band is None:
        return None
    if band not in _VALID_BANDS:
        raise ValueError(f"`band` must be one of {_VALID_BANDS} or None, got {band!r}.")
    if sampling_rate is None or cutoff_hz is None:
        raise ValueError(
            f"`band={band!r}` needs both `sampling_rate` and `cutoff_hz` (got "
            f"sampling_rate={sampling_rate!r}, cutoff_hz={cutoff_hz!r})."
        )
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be positive, got {sampling_rate!r}.")
    nyquist = sampling_rate / 2
    if not 0 < cutoff_hz < nyquist:
        raise ValueError(
            f"`cutoff_hz` must lie strictly between 0 and the Nyquist frequency {nyquist:g} Hz, "
            f"got {cutoff_hz!r}."
        )
    freqs = np.arange(n_fft // 2 + 1) * (sampling_rate / n_fft)
    mask = freqs >= cutoff_hz if band == "high" else freqs < cutoff_hz
    if not mask.any():  # only reachable for tiny n_fft
        raise ValueError(
            f"`band={band!r}` with cutoff_hz={cutoff_hz!r} selects no STFT bin for "
            f"n_fft={n_fft} at sampling_rate={sampling_rate!r}."
        )
    return mask


def _power_spectrogram(x: np.ndarray, n_fft: int, hop_length: int) -> np.ndarray:
    """``|STFT(x)|^2`` with a periodic Hann window, centred frames, reflect padding.

    Args:
        x: Signal of shape ``(T,)``.

    Returns:
        Power spectrogram of shape ``(n_fft // 2 + 1, 1 + T // hop_length)``.
    """
    spec = librosa.stft(
        x,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=n_fft,
        window="hann",  # scipy get_window(..., fftbins=True): periodic, as torch.hann_window
        center=True,
        pad_mode="reflect",
    )
    return np.abs(spec) ** 2


def _check_stft_args(n: int, n_fft: int, hop_length: int) -> None:
    if n_fft < 2 or hop_length < 1:
        raise ValueError(f"Need n_fft >= 2 and hop_length >= 1, got {n_fft} and {hop_length}.")
    if n <= n_fft // 2:
        raise ValueError(
            f"Signals of {n} samples are too short for an STFT with n_fft={n_fft}: centred "
            f"reflect padding needs more than n_fft // 2 = {n_fft // 2} samples."
        )


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def align(reference: Any, estimate: Any) -> tuple[np.ndarray, np.ndarray]:
    """Trim ``reference`` and ``estimate`` to the length of the shorter one.

    Peer-system outputs often differ in length from the reference by a few milliseconds (padding
    to a multiple of the hop size, resampler delay compensation). Following the evaluation
    scripts of AP-BWE and NU-Wave 2, both signals are truncated at the end to the common length;
    no cross-correlation search or time shift is applied, so a genuinely delayed output is scored
    as delayed.

    Args:
        reference: Ground-truth signal, shape ``(T_ref,)``.
        estimate: System output, shape ``(T_est,)``.

    Returns:
        ``(reference[:T], estimate[:T])`` as float64 arrays with ``T = min(T_ref, T_est)``.
    """
    ref = _to_numpy(reference, "reference")
    est = _to_numpy(estimate, "estimate")
    n = min(ref.shape[0], est.shape[0])
    return ref[:n], est[:n]


def lsd(
    reference: Any,
    estimate: Any,
    *,
    sampling_rate: float | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    eps: float = 1e-8,
    band: str | None = None,
    cutoff_hz: float | None = None,
) -> float:
    """Log-spectral distance (LSD) in the NU-Wave / NU-Wave 2 / AERO / AP-BWE protocol.

    .. math::

        P = \\max(|\\mathrm{STFT}(x)|^2, \\epsilon), \\qquad
        \\mathrm{LSD} = \\frac{1}{N}\\sum_{n} \\sqrt{\\frac{1}{|K|}\\sum_{k \\in K}
        \\bigl(\\log_{10} P_{\\mathrm{ref}}(k, n) - \\log_{10} P_{\\mathrm{est}}(k, n)\\bigr)^2}

    The STFT uses a periodic Hann window of length ``n_fft``, hop ``hop_length`` and centred
    frames with reflect padding: the ``torch.stft(..., center=True)`` defaults that the AP-BWE
    (``cal_metrics.py``) and NU-Wave 2 evaluation code call. Note that librosa >= 0.10 defaults to
    zero (``"constant"``) padding, so it is requested explicitly. The choice only affects the two
    edge frames: on the 35 AP-BWE VCTK demo clips (16 and 48 kHz peers) reflect and zero padding
    differ by at most 0.015 and match the published test-set averages equally well (mean absolute
    deviation 0.153 vs 0.152), so the reference implementations' padding is kept.

    Args:
        reference: Ground-truth signal, shape ``(T,)``.
        estimate: System output, shape ``(T,)`` (same length; see :func:`align`).
        sampling_rate: Sampling rate of both signals in Hz; only needed with ``band``.
        n_fft: FFT size and window length (2048 in the protocol).
        hop_length: Hop size in samples (512 in the protocol).
        eps: Floor applied to the power before the log (``1e-8`` in the protocol).
        band: ``None`` (all ``n_fft // 2 + 1`` bins), ``"high"`` (bins with frequency
            ``>= cutoff_hz``, the "LSD-HF" of NU-Wave 2) or ``"low"`` (bins ``< cutoff_hz``,
            "LSD-LF").
        cutoff_hz: Band edge in Hz, normally the Nyquist frequency of the low-resolution input.

    Returns:
        The LSD (dimensionless, log10 power units), ``>= 0``.

    Raises:
        ValueError: On invalid signals, on a ``band`` without ``sampling_rate`` and ``cutoff_hz``,
            or on signals too short for one reflect-padded frame.
    """
    ref, est = _validate_pair(reference, estimate)
    _check_stft_args(ref.shape[0], n_fft, hop_length)
    if eps <= 0:
        raise ValueError(f"`eps` must be positive, got {eps!r}.")
    mask = _band_mask(n_fft, band, sampling_rate, cutoff_hz)
    log_ref = np.log10(np.maximum(_power_spectrogram(ref, n_fft, hop_length), eps))
    log_est = np.log10(np.maximum(_power_spectrogram(est, n_fft, hop_length), eps))
    diff = log_ref - log_est  # (F, N)
    if mask is not None:
        diff = diff[mask]
    per_frame = np.sqrt(np.mean(diff**2, axis=0))  # (N,)
    return float(np.mean(per_frame))


def lsd_hf(
    reference: Any,
    estimate: Any,
    *,
    sampling_rate: float,
    input_sampling_rate: float,
    n_fft: int = 2048,
    hop_length: int = 512,
    eps: float = 1e-8,
) -> float:
    """High-frequency LSD (NU-Wave 2): :func:`lsd` over bins at or above ``input_sampling_rate / 2``.

    Args:
        reference: Ground-truth signal at ``sampling_rate``, shape ``(T,)``.
        estimate: System output at ``sampling_rate``, shape ``(T,)``.
        sampling_rate: Target (high-resolution) sampling rate in Hz.
        input_sampling_rate: Sampling rate of the low-resolution input in Hz.
        n_fft, hop_length, eps: As in :func:`lsd`.

    Returns:
        The LSD restricted to the band the system had to generate.
    """
    return lsd(
        reference,
        estimate,
        sampling_rate=sampling_rate,
        n_fft=n_fft,
        hop_length=hop_length,
        eps=eps,
        band="high",
        cutoff_hz=input_sampling_rate / 2,
    )


def lsd_lf(
    reference: Any,
    estimate: Any,
    *,
    sampling_rate: float,
    input_sampling_rate: float,
    n_fft: int = 2048,
    hop_length: int = 512,
    eps: float = 1e-8,
) -> float:
    """Low-frequency LSD (NU-Wave 2): :func:`lsd` over bins below ``input_sampling_rate / 2``.

    Args:
        reference: Ground-truth signal at ``sampling_rate``, shape ``(T,)``.
        estimate: System output at ``sampling_rate``, shape ``(T,)``.
        sampling_rate: Target (high-resolution) sampling rate in Hz.
        input_sampling_rate: Sampling rate of the low-resolution input in Hz.
        n_fft, hop_length, eps: As in :func:`lsd`.

    Returns:
        The LSD restricted to the band that was present in the input.
    """
    return lsd(
        reference,
        estimate,
        sampling_rate=sampling_rate,
        n_fft=n_fft,
        hop_length=hop_length,
        eps=eps,
        band="low",
        cutoff_hz=input_sampling_rate / 2,
    )


def legacy_lsd(reference: Any, estimate: Any, n_fft: int = 2048) -> float:
    """Log-spectral distance as computed by Kuleshov et al. (2017) and the TFiLM / AFiLM code.

    .. math::

        S = \\ln\\bigl(|\\mathrm{STFT}(x)|^2 + 10^{-8}\\bigr), \\qquad
        \\mathrm{LSD} = \\frac{1}{K}\\sum_{k} \\sqrt{\\frac{1}{N}\\sum_{n}
        \\bigl(S_{\\mathrm{ref}}(k, n) - S_{\\mathrm{est}}(k, n)\\bigr)^2}

    i.e. natural log, RMS over *time* for each frequency bin, mean over bins; STFT as
    ``librosa.stft(x, n_fft)`` (hop ``n_fft // 4``, periodic Hann, centred frames with reflect
    padding, the librosa default when that code was written). Two details of the original
    ``compute_log_distortion`` are deliberately *not* reproduced: its ``+1e-8`` inside the square
    root (which makes LSD(x, x) = 1e-4) and its ``min(lsd, 10.)`` clamp, which silently hides
    failures. Values are therefore never clamped.

    Args:
        reference: Ground-truth signal, shape ``(T,)``.
        estimate: System output, shape ``(T,)`` (same length; see :func:`align`).
        n_fft: FFT size and window length.

    Returns:
        The legacy LSD (natural-log power units), ``>= 0``. Not comparable with :func:`lsd`.
    """
    ref, est = _validate_pair(reference, estimate)
    hop_length = n_fft // 4
    _check_stft_args(ref.shape[0], n_fft, hop_length)
    s_ref = np.log(_power_spectrogram(ref, n_fft, hop_length) + 1e-8)
    s_est = np.log(_power_spectrogram(est, n_fft, hop_length) + 1e-8)
    per_bin = np.sqrt(np.mean((s_ref - s_est) ** 2, axis=1))  # (F,)
    return float(np.mean(per_bin))


def snr(reference: Any, estimate: Any) -> float:
    """Signal-to-noise ratio in dB: ``10 log10(sum ref^2 / sum (ref - est)^2)``.

    This is the SNR of Kuleshov et al. (2017), NU-Wave 2 and AP-BWE (computed there as
    ``20 log10(||ref|| / ||ref - est||)``), without their epsilons.

    Args:
        reference: Ground-truth signal, shape ``(T,)``.
        estimate: System output, shape ``(T,)``.

    Returns:
        SNR in dB; ``math.inf`` for a perfect estimate (zero error).

    Raises:
        ValueError: If the reference is all zeros (SNR undefined), or on invalid signals.
    """
    ref, est = _validate_pair(reference, estimate)
    signal = float(np.sum(ref**2))
    if signal == 0.0:
        raise ValueError("`reference` is all zeros: the SNR is undefined for a silent reference.")
    noise = float(np.sum((ref - est) ** 2))
    if noise == 0.0:
        return math.inf
    return float(10.0 * np.log10(signal / noise))


def si_sdr(reference: Any, estimate: Any) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019, "SDR - half-baked
    or well done?").

    Both signals are made zero-mean, the reference is scaled optimally,
    ``alpha = <est, ref> / ||ref||^2``, and
    ``SI-SDR = 10 log10(||alpha ref||^2 / ||alpha ref - est||^2)``.

    Args:
        reference: Ground-truth signal, shape ``(T,)``.
        estimate: System output, shape ``(T,)``.

    Returns:
        SI-SDR in dB; ``math.inf`` when the estimate is an exact (positive or negative) multiple of
        the reference, ``-math.inf`` when it is orthogonal to it (e.g. silent).

    Raises:
        ValueError: If the zero-mean reference is all zeros (constant reference), or on invalid
            signals.
    """
    ref, est = _validate_pair(reference, estimate)
    ref = ref - ref.mean()
    est = est - est.mean()
    ref_energy = float(np.dot(ref, ref))
    if ref_energy == 0.0:
        raise ValueError(
            "`reference` is constant (all zeros after removing its mean): SI-SDR is undefined."
        )
    alpha = float(np.dot(est, ref)) / ref_energy
    target = alpha * ref
    target_energy = float(np.dot(target, target))
    noise = target - est
    noise_energy = float(np.dot(noise, noise))
    if noise_energy == 0.0:
        return math.inf
    if target_energy == 0.0:
        return -math.inf
    return float(10.0 * np.log10(target_energy / noise_energy))


def compute_all(
    reference: Any,
    estimate: Any,
    *,
    sampling_rate: float,
    input_sampling_rate: float,
) -> dict[str, float]:
    """Align the signals with :func:`align`, then compute every metric of this module.

    Args:
        reference: Ground-truth signal at ``sampling_rate``, shape ``(T_ref,)``.
        estimate: System output at ``sampling_rate``, shape ``(T_est,)``.
        sampling_rate: Target (high-resolution) sampling rate in Hz.
        input_sampling_rate: Sampling rate of the low-resolution input in Hz; its Nyquist
            frequency splits the LSD-HF / LSD-LF bands.

    Returns:
        ``{"lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr", "legacy_lsd"}`` mapped to floats.
    """
    ref, est = align(reference, estimate)
    return {
        "lsd": lsd(ref, est),
        "lsd_hf": lsd_hf(
            ref, est, sampling_rate=sampling_rate, input_sampling_rate=input_sampling_rate
        ),
        "lsd_lf": lsd_lf(
            ref, est, sampling_rate=sampling_rate, input_sampling_rate=input_sampling_rate
        ),
        "snr": snr(ref, est),
        "si_sdr": si_sdr(ref, est),
        "legacy_lsd": legacy_lsd(ref, est),
    }
