"""A corpus of audio held in memory at one sampling rate, cached to a single ``.npz``.

Training reads random patches out of it; the cache makes a training run start in seconds and lets a
run on another machine (a rented GPU without soundfile) take its data as one file.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from transformers.utils import logging

from ..audio_io import AudioLoadError, find_audio_files, load_audio
from ..dsp import resample

logger = logging.get_logger(__name__)


@dataclass
class AudioCorpus:
    """Utterances concatenated into ``samples`` (float32); utterance ``i`` is
    ``samples[offsets[i]:offsets[i + 1]]``."""

    samples: np.ndarray
    offsets: np.ndarray
    names: list[str]
    sampling_rate: int

    def __len__(self) -> int:
        return len(self.names)

    def utterance(self, index: int) -> np.ndarray:
        return self.samples[self.offsets[index] : self.offsets[index + 1]]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def duration_s(self) -> float:
        return float(self.offsets[-1]) / self.sampling_rate

    def save(self, path: str | os.PathLike) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        peak = max(float(np.abs(self.samples).max(initial=0.0)), 1e-9)
        scale = min(1.0, 0.999 / peak)
        np.savez(
            tmp,
            samples=np.round(self.samples * scale * 32767).astype(np.int16),
            scale=np.float32(scale),
            offsets=self.offsets,
            names=np.array(json.dumps(self.names)),
            sampling_rate=np.int64(self.sampling_rate),
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> AudioCorpus:
        with np.load(path) as f:
            samples = f["samples"].astype(np.float32) / (32767.0 * float(f["scale"]))
            return cls(samples, f["offsets"], json.loads(str(f["names"])), int(f["sampling_rate"]))


def select_files(
    dirs: list[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> list[Path]:
    """Audio files under ``dirs`` whose path matches any ``include`` glob (all if none) and no
    ``exclude`` glob (patterns are matched against the full path, e.g. ``"*/p225/*"``)."""
    files = find_audio_files(dirs)
    out = []
    for f in files:
        s = f.as_posix()
        if include and not any(fnmatch.fnmatch(s, p) for p in include):
            continue
        if exclude and any(fnmatch.fnmatch(s, p) for p in exclude):
            continue
        out.append(f)
    return out


def trim_silence(
    audio: np.ndarray, top_db: float = 40.0, frame_length: int = 2048, hop_length: int = 512
) -> np.ndarray:
    """Cut leading and trailing frames quieter than ``top_db`` below the loudest frame.

    The rule of ``librosa.effects.trim`` (identical output on every file of our training data):
    frame mean squares over centred, zero-padded frames; a frame is sound when
    ``10 log10(ms / max ms) > -top_db``; keep from the first sound frame's start to the last
    one's end. Written with numpy so the transform avoids librosa's numba start-up (seconds per
    process, e.g. each DataLoader worker). Returns ``audio`` unchanged when no frame is sound.
    """
    audio = np.asarray(audio)
    if audio.size == 0:
        return audio
    padded = np.pad(audio.astype(np.float64), frame_length // 2)
    n_frames = 1 + (len(padded) - frame_length) // hop_length
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)[::hop_length]
    power = np.mean(frames[:n_frames] ** 2, axis=-1)
    amin = 1e-10
    db = 10 * np.log10(np.maximum(power, amin)) - 10 * np.log10(max(power.max(), amin))
    sound = np.flatnonzero(db > -top_db)
    if sound.size == 0:
        return audio
    start = int(sound[0] * hop_length)
    end = min(len(audio), int((sound[-1] + 1) * hop_length))
    return audio[start:end]


def build_corpus(
    files: list[Path],
    sampling_rate: int,
    trim_db: float | None = 40.0,
    min_seconds: float = 0.25,
) -> AudioCorpus:
    """Decode ``files`` (mixing channels down), resample to ``sampling_rate``, optionally trim
    leading/trailing silence. Files at a lower rate than ``sampling_rate`` are skipped (they
    would teach the model to predict an empty band)."""
    chunks, names = [], []
    for f in files:
        try:
            audio, sr = load_audio(f, always_2d=False)
        except AudioLoadError as err:
            logger.warning("skipping %s", err)
            continue
        if sr < sampling_rate:
            logger.warning(
                "skipping %s: %d Hz is below the corpus rate %d Hz", f, sr, sampling_rate
            )
            continue
        audio = resample(audio, sr, sampling_rate).astype(np.float32)
        if trim_db is not None:
            audio = trim_silence(audio, trim_db)
        if audio.size < min_seconds * sampling_rate or not np.isfinite(audio).all():
            continue
        chunks.append(audio)
        names.append(str(f))
    if not chunks:
        raise ValueError(f"no usable audio among {len(files)} files at >= {sampling_rate} Hz")
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in chunks])]).astype(np.int64)
    return AudioCorpus(np.concatenate(chunks), offsets, names, sampling_rate)


def corpus_fingerprint(files: list[Path], sampling_rate: int, trim_db: float | None) -> str:
    h = hashlib.sha1()
    for f in files:
        h.update(str(f).encode())
        h.update(str(f.stat().st_size).encode())
    h.update(f"{sampling_rate}-{trim_db}".encode())
    return h.hexdigest()[:12]
