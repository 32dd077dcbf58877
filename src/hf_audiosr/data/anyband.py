"""Any-band training examples: audio files of any rate -> (input, target) pairs at one model rate.

A BandNeXt model runs at one rate ``R`` (48 or 16 kHz) and is told its input's cut-off, so that
one model serves every input band from 2 kHz up to just below ``R / 2``. Its training examples:

* **target**: a file resampled to ``R``. A file never holds more band than its own rate allows,
  so every example keeps ``target_bandwidth_hz = min(file_rate / 2, R / 2)`` (lower still when
  the manifest found the file band-limited, or after speed perturbation); a 16 kHz file trains a
  48 kHz model only up to 8 kHz, and the losses ignore the band above (see
  :func:`frequency_mask` and :mod:`hf_audiosr.training.losses`).
* **input**: the target band-limited to a cut-off drawn for each example over the whole range
  (``min_cutoff_hz``, 2 kHz by default, to just below ``target_bandwidth_hz``) by one of
  ``sinc`` (band-limited resampling down to twice the cut-off and back), ``cheby`` (8th-order
  Chebyshev type I low-pass, zero phase), ``fft`` (STFT bins zeroed, :func:`hf_audiosr.dsp.fft_lowpass`)
  or ``codec``: a real codec of :mod:`hf_audiosr.codecs` at the rate the band implies (mp3,
  vorbis and opus at several bit rates; mu-law, A-law, GSM 6.10 and G.721 at 8 kHz, for cut-offs
  up to 3.8 kHz), band-limited to the cut-off before and after. The example carries
  ``input_bandwidth_hz``: the cut-off used (for a codec whose own low-pass lies lower, the band
  it really kept, measured against the target).
* **music**: with ``polyphony_probability`` an example is a mix of several music files (the
  instrument one-shots) with random onsets, gains and speed (pitch) changes; any example may
  get a speed perturbation and always gets a random gain.

Item ``i`` is a pure function of ``(seed, i)`` (``numpy.random.default_rng([seed, i])``), so a
resumed run sees the batches an uninterrupted one would.

Files come from ``../shared/data/train``; :func:`read_manifest` reads its ``MANIFEST.csv`` and
keeps only licence-clean rows unless told otherwise (RAVDESS and SiSEC are non-commercial, the
VCC sets' licence is unconfirmed).
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.signal
import torch
from torch.utils.data import Dataset
from transformers.utils import logging

from ..audio_io import AudioLoadError, audio_info, find_audio_files, load_audio
from ..codecs import CODECS
from ..dsp import degrade, fft_lowpass, resample
from .corpus import AudioCorpus, trim_silence

logger = logging.get_logger(__name__)

__all__ = [
    "ANYBAND_METHODS",
    "EVAL_SPEAKERS",
    "NONCOMMERCIAL_SOURCES",
    "TELEPHONE_CODECS",
    "UNCONFIRMED_SOURCES",
    "AnyBandCorpus",
    "AnyBandExamples",
    "AnyBandFile",
    "band_limit",
    "build_anyband_corpus",
    "degrade_any_band",
    "files_from_dirs",
    "path_weights",
    "frequency_mask",
    "read_manifest",
]

ANYBAND_METHODS = ("sinc", "cheby", "fft", "codec")
"""Ways of making the input's cut-off."""

NONCOMMERCIAL_SOURCES = ("ravdess48_speech", "music44_sisec2011_nz_tour_stems")
"""Sources of ``../shared/data/train`` under non-commercial licences (experiments only)."""
UNCONFIRMED_SOURCES = ("vcc2016_16k", "vcc2018_22k")
"""Sources whose licence is believed ODC-By but not confirmed (experiments only)."""
MUSIC_SOURCE_PATTERNS = ("music*", "debian_sonic_pi_samples", "debian_puredata_doc")
"""Sources (glob on the manifest's ``source``) that hold music; all others hold speech."""
EVAL_SPEAKERS = ("p360", "p361", "p362", "p363", "p364", "p374", "p376", "s5", "p225")
"""VCTK speakers of ``../shared/data/eval`` (p225: the utterances the TFiLM comparison uses)."""

TELEPHONE_CODECS = ("mulaw", "alaw", "gsm610", "g721")
"""Codecs defined at 8 kHz: only for cut-offs up to :data:`TELEPHONE_MAX_CUTOFF_HZ`."""
TELEPHONE_MAX_CUTOFF_HZ = 3800.0
# Rates a real low-band file is likely stored at: a codec runs at the lowest one holding the band.
STANDARD_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
# Cut-offs that real files have (half their rates); drawn with ``standard_cutoff_probability``.
STANDARD_CUTOFFS_HZ = (4000.0, 5512.5, 6000.0, 8000.0, 11025.0, 12000.0, 16000.0, 22050.0)
# Drawn cut-offs are rounded to this step, so twice a cut-off is a rate with a large gcd with R.
CUTOFF_STEP_HZ = 50.0
# A codec's measured band is reported as at least this (or the cut-off, when lower).
MIN_REPORTED_BAND_HZ = 2000.0
# Real audio before and after a segment, so that filter edge transients stay outside it.
CONTEXT_S = 0.04
_BANDLIMIT = re.compile(r"(?:BAND-LIMITED|SUSPECT-LOWPASS)@(\d+(?:\.\d+)?)Hz")


# ---------------------------------------------------------------------------------------- files
@dataclass(frozen=True)
class AnyBandFile:
    """One training file: its rate, the band it really holds, and what it is."""

    path: Path
    sampling_rate: int
    bandwidth_hz: float
    kind: str = "speech"
    speaker: str = ""
    source: str = ""


def _kind_of(source: str) -> str:
    return "music" if any(fnmatch.fnmatch(source, p) for p in MUSIC_SOURCE_PATTERNS) else "speech"


def read_manifest(
    manifest: str | os.PathLike,
    *,
    kinds: tuple[str, ...] = ("speech", "music"),
    allow_noncommercial: bool = False,
    allow_unconfirmed: bool = False,
    exclude_speakers: tuple[str, ...] = EVAL_SPEAKERS,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> list[AnyBandFile]:
    """The rows of a ``MANIFEST.csv`` (``../shared/data/train``'s columns) as :class:`AnyBandFile` s.

    Paths are relative to the manifest's folder. Rows of :data:`NONCOMMERCIAL_SOURCES` and
    :data:`UNCONFIRMED_SOURCES` are dropped unless allowed; so are speakers in
    ``exclude_speakers`` (matched against the ``speaker`` column and the path's folders), kinds
    not in ``kinds``, paths matching no ``include`` glob (when given) or any ``exclude`` glob
    (matched against the full path). ``bandwidth_hz`` is ``file_rate / 2`` or the band the
    manifest's ``wideband_check`` found (``BAND-LIMITED@5512Hz``, ``SUSPECT-LOWPASS@19750Hz``).
    """
    manifest = Path(manifest)
    root = manifest.parent
    bad_kinds = set(kinds) - {"speech", "music"}
    if bad_kinds or not kinds:
        raise ValueError(f"kinds must be among ('speech', 'music'), got {kinds}")
    out = []
    with open(manifest, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            source = row.get("source") or row["path"].split("/")[0]
            if source in NONCOMMERCIAL_SOURCES and not allow_noncommercial:
                continue
            if source in UNCONFIRMED_SOURCES and not allow_unconfirmed:
                continue
            kind = _kind_of(source)
            if kind not in kinds:
                continue
            path = root / row["path"]
            parts = set(Path(row["path"]).parts[:-1])
            speaker = row.get("speaker") or ""
            if any(s == speaker or s in parts for s in exclude_speakers):
                continue
            s = path.as_posix()
            if include and not any(fnmatch.fnmatch(s, p) for p in include):
                continue
            if exclude and any(fnmatch.fnmatch(s, p) for p in exclude):
                continue
            rate = int(float(row["file_rate_hz"]))
            bandwidth = rate / 2
            match = _BANDLIMIT.search(row.get("wideband_check") or "")
            if match:
                bandwidth = min(bandwidth, float(match.group(1)))
            out.append(AnyBandFile(path, rate, bandwidth, kind, speaker, source))
    return out


def files_from_dirs(
    dirs: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    kind: str = "speech",
) -> list[AnyBandFile]:
    """Audio files under ``dirs`` (no manifest): rate from the header, band ``rate / 2``."""
    out = []
    for path in find_audio_files(dirs):
        s = path.as_posix()
        if include and not any(fnmatch.fnmatch(s, p) for p in include):
            continue
        if exclude and any(fnmatch.fnmatch(s, p) for p in exclude):
            continue
        try:
            _, rate, _ = audio_info(path)
        except AudioLoadError as err:
            logger.warning("skipping %s", err)
            continue
        out.append(AnyBandFile(path, rate, rate / 2, kind, path.parent.name, ""))
    return out


# --------------------------------------------------------------------------------------- corpus
@dataclass
class AnyBandCorpus:
    """An :class:`AudioCorpus` at the model rate with, per utterance, the band it holds and its
    kind (``"speech"`` / ``"music"``)."""

    corpus: AudioCorpus
    bandwidth_hz: np.ndarray
    kinds: list[str]

    @property
    def sampling_rate(self) -> int:
        return self.corpus.sampling_rate

    def __len__(self) -> int:
        return len(self.corpus)

    def indices(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kinds) if k == kind], dtype=np.int64)

    def save(self, path: str | os.PathLike) -> None:
        path = Path(path)
        self.corpus.save(path)
        meta = {"bandwidth_hz": self.bandwidth_hz.tolist(), "kinds": self.kinds}
        tmp = path.with_suffix(".tmp.json")
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, path.with_suffix(".json"))

    @classmethod
    def load(cls, path: str | os.PathLike) -> AnyBandCorpus:
        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        return cls(AudioCorpus.load(path), np.asarray(meta["bandwidth_hz"], float), meta["kinds"])


def build_anyband_corpus(
    files: list[AnyBandFile],
    sampling_rate: int,
    trim_db: float | None = 40.0,
    min_seconds: float = 0.1,
    cache_dir: str | os.PathLike | None = None,
) -> AnyBandCorpus:
    """Decode ``files`` (channels mixed down), resample each to ``sampling_rate`` (files at a
    lower rate too: their band stays their own, recorded in ``bandwidth_hz``), optionally trim
    silence at the ends. With ``cache_dir`` the result is cached (int16 ``.npz`` + ``.json``)
    under a name made from the files, their sizes and the settings; a cached corpus is always
    the one returned, so a resumed run sees the same samples."""
    if not files:
        raise ValueError("no training files (check the manifest filters and include/exclude)")
    cache = None
    if cache_dir is not None:
        h = hashlib.sha1()
        for f in files:
            h.update(f"{f.path}|{f.path.stat().st_size}|{f.bandwidth_hz}|{f.kind}".encode())
        h.update(f"{sampling_rate}-{trim_db}-{min_seconds}".encode())
        cache = Path(cache_dir) / f"anyband-{sampling_rate}-{h.hexdigest()[:12]}.npz"
        if cache.exists() and cache.with_suffix(".json").exists():
            return AnyBandCorpus.load(cache)
    chunks, names, bands, kinds = [], [], [], []
    nyquist = sampling_rate / 2
    for f in files:
        try:
            audio, rate = load_audio(f.path, always_2d=False)
        except AudioLoadError as err:
            logger.warning("skipping %s", err)
            continue
        audio = np.asarray(audio, dtype=np.float64)
        if audio.ndim == 2:
            audio = audio.mean(axis=0)
        audio = resample(audio, rate, sampling_rate).astype(np.float32)
        if trim_db is not None:
            audio = trim_silence(audio, trim_db)
        if audio.size < min_seconds * sampling_rate or not np.isfinite(audio).all():
            continue
        chunks.append(audio)
        names.append(str(f.path))
        bands.append(min(f.bandwidth_hz, rate / 2, nyquist))
        kinds.append(f.kind)
    if not chunks:
        raise ValueError(f"no usable audio among {len(files)} files")
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in chunks])]).astype(np.int64)
    result = AnyBandCorpus(
        AudioCorpus(np.concatenate(chunks), offsets, names, sampling_rate),
        np.asarray(bands, dtype=np.float64),
        kinds,
    )
    if cache is not None:
        result.save(cache)
        return AnyBandCorpus.load(cache)
    return result


def path_weights(names: list[str], weights: list[tuple[str, float]]) -> np.ndarray:
    """One sampling weight per utterance of ``names``: that of the first ``(glob, weight)``
    whose glob matches the utterance's path, 1 where none does."""
    out = np.ones(len(names), dtype=np.float64)
    for i, name in enumerate(names):
        s = Path(name).as_posix()
        for pattern, weight in weights:
            if fnmatch.fnmatch(s, pattern):
                out[i] = weight
                break
    return out


# ---------------------------------------------------------------------------------- degradation
def _fit(x: np.ndarray, n: int) -> np.ndarray:
    return x[:n] if len(x) >= n else np.pad(x, (0, n - len(x)))


def band_limit(x: np.ndarray, sampling_rate: int, cutoff_hz: float) -> np.ndarray:
    """Band-limited resampling of ``x`` to ``2 * cutoff_hz`` (:func:`hf_audiosr.dsp.degrade`,
    ``"sinc"``) and back to ``sampling_rate`` (:func:`hf_audiosr.dsp.resample`): what a file
    stored at twice the cut-off looks like once resampled to the model's rate. Same length."""
    low_rate = int(round(2 * cutoff_hz))
    if low_rate >= sampling_rate:
        return np.asarray(x, dtype=np.float64).copy()
    low = degrade(x, sampling_rate, low_rate, "sinc")
    return _fit(np.asarray(resample(low, low_rate, sampling_rate), np.float64), len(x))


def chebyshev_lowpass(x: np.ndarray, sampling_rate: int, cutoff_hz: float) -> np.ndarray:
    """8th-order Chebyshev type I low-pass (0.05 dB ripple) with its edge at ``cutoff_hz``,
    forwards and backwards: the filter of :func:`hf_audiosr.dsp.degrade`'s ``"cheby"`` (NU-Wave 2),
    without the decimation."""
    sos = scipy.signal.cheby1(8, 0.05, cutoff_hz, fs=sampling_rate, output="sos")
    return scipy.signal.sosfiltfilt(sos, np.asarray(x, dtype=np.float64))


def _codec_rate(cutoff_hz: float, sampling_rate: int) -> int:
    above = [r for r in STANDARD_RATES if r >= 2 * cutoff_hz and r <= sampling_rate]
    return min(above) if above else sampling_rate


def measured_band(
    degraded: np.ndarray,
    clean: np.ndarray,
    sampling_rate: int,
    upper_hz: float,
    floor_db: float = -12.0,
    present_db: float = 50.0,
) -> float:
    """The top of the band ``degraded`` kept of ``clean``, up to ``upper_hz``: the upper edge of
    the highest bin (of a 1024-point Welch spectrum, smoothed over 5 bins) below ``upper_hz``
    where ``clean`` has content (within ``present_db`` of its loudest bin) and ``degraded``'s
    power is within ``-floor_db`` dB of ``clean``'s; ``upper_hz`` when ``clean`` has none."""
    nperseg = min(1024, len(clean))
    freqs, p_clean = scipy.signal.welch(clean, sampling_rate, nperseg=nperseg)
    _, p_deg = scipy.signal.welch(degraded, sampling_rate, nperseg=nperseg)
    kernel = np.ones(5) / 5
    tiny = 1e-20
    ratio_db = 10 * np.log10(
        (np.convolve(p_deg, kernel, "same") + tiny) / (np.convolve(p_clean, kernel, "same") + tiny)
    )
    clean_db = 10 * np.log10(np.convolve(p_clean, kernel, "same") + tiny)
    # bins where the clean signal has content at all (a quiet top band tells nothing)
    present = clean_db >= clean_db.max() - present_db
    step = freqs[1] - freqs[0]
    below = freqs + step <= upper_hz
    if not (present & below).any():
        return float(upper_hz)
    kept = np.flatnonzero((ratio_db >= floor_db) & present & below)
    if kept.size == 0:
        return 0.0
    return float(min(upper_hz, freqs[kept[-1]] + step))


def degrade_any_band(
    x: np.ndarray,
    sampling_rate: int,
    cutoff_hz: float,
    method: str,
    codec: str | None = None,
) -> tuple[np.ndarray, float]:
    """``x`` at ``sampling_rate`` band-limited to ``cutoff_hz`` by ``method`` (see the module
    docstring), at the same rate and length. Returns ``(signal, input_bandwidth_hz)``: the
    cut-off, or for a codec the band it kept (at most the cut-off)."""
    x = np.asarray(x, dtype=np.float64)
    if not 0 < cutoff_hz < sampling_rate / 2:
        raise ValueError(
            f"cutoff_hz must be in (0, {sampling_rate / 2:g}) at {sampling_rate} Hz, got {cutoff_hz}"
        )
    if method == "sinc":
        return band_limit(x, sampling_rate, cutoff_hz), float(cutoff_hz)
    if method == "cheby":
        return chebyshev_lowpass(x, sampling_rate, cutoff_hz), float(cutoff_hz)
    if method == "fft":
        return fft_lowpass(x, sampling_rate, cutoff_hz), float(cutoff_hz)
    if method != "codec":
        raise ValueError(f"method must be one of {ANYBAND_METHODS}, got {method!r}")
    from ..codecs import codec_roundtrip

    if codec is None:
        raise ValueError("method 'codec' needs a codec name")
    if codec in TELEPHONE_CODECS and cutoff_hz > TELEPHONE_MAX_CUTOFF_HZ:
        raise ValueError(
            f"{codec} runs at 8 kHz: cutoff_hz must be at most {TELEPHONE_MAX_CUTOFF_HZ:g}, "
            f"got {cutoff_hz}"
        )
    limited = band_limit(x, sampling_rate, cutoff_hz)
    rate = 8000 if codec in TELEPHONE_CODECS else _codec_rate(cutoff_hz, sampling_rate)
    low = resample(limited, sampling_rate, rate).astype(np.float32)
    decoded = codec_roundtrip(low, rate, codec)
    y = _fit(np.asarray(resample(decoded, rate, sampling_rate), np.float64), len(x))
    # the codec's quantisation noise above the cut-off goes too: the band ends where it was cut
    y = band_limit(y, sampling_rate, cutoff_hz)
    kept = measured_band(y, limited, sampling_rate, cutoff_hz)
    return y, float(max(kept, min(cutoff_hz, MIN_REPORTED_BAND_HZ)))


def frequency_mask(
    bandwidth_hz: torch.Tensor, n_fft: int, sampling_rate: int, dtype=torch.float32
) -> torch.Tensor:
    """``(batch,)`` bands (Hz) -> ``(batch, n_fft // 2 + 1)`` loss mask: 1 for the STFT bins at or
    below each example's band, 0 above (where its target holds nothing to learn from)."""
    bins = torch.arange(n_fft // 2 + 1, device=bandwidth_hz.device, dtype=torch.float64)
    freqs = bins * (sampling_rate / n_fft)
    return (freqs[None, :] <= bandwidth_hz.to(torch.float64)[:, None]).to(dtype)


# -------------------------------------------------------------------------------------- dataset
class AnyBandExamples(Dataset):
    """Item ``i``, a pure function of ``(seed, i)``:

    ``{"input_values": (segment_length,), "labels": (segment_length,), "input_bandwidth_hz": (),
    "target_bandwidth_hz": ()}`` float32 tensors at the corpus rate (the module docstring says
    how they are made).

    Args:
        corpus: the training audio at the model rate.
        segment_length: samples per example.
        num_items: the dataset's length.
        degradation_mix: weights of ``sinc``, ``cheby``, ``fft``, ``codec``.
        codecs: codec names drawn (uniformly) for ``codec``; telephone codecs take cut-offs up
            to 3.8 kHz only.
        min_cutoff_hz / max_cutoff_hz: the range of the input's cut-off; the top is also kept
            ``cutoff_margin`` below each example's target band (default max: 0.98 x Nyquist).
        standard_cutoff_probability: chance of a cut-off real files have (half a common rate)
            instead of a uniform draw.
        polyphony_probability: chance (when the corpus holds music) of a mix of 2 to
            ``max_voices`` music files with random onsets, gains and speeds.
        speed_probability / speed_range: chance and range of a speed (and pitch) change.
        gain_db: range of the random gain (the peak is capped at 0.95).
        seed: the seed.
        min_rms: crops quieter than this are redrawn (up to 8 times).
    """

    def __init__(
        self,
        corpus: AnyBandCorpus,
        segment_length: int,
        num_items: int,
        degradation_mix: dict[str, float] | None = None,
        codecs: tuple[str, ...] = CODECS,
        min_cutoff_hz: float = 2000.0,
        max_cutoff_hz: float | None = None,
        cutoff_margin: float = 0.02,
        standard_cutoff_probability: float = 0.3,
        polyphony_probability: float = 0.5,
        max_voices: int = 5,
        speed_probability: float = 0.5,
        speed_range: tuple[float, float] = (0.9, 1.1),
        gain_db: tuple[float, float] = (-12.0, 3.0),
        seed: int = 0,
        min_rms: float = 3e-3,
        utterance_weights: np.ndarray | None = None,
    ):
        mix = dict(degradation_mix or {"sinc": 0.4, "cheby": 0.2, "fft": 0.2, "codec": 0.2})
        unknown = set(mix) - set(ANYBAND_METHODS)
        weights = np.array([mix.get(m, 0.0) for m in ANYBAND_METHODS], dtype=np.float64)
        if unknown or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(
                f"degradation_mix needs non-negative weights of {ANYBAND_METHODS} with a positive "
                f"sum, got {mix}"
            )
        if weights[3] > 0 and not codecs:
            raise ValueError("degradation_mix gives 'codec' a weight but codecs is empty")
        rate = corpus.sampling_rate
        nyquist = rate / 2
        self.max_cutoff_hz = float(max_cutoff_hz or 0.98 * nyquist)
        if not 0 < min_cutoff_hz < self.max_cutoff_hz <= nyquist:
            raise ValueError(
                f"need 0 < min_cutoff_hz < max_cutoff_hz <= {nyquist:g}, got {min_cutoff_hz} and "
                f"{self.max_cutoff_hz}"
            )
        lo, hi = speed_range
        if not 0 < lo <= hi:
            raise ValueError(f"speed_range must be 0 < low <= high, got {speed_range}")
        if max_voices < 2:
            raise ValueError(f"max_voices must be at least 2, got {max_voices}")
        self.corpus = corpus
        self.segment_length = int(segment_length)
        self.num_items = int(num_items)
        self.weights = weights / weights.sum()
        self.codecs = tuple(codecs)
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.cutoff_margin = float(cutoff_margin)
        self.standard_cutoff_probability = float(standard_cutoff_probability)
        self.max_voices = int(max_voices)
        self.speed_probability = float(speed_probability)
        self.speed_range = (float(lo), float(hi))
        self.gain_db = gain_db
        self.seed = int(seed)
        self.min_rms = float(min_rms)
        self.margin = int(round(CONTEXT_S * rate))
        # utterances that can give a cut-off in range at all
        usable = corpus.bandwidth_hz * (1 - cutoff_margin) * lo > self.min_cutoff_hz
        if not usable.any():
            raise ValueError(
                f"no utterance holds band above min_cutoff_hz ({self.min_cutoff_hz:g} Hz)"
            )
        lengths = corpus.corpus.lengths.astype(np.float64) * usable
        if utterance_weights is not None:
            utterance_weights = np.asarray(utterance_weights, dtype=np.float64)
            if utterance_weights.shape != lengths.shape or not (utterance_weights >= 0).all():
                raise ValueError(
                    f"utterance_weights needs one weight >= 0 per utterance ({len(lengths)}), "
                    f"got shape {utterance_weights.shape}"
                )
            lengths = lengths * utterance_weights
            if not lengths.any():
                raise ValueError("utterance_weights leave no usable utterance to draw")
        self.probabilities = lengths / lengths.sum()
        self.music = corpus.indices("music")
        self.music = self.music[usable[self.music]] if self.music.size else self.music
        self.polyphony_probability = float(polyphony_probability) if self.music.size >= 2 else 0.0

    def __len__(self) -> int:
        return self.num_items

    # -------------------------------------------------------------------- target
    def _read(self, index: int, start: int, length: int, speed: float) -> tuple[np.ndarray, float]:
        """``length`` samples from utterance ``index`` at ``start`` (zero-padded past its end),
        played ``speed`` times faster; and the band they hold."""
        rate = self.corpus.sampling_rate
        utt = self.corpus.corpus.utterance(index)
        band = float(self.corpus.bandwidth_hz[index])
        need = int(np.ceil(length * speed)) + 8
        piece = np.asarray(utt[start : start + need], dtype=np.float64)
        if speed != 1.0:
            new_rate = int(round(rate / speed))
            piece = resample(piece, rate, new_rate)
            band = min(band, new_rate / 2) * rate / new_rate
        return _fit(piece, length), min(band, rate / 2)

    def _speed(self, rng: np.random.Generator) -> float:
        if rng.random() < self.speed_probability:
            return float(rng.uniform(*self.speed_range))
        return 1.0

    def _single(self, rng: np.random.Generator, total: int) -> tuple[np.ndarray, float]:
        best = None
        for _ in range(8):
            idx = int(rng.choice(len(self.corpus), p=self.probabilities))
            speed = self._speed(rng)
            n = int(self.corpus.corpus.lengths[idx])
            start = int(rng.integers(0, max(n - int(total * speed), 0) + 1))
            crop, band = self._read(idx, start, total, speed)
            rms = float(np.sqrt(np.mean(crop**2)))
            if best is None or rms > best[0]:
                best = (rms, crop, band)
            if rms >= self.min_rms:
                break
        return best[1], best[2]

    def _polyphony(self, rng: np.random.Generator, total: int) -> tuple[np.ndarray, float]:
        voices = int(rng.integers(2, self.max_voices + 1))
        mix = np.zeros(total)
        band = self.corpus.sampling_rate / 2
        for _ in range(voices):
            idx = int(rng.choice(self.music))
            # a semitone shift of up to a fourth: more notes from the same one-shots
            speed = 2 ** (rng.uniform(-5, 5) / 12) if rng.random() < 0.7 else 1.0
            onset = int(rng.integers(0, max(total * 3 // 4, 1)))
            n = int(self.corpus.corpus.lengths[idx])
            # one-shots start at their attack; longer files anywhere
            start = 0 if rng.random() < 0.7 else int(rng.integers(0, max(n - total, 0) + 1))
            voice, voice_band = self._read(idx, start, total - onset, speed)
            peak = np.abs(voice).max()
            if peak <= 0:
                continue
            gain = 10 ** (rng.uniform(-12.0, 0.0) / 20) / peak
            mix[onset:] += gain * voice
            band = min(band, voice_band)
        return mix, band

    # -------------------------------------------------------------------- input
    def _cutoff(self, rng: np.random.Generator, top: float) -> float:
        lo = self.min_cutoff_hz
        hi = min(self.max_cutoff_hz, top * (1 - self.cutoff_margin))
        if hi <= lo:
            return lo
        standard = [c for c in STANDARD_CUTOFFS_HZ if lo <= c <= hi]
        if standard and rng.random() < self.standard_cutoff_probability:
            return float(standard[int(rng.integers(len(standard)))])
        cutoff = np.floor(rng.uniform(lo, hi) / CUTOFF_STEP_HZ) * CUTOFF_STEP_HZ
        return float(max(cutoff, lo))

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng([self.seed, int(index)])
        rate = self.corpus.sampling_rate
        total = self.segment_length + 2 * self.margin
        if rng.random() < self.polyphony_probability:
            high, band = self._polyphony(rng, total)
        else:
            high, band = self._single(rng, total)
        peak = np.abs(high).max()
        gain = 10 ** (rng.uniform(*self.gain_db) / 20)
        if peak > 0:
            gain = min(gain, 0.95 / peak)
        high = high * gain
        method = ANYBAND_METHODS[int(rng.choice(len(ANYBAND_METHODS), p=self.weights))]
        codec = None
        top = band
        if method == "codec":
            codec = self.codecs[int(rng.integers(len(self.codecs)))]
            if codec in TELEPHONE_CODECS:
                top = min(top, TELEPHONE_MAX_CUTOFF_HZ / (1 - self.cutoff_margin))
        cutoff = self._cutoff(rng, top)
        if high.any() and cutoff < band:
            low, input_band = degrade_any_band(high, rate, cutoff, method, codec)
        else:
            low, input_band = high.copy(), band
        m, n = self.margin, self.segment_length
        return {
            "input_values": torch.from_numpy(low[m : m + n].astype(np.float32)),
            "labels": torch.from_numpy(high[m : m + n].astype(np.float32)),
            "input_bandwidth_hz": torch.tensor(input_band, dtype=torch.float32),
            "target_bandwidth_hz": torch.tensor(band, dtype=torch.float32),
        }
