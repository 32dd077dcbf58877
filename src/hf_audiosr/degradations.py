"""What a narrowband recording has been through before it reaches a super-resolution model.

The benchmark makes a low-rate input from each wideband reference by band-limited resampling (the
``clean`` condition, the protocol of the published comparisons) and then, optionally, passes it
through one degradation at the input rate:

* ``telephone``: the 300-3400 Hz band-pass of an analogue / PSTN telephone channel
  (:func:`telephone_bandpass`);
* a codec of :mod:`hf_audiosr.codecs` (``mulaw``, ``alaw``, ``gsm610``, ``g721``,
  ``mp3_<kbps>k``, ``opus_<kbps>k``, ``vorbis_<kbps>k``): encoded and decoded in memory with the
  codec delay removed, so the result still lines up sample by sample with the reference.

:data:`SPEECH_DEGRADATIONS` lists the names the benchmark offers by default; any codec name that
:func:`hf_audiosr.codecs.codec_spec` accepts works too.
"""

from __future__ import annotations

import numpy as np

from .codecs import codec_roundtrip, codec_spec

__all__ = [
    "SPEECH_DEGRADATIONS",
    "TELEPHONE_BAND_HZ",
    "apply_degradation",
    "check_degradation",
    "telephone_bandpass",
]

TELEPHONE_BAND_HZ = (300.0, 3400.0)
"""Pass band of the telephone channel (ITU-T G.712)."""

SPEECH_DEGRADATIONS: tuple[str, ...] = (
    "clean",
    "telephone",
    "mulaw",
    "alaw",
    "gsm610",
    "g721",
    "mp3_16k",
    "mp3_32k",
    "opus_8k",
    "opus_16k",
)
"""The conditions of the README's speech tables: clean resampling, the telephone band, G.711
mu-law and A-law, GSM 6.10, G.721 ADPCM, and MP3 and Opus at two bit rates each."""


def telephone_bandpass(
    audio: np.ndarray,
    sampling_rate: int,
    band_hz: tuple[float, float] = TELEPHONE_BAND_HZ,
    order: int = 4,
) -> np.ndarray:
    """Band-pass ``audio`` to the telephone band with a zero-phase Butterworth filter.

    The filter (``order`` poles per edge) runs forward and backward (``scipy.signal.sosfiltfilt``),
    so it adds no delay and the result lines up with the input; the two passes double its slopes
    (about 48 dB per octave for order 4) and put the band edges at -6 dB.

    Args:
        audio: Mono signal, shape ``(T,)``.
        sampling_rate: Its rate in Hz; the upper edge must lie below the Nyquist frequency.
        band_hz: ``(low, high)`` edges in Hz.
        order: Butterworth order per edge.

    Returns:
        float32 array of the input's shape.
    """
    from scipy.signal import butter, sosfiltfilt

    x = np.asarray(audio, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"telephone_bandpass takes non-empty mono (T,) audio, got {x.shape}")
    low, high = band_hz
    if not 0 < low < high < sampling_rate / 2:
        raise ValueError(
            f"the telephone band {low:g}-{high:g} Hz must lie below the Nyquist frequency "
            f"({sampling_rate / 2:g} Hz at {sampling_rate} Hz)"
        )
    sos = butter(order, [low, high], btype="bandpass", fs=sampling_rate, output="sos")
    padlen = min(x.size - 1, 3 * (2 * len(sos) + 1))
    return sosfiltfilt(sos, x, padlen=padlen).astype(np.float32)


def check_degradation(name: str) -> str:
    """``name`` if it is a degradation this module can apply, else a ``ValueError`` listing them."""
    if name in ("clean", "telephone"):
        return name
    try:
        codec_spec(name)
    except ValueError as err:
        fixed = ", ".join(n for n in SPEECH_DEGRADATIONS if "_" not in n)
        raise ValueError(
            f"unknown degradation {name!r}: use one of {fixed}, mp3_<kbps>k, opus_<kbps>k or "
            f"vorbis_<kbps>k (e.g. {', '.join(n for n in SPEECH_DEGRADATIONS if '_' in n)}); "
            f"{err}"
        ) from None
    return name


def apply_degradation(audio: np.ndarray, sampling_rate: int, name: str) -> np.ndarray:
    """Apply degradation ``name`` to the low-rate ``audio`` (same rate and length back).

    ``clean`` returns the input unchanged; ``telephone`` is :func:`telephone_bandpass`; any other
    name is a codec round trip (:func:`hf_audiosr.codecs.codec_roundtrip`, delay removed).
    """
    check_degradation(name)
    if name == "clean":
        return np.asarray(audio, dtype=np.float32)
    if name == "telephone":
        return telephone_bandpass(audio, sampling_rate)
    return codec_roundtrip(np.asarray(audio, dtype=np.float32), sampling_rate, name)
