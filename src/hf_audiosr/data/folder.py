"""Folders of audio files as :class:`datasets.DatasetDict` s, and the transform that turns their
rows into super-resolution training pairs.

Every row points at one file: ``audio`` is a ``datasets.Audio(decode=False)`` value (a
``{"path", "bytes"}`` dict), so nothing needs torchcodec or FFmpeg; files are decoded with
soundfile (:func:`hf_audiosr.audio_io.load_audio`) by :func:`make_super_resolution_transform`
when a row is read.

Columns (shared with :func:`hf_audiosr.data.load_vctk`):

* ``audio``: ``{"path": str, "bytes": None}``
* ``speaker``: the name of the folder that holds the file
* ``utterance_id``: the file's path relative to the root, without its extension (``"spk1/take3"``)
* ``text``: the contents of a ``<same name>.txt`` next to the file, or ``""``
* ``path``: the absolute path, as a string
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from transformers.utils import logging

from ..audio_io import AudioLoadError, audio_info, find_audio_files
from .corpus import trim_silence

logger = logging.get_logger(__name__)

COLUMNS = ("audio", "speaker", "utterance_id", "text", "path")
SPLIT_BY = ("none", "speaker-folder")


def _features():
    from datasets import Features, Value

    # Built with a plain struct and cast to Audio(decode=False) afterwards: Audio.encode_example
    # imports torchcodec even for a bare path, casting the Arrow storage does not.
    return Features(
        {
            "audio": {"bytes": Value("binary"), "path": Value("string")},
            "speaker": Value("string"),
            "utterance_id": Value("string"),
            "text": Value("string"),
            "path": Value("string"),
        }
    )


def records_to_dataset(records: Sequence[dict]):
    """Rows ``{"speaker", "utterance_id", "text", "path"}`` -> a ``datasets.Dataset`` with the
    columns in :data:`COLUMNS` (``audio`` an ``Audio(decode=False)`` pointing at ``path``)."""
    from datasets import Audio, Dataset

    data = {
        "audio": [{"bytes": None, "path": str(r["path"])} for r in records],
        "speaker": [str(r["speaker"]) for r in records],
        "utterance_id": [str(r["utterance_id"]) for r in records],
        "text": [str(r.get("text") or "") for r in records],
        "path": [str(r["path"]) for r in records],
    }
    dataset = Dataset.from_dict(data, features=_features())
    return dataset.cast_column("audio", Audio(decode=False))


def read_text(path: Path) -> str:
    """A transcript file's text, stripped; ``""`` when there is none."""
    if not path.is_file():
        return ""
    return path.read_text(encoding="utf-8", errors="replace").strip()


def _speaker_folder_split(
    records: list[dict], test_fraction: float, seed: int
) -> tuple[list[dict], list[dict]]:
    counts: dict[str, int] = {}
    for r in records:
        counts[r["speaker"]] = counts.get(r["speaker"], 0) + 1
    speakers = sorted(counts)
    if len(speakers) < 2:
        raise ValueError(
            f"split_by='speaker-folder' needs at least 2 speaker folders, found {len(speakers)} "
            f"({speakers}); use split_by='none' for a file-level split"
        )
    order = [speakers[i] for i in np.random.default_rng(seed).permutation(len(speakers))]
    target = test_fraction * len(records)
    test_speakers: set[str] = set()
    n_test = 0
    # Whole speakers go to test, in a seeded random order, until it holds test_fraction of the
    # files; at least one speaker on each side.
    for speaker in order[:-1]:
        if test_speakers and n_test >= target:
            break
        test_speakers.add(speaker)
        n_test += counts[speaker]
    train = [r for r in records if r["speaker"] not in test_speakers]
    test = [r for r in records if r["speaker"] in test_speakers]
    return train, test


def _file_split(
    records: list[dict], test_fraction: float, seed: int
) -> tuple[list[dict], list[dict]]:
    n_test = int(round(test_fraction * len(records)))
    n_test = min(max(n_test, 1), len(records) - 1)
    chosen = set(np.random.default_rng(seed).permutation(len(records))[:n_test].tolist())
    train = [r for i, r in enumerate(records) if i not in chosen]
    test = [r for i, r in enumerate(records) if i in chosen]
    return train, test


def load_audio_folder(
    path: str | os.PathLike,
    *,
    split_by: str = "none",
    test_fraction: float | None = None,
    seed: int = 0,
    recursive: bool = True,
):
    """Every audio file under ``path`` (WAV, FLAC, OGG/Vorbis, MP3, AIFF) as a ``DatasetDict``.

    Args:
        path: the folder to scan.
        split_by: ``"none"`` (files are independent: with ``test_fraction`` > 0 a seeded random
            file-level split) or ``"speaker-folder"`` (whole speaker folders go to one side, so no
            speaker is in both splits).
        test_fraction: the share of files to put in ``test``. ``None`` means 0 for
            ``split_by="none"`` (one ``train`` split with everything) and 0.1 for
            ``"speaker-folder"``. With speaker folders the share is approximate: whole speakers
            are added to ``test`` (in a random order drawn from ``seed``) until it holds at least
            ``test_fraction`` of the files, keeping at least one speaker on each side.
        seed: seeds the split; the same folder and seed give the same split.
        recursive: look into sub-folders.

    Files whose header libsndfile cannot read are skipped with a warning naming them; nothing is
    decoded here. Returns a ``DatasetDict`` with ``train`` (and ``test`` when ``test_fraction`` >
    0), rows sorted by path, columns as in the module docstring.
    """
    from datasets import DatasetDict

    root = Path(path).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder")
    if split_by not in SPLIT_BY:
        raise ValueError(f"split_by must be one of {SPLIT_BY}, got {split_by!r}")
    if test_fraction is None:
        test_fraction = 0.1 if split_by == "speaker-folder" else 0.0
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    if split_by == "speaker-folder" and test_fraction == 0.0:
        raise ValueError("split_by='speaker-folder' needs test_fraction > 0")

    records = []
    root = root.resolve()
    for file in find_audio_files(root, recursive=recursive):
        try:
            audio_info(file)
        except AudioLoadError as err:
            logger.warning("skipping %s", err)
            continue
        records.append(
            {
                "speaker": file.parent.name,
                "utterance_id": file.relative_to(root).with_suffix("").as_posix(),
                "text": read_text(file.with_suffix(".txt")),
                "path": str(file),
            }
        )
    if not records:
        raise ValueError(f"{root}: no readable audio files (looked for WAV, FLAC, OGG, MP3, AIFF)")
    records.sort(key=lambda r: r["path"])

    if test_fraction == 0.0:
        return DatasetDict({"train": records_to_dataset(records)})
    if len(records) < 2:
        raise ValueError(f"{root}: a train/test split needs at least 2 files, found 1")
    if split_by == "speaker-folder":
        train, test = _speaker_folder_split(records, test_fraction, seed)
    else:
        train, test = _file_split(records, test_fraction, seed)
    logger.info("%s: %d train and %d test files", root, len(train), len(test))
    return DatasetDict({"train": records_to_dataset(train), "test": records_to_dataset(test)})


# --------------------------------------------------------------------------------------------
# Rows -> (low-resolution input, high-resolution label) pairs, for Dataset.with_transform.

PROTOCOLS = ("sinc", "cheby", "fft", "mix")
DEFAULT_PROTOCOL_WEIGHTS = {"sinc": 0.5, "cheby": 0.25, "fft": 0.25}


def _decode_mono(value) -> tuple[np.ndarray, int, str]:
    """A row's audio value -> (mono float32 samples, sampling rate, a name for messages)."""
    from ..audio_io import load_audio

    if isinstance(value, dict) and value.get("array") is not None:
        array = np.asarray(value["array"], dtype=np.float32)
        mono = array.mean(axis=0) if array.ndim == 2 else array.reshape(-1)
        return mono, int(value["sampling_rate"]), str(value.get("path") or "<array>")
    if isinstance(value, dict):
        source = value.get("bytes") or value.get("path")
        if source is None:
            raise ValueError(f"an audio value needs 'path' or 'bytes', got keys {sorted(value)}")
    else:
        source = value
    audio, sampling_rate = load_audio(source)
    name = source if isinstance(source, (str, os.PathLike)) else "<bytes>"
    return audio.mean(axis=0), sampling_rate, str(name)


def _row_key(value, index) -> int:
    """The integer that, with the seed and the epoch, fixes a row's randomness."""
    import hashlib

    if index is not None:
        index = int(index)
        if index < 0:
            raise ValueError(f"row indices must be non-negative, got {index}")
        return index
    if isinstance(value, dict) and value.get("path"):
        data = str(value["path"]).encode()
    elif isinstance(value, dict) and value.get("bytes"):
        data = bytes(value["bytes"])
    elif isinstance(value, dict) and value.get("array") is not None:
        data = np.ascontiguousarray(value["array"]).tobytes()
    elif isinstance(value, (str, os.PathLike)):
        data = str(value).encode()
    else:
        data = bytes(value)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


class SuperResolutionTransform:
    """Callable for ``Dataset.with_transform`` / ``set_transform``; build it with
    :func:`make_super_resolution_transform`, whose docstring describes it."""

    def __init__(
        self,
        input_sampling_rate: int,
        output_sampling_rate: int,
        *,
        segment_length: int | None = None,
        protocol: str = "sinc",
        protocol_weights: dict[str, float] | None = None,
        trim_silence_db: float | None = None,
        seed: int = 0,
        audio_column: str = "audio",
        index_column: str = "index",
    ):
        from math import gcd

        from .patches import _check_mix

        for name, rate in (
            ("input_sampling_rate", input_sampling_rate),
            ("output_sampling_rate", output_sampling_rate),
        ):
            if not isinstance(rate, (int, np.integer)) or rate <= 0:
                raise ValueError(f"{name} must be a positive integer, got {rate!r}")
        if input_sampling_rate >= output_sampling_rate:
            raise ValueError(
                f"input_sampling_rate ({input_sampling_rate}) must be below "
                f"output_sampling_rate ({output_sampling_rate})"
            )
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
        if protocol_weights is not None and protocol != "mix":
            raise ValueError("protocol_weights is only used with protocol='mix'")
        if protocol == "mix":
            methods, probabilities = _check_mix(protocol_weights or DEFAULT_PROTOCOL_WEIGHTS)
        else:
            methods, probabilities = [protocol], np.ones(1)
        integer_only = [m for m, p in zip(methods, probabilities) if m != "sinc" and p > 0]
        if integer_only and output_sampling_rate % input_sampling_rate:
            raise ValueError(
                f"protocol {'/'.join(integer_only)!r} needs an integer rate ratio, got "
                f"{output_sampling_rate}/{input_sampling_rate}; use protocol='sinc'"
            )
        g = gcd(int(input_sampling_rate), int(output_sampling_rate))
        self.output_step = int(output_sampling_rate) // g
        if segment_length is not None:
            if not isinstance(segment_length, (int, np.integer)) or segment_length <= 0:
                raise ValueError(
                    f"segment_length must be a positive integer, got {segment_length!r}"
                )
            if segment_length % self.output_step:
                raise ValueError(
                    f"segment_length must be a multiple of {self.output_step} so that the input "
                    f"has a whole number of samples ({segment_length} x {input_sampling_rate} / "
                    f"{output_sampling_rate} is not an integer)"
                )
        self.input_sampling_rate = int(input_sampling_rate)
        self.output_sampling_rate = int(output_sampling_rate)
        self.segment_length = None if segment_length is None else int(segment_length)
        self.protocol = protocol
        self.methods = list(methods)
        self.probabilities = np.asarray(probabilities, dtype=np.float64)
        self.trim_silence_db = trim_silence_db
        self.seed = int(seed)
        self.audio_column = audio_column
        self.index_column = index_column
        # Real signal (or the zeros beyond an utterance's ends) around a segment, so that the
        # degradation filters' edge transients fall outside the returned samples.
        self.context = self.output_step * -(-1024 // self.output_step)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw new segments and degradations: rows are a function of ``(seed, epoch, key)``."""
        self.epoch = int(epoch)

    def rng(self, key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, int(key)])

    def load(self, value) -> np.ndarray:
        """Decode, mix to mono, resample to the output rate, optionally trim silence (float64)."""
        from ..dsp import resample

        audio, sampling_rate, _ = _decode_mono(value)
        if sampling_rate < self.output_sampling_rate:
            # Once per rate pair (transformers' warning_once caches on the arguments).
            logger.warning_once(
                "audio at %d Hz is upsampled to the output rate %d Hz: its labels have nothing "
                "above %d Hz",
                sampling_rate,
                self.output_sampling_rate,
                sampling_rate // 2,
            )
        audio = np.asarray(resample(audio, sampling_rate, self.output_sampling_rate), np.float64)
        if self.trim_silence_db is not None:
            audio = trim_silence(audio, self.trim_silence_db)
        return audio

    def pair(self, audio: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``audio`` at the output rate -> (input at the input rate, label), both float32.

        Draws the segment start first, then the degradation method, from ``rng``.
        """
        from ..dsp import degrade

        out_rate, in_rate = self.output_sampling_rate, self.input_sampling_rate
        if self.segment_length is None:
            n = len(audio) - len(audio) % self.output_step
            if n == 0:
                audio, n = np.pad(audio, (0, self.output_step - len(audio))), self.output_step
            method = self.methods[rng.choice(len(self.methods), p=self.probabilities)]
            high = audio[:n]
            low = degrade(high, out_rate, in_rate, method)[: n * in_rate // out_rate]
            return low.astype(np.float32), high.astype(np.float32)
        length, margin = self.segment_length, self.context
        start = int(rng.integers(0, max(len(audio) - length, 0) + 1))
        method = self.methods[rng.choice(len(self.methods), p=self.probabilities)]
        padded = np.pad(audio, (margin, margin + max(length - len(audio), 0)))
        crop = padded[start : start + length + 2 * margin]
        low = degrade(crop, out_rate, in_rate, method)
        low_margin = margin * in_rate // out_rate
        low = low[low_margin : low_margin + length * in_rate // out_rate]
        high = crop[margin : margin + length]
        return low.astype(np.float32), high.astype(np.float32)

    def __call__(self, batch: dict[str, list]) -> dict[str, list[np.ndarray]]:
        if self.audio_column not in batch:
            raise KeyError(
                f"the batch has no {self.audio_column!r} column (columns: {sorted(batch)}); "
                "pass audio_column="
            )
        values = batch[self.audio_column]
        indices = batch.get(self.index_column, [None] * len(values))
        inputs, labels = [], []
        for value, index in zip(values, indices):
            low, high = self.pair(self.load(value), self.rng(_row_key(value, index)))
            inputs.append(low)
            labels.append(high)
        return {"input_values": inputs, "labels": labels}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.input_sampling_rate} -> {self.output_sampling_rate} Hz, "
            f"segment_length={self.segment_length}, protocol={self.protocol!r}, "
            f"methods={dict(zip(self.methods, self.probabilities.round(3).tolist()))}, "
            f"seed={self.seed}, epoch={self.epoch})"
        )


def make_super_resolution_transform(
    input_sampling_rate: int,
    output_sampling_rate: int,
    *,
    segment_length: int | None = None,
    protocol: str = "sinc",
    protocol_weights: dict[str, float] | None = None,
    trim_silence_db: float | None = None,
    seed: int = 0,
    audio_column: str = "audio",
    index_column: str = "index",
) -> SuperResolutionTransform:
    """A transform for ``Dataset.with_transform`` that makes (low, high) resolution pairs.

    For each row: decode ``audio_column`` with soundfile (an ``Audio(decode=False)`` dict with
    ``path`` or ``bytes``, a path, bytes, or a ``{"array", "sampling_rate"}`` dict), mix the
    channels to mono, resample to ``output_sampling_rate`` (band-limited,
    :func:`hf_audiosr.dsp.resample`), optionally trim leading/trailing frames quieter than
    ``trim_silence_db`` below the loudest one (:func:`hf_audiosr.data.trim_silence`, the rule of
    ``librosa.effects.trim``), cut a segment, and simulate the low-resolution input with
    :func:`hf_audiosr.dsp.degrade`.

    Returns ``{"input_values": [float32 (n_in,)], "labels": [float32 (n_out,)]}`` per batch, with
    ``n_in = n_out * input_sampling_rate / output_sampling_rate`` exactly:

    * ``segment_length=None``: the whole utterance, shortened by at most ``step - 1`` samples to
      a multiple of ``step = output_sampling_rate / gcd(rates)`` (3 for 16 -> 48 kHz).
    * ``segment_length=N`` (a multiple of ``step``): ``n_out = N`` output-rate samples starting
      at a random position (shorter utterances are zero-padded at the end). The degradation runs
      on the segment plus about 1024 samples of real context on each side, so its filters'
      edge transients do not reach the returned samples.

    ``protocol``: ``"sinc"`` (AP-BWE, default), ``"cheby"`` (Kuleshov / NU-Wave 2), ``"fft"``
    (NVSR / ssr_eval), or ``"mix"``: each row draws one of them with ``protocol_weights``
    (default ``{"sinc": 0.5, "cheby": 0.25, "fft": 0.25}``). ``cheby`` and ``fft`` need an
    integer rate ratio.

    Randomness: a row's segment start and then its method are drawn from
    ``numpy.random.default_rng([seed, epoch, key])``, so a row is the same whatever the batch,
    worker or order it is read in. ``key`` is the row's ``index_column`` value when the dataset
    has one (add it with ``ds.add_column("index", range(len(ds)))``), otherwise a stable hash of
    the file path (or of the bytes / array). ``epoch`` starts at 0; call
    ``transform.set_epoch(e)`` to draw new segments for epoch ``e`` (DataLoader workers copy the
    transform when they start, so with ``persistent_workers=True`` set it before creating them).
    """
    return SuperResolutionTransform(
        input_sampling_rate,
        output_sampling_rate,
        segment_length=segment_length,
        protocol=protocol,
        protocol_weights=protocol_weights,
        trim_silence_db=trim_silence_db,
        seed=seed,
        audio_column=audio_column,
        index_column=index_column,
    )
