"""Real codecs as degradations: in-memory round trips through libsndfile (via soundfile).

Narrowband audio that people actually have has been through a codec: G.711 (mu-law / A-law), GSM
6.10 and G.721 ADPCM on telephone lines, MP3, Ogg Vorbis and Opus on the internet. Each codec here
encodes a mono float signal into an in-memory file with soundfile and decodes it back, so no FFmpeg
or other binary is needed. The result has the input's rate and length, with any codec delay
removed (measured by cross-correlation), so it can be scored sample by sample against the
original.

Names are ``family`` or ``family_<kbps>k`` for the variable-rate ones (``mp3_64k``,
``opus_16k``); :data:`CODECS` lists the ones the benchmark and the training data use, and
:func:`codec_roundtrip` accepts any bit rate for MP3, Vorbis and Opus.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# The codecs the benchmark offers and the training data draws from.
CODECS: tuple[str, ...] = (
    "mulaw",
    "alaw",
    "gsm610",
    "g721",
    "mp3_32k",
    "mp3_64k",
    "mp3_128k",
    "vorbis_48k",
    "vorbis_96k",
    "opus_12k",
    "opus_24k",
    "opus_48k",
)

# Telephone codecs are defined at 8 kHz: the signal is resampled to 8 kHz around them.
_TELEPHONE_RATE = 8000
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
# MP3 (MPEG-1/2/2.5 layer III) sample rates that libsndfile's LAME encoder accepts.
_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
# LAME at low bit rates and 8 kHz leaves its 1105-sample (576 + 529) delay in the stream: 138 ms.
_MAX_DELAY_S = 0.2


@dataclass(frozen=True)
class CodecSpec:
    """How one codec name maps onto soundfile: container ``format``, ``subtype``, the rates it
    runs at (the signal is resampled to the nearest one at or above its rate, or the highest),
    and a target bit rate in kb/s for the variable-rate codecs."""

    name: str
    format: str
    subtype: str
    rates: tuple[int, ...] | None = None
    kbps: float | None = None


_FIXED = {
    "mulaw": CodecSpec("mulaw", "WAV", "ULAW", (_TELEPHONE_RATE,)),
    "alaw": CodecSpec("alaw", "WAV", "ALAW", (_TELEPHONE_RATE,)),
    "gsm610": CodecSpec("gsm610", "WAV", "GSM610", (_TELEPHONE_RATE,)),
    "g721": CodecSpec("g721", "WAV", "G721_32", (_TELEPHONE_RATE,)),
}
_VARIABLE = {
    "mp3": ("MP3", "MPEG_LAYER_III", _MP3_RATES),
    "vorbis": ("OGG", "VORBIS", None),
    "opus": ("OGG", "OPUS", _OPUS_RATES),
}
_NAME = re.compile(r"^(mp3|vorbis|opus)_(\d+(?:\.\d+)?)k$")


def codec_spec(name: str) -> CodecSpec:
    """The :class:`CodecSpec` of a codec name; a clear ``ValueError`` for an unknown one."""
    if name in _FIXED:
        return _FIXED[name]
    match = _NAME.match(name)
    if not match:
        raise ValueError(
            f"unknown codec {name!r}: use one of {', '.join(_FIXED)}, or mp3_<kbps>k, "
            f"vorbis_<kbps>k, opus_<kbps>k (e.g. {', '.join(c for c in CODECS if '_' in c)})"
        )
    family, kbps = match.group(1), float(match.group(2))
    if kbps <= 0:
        raise ValueError(f"codec {name!r}: the bit rate must be positive")
    fmt, subtype, rates = _VARIABLE[family]
    return CodecSpec(name, fmt, subtype, rates, kbps)


def _codec_rate(spec: CodecSpec, sampling_rate: int) -> int:
    if spec.rates is None or sampling_rate in spec.rates:
        return sampling_rate
    above = [r for r in spec.rates if r >= sampling_rate]
    return min(above) if above else max(spec.rates)


def _encode(audio: np.ndarray, sr: int, spec: CodecSpec, level: float | None) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    kwargs = {}
    if level is not None:
        kwargs["compression_level"] = level
    if spec.format == "MP3":
        kwargs["bitrate_mode"] = "CONSTANT"
    sf.write(buf, audio, sr, format=spec.format, subtype=spec.subtype, **kwargs)
    return buf.getvalue()


def _decode(data: bytes) -> np.ndarray:
    import soundfile as sf

    audio, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return audio if audio.ndim == 1 else audio.mean(axis=1)


# libsndfile refuses a compression level of 1.0 for MP3 ("Error set compression level").
_MAX_LEVEL = {"MP3": 0.95, "OGG": 1.0}


@lru_cache(maxsize=64)
def compression_level(name: str, codec_rate: int) -> float | None:
    """The libsndfile ``compression_level`` whose bit rate is nearest the codec's target, found by
    bisection (the bit rate falls as the level rises) on two seconds of noise, once per (codec,
    rate); None for fixed-rate codecs. Targets outside what the codec can do at that rate get the
    nearest end (an 8 kHz MP3 stops near 64 kb/s): :func:`codec_bitrate_kbps` says what was spent."""
    spec = codec_spec(name)
    if spec.kbps is None:
        return None
    noise = (np.random.default_rng(0).standard_normal(2 * codec_rate) * 0.1).astype(np.float32)

    def log_kbps(level: float) -> float:
        return float(np.log(len(_encode(noise, codec_rate, spec, level)) * 8 / 2.0 / 1000))

    target = np.log(spec.kbps)
    lo, hi = 0.0, _MAX_LEVEL[spec.format]
    f_lo, f_hi = log_kbps(lo), log_kbps(hi)
    if target >= f_lo:
        return lo
    if target <= f_hi:
        return hi
    for _ in range(8):
        mid = round((lo + hi) / 2, 4)
        f_mid = log_kbps(mid)
        if f_mid > target:
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    return lo if abs(f_lo - target) <= abs(f_hi - target) else hi


def _align(decoded: np.ndarray, reference: np.ndarray, max_lag: int) -> np.ndarray:
    """``decoded`` shifted by the lag (within ``max_lag``) that best matches ``reference``, cut or
    zero-padded to its length."""
    n = len(reference)
    decoded = decoded[: n + max_lag]
    if len(decoded) < n + max_lag:
        decoded = np.pad(decoded, (0, n + max_lag - len(decoded)))
    if max_lag > 0 and np.any(reference):
        size = 1 << int(np.ceil(np.log2(2 * (n + max_lag))))
        corr = np.fft.irfft(
            np.fft.rfft(decoded, size) * np.conj(np.fft.rfft(reference, size)), size
        )
        lag = int(np.argmax(corr[: max_lag + 1]))
    else:
        lag = 0
    return decoded[lag : lag + n]


def codec_roundtrip(audio: np.ndarray, sampling_rate: int, codec: str) -> np.ndarray:
    """Encode mono ``audio`` with ``codec`` in memory and decode it back.

    The signal is resampled to a rate the codec runs at when it needs one (8 kHz for the telephone
    codecs, an Opus or MP3 rate) and back afterwards; the codec's delay is removed by
    cross-correlation, so the result has the input's rate and length. Values are clipped to
    [-1, 1] first, as any real encoder of PCM would.
    """
    from .dsp import resample

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"codec_roundtrip takes mono (time,) audio, got shape {audio.shape}")
    if audio.size == 0:
        raise ValueError("codec_roundtrip: audio is empty")
    if not np.all(np.isfinite(audio)):
        raise ValueError("codec_roundtrip: audio holds NaN or infinite values")
    spec = codec_spec(codec)
    rate = _codec_rate(spec, int(sampling_rate))
    x = np.clip(audio, -1.0, 1.0)
    if rate != sampling_rate:
        x = resample(x, sampling_rate, rate).astype(np.float32)
    decoded = _decode(_encode(x, rate, spec, compression_level(codec, rate)))
    decoded = _align(decoded, x, int(_MAX_DELAY_S * rate))
    if rate != sampling_rate:
        decoded = resample(decoded, rate, sampling_rate)
        n = len(audio)
        decoded = decoded[:n] if len(decoded) >= n else np.pad(decoded, (0, n - len(decoded)))
    return np.ascontiguousarray(decoded, dtype=np.float32)


def codec_bitrate_kbps(audio: np.ndarray, sampling_rate: int, codec: str) -> float:
    """The bit rate (kb/s) ``codec`` really spends on ``audio``: encoded bytes over duration."""
    from .dsp import resample

    spec = codec_spec(codec)
    rate = _codec_rate(spec, int(sampling_rate))
    x = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    if rate != sampling_rate:
        x = resample(x, sampling_rate, rate).astype(np.float32)
    data = _encode(x, rate, spec, compression_level(codec, rate))
    return len(data) * 8 / (len(x) / rate) / 1000


__all__ = [
    "CODECS",
    "CodecSpec",
    "codec_bitrate_kbps",
    "codec_roundtrip",
    "codec_spec",
    "compression_level",
]
