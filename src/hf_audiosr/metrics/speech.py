"""Does super-resolution help the listener and the recognizer? Speech metrics, functional core.

* :func:`pesq_wb`: wideband PESQ, ITU-T P.862.2 (MOS-LQO, about 1.04 to 4.64), through the
  ``pesq`` package, always at 16 kHz (other rates are resampled first).
* :func:`stoi` / :func:`estoi`: short-time objective intelligibility (Taal et al., 2011) and its
  extended version (Jensen & Taal, 2016), through ``pystoi`` (which works at 10 kHz internally).
* :func:`wer` / :func:`cer`: word and character error rates through ``jiwer``, after the one text
  normalisation of :func:`normalize_transcript`; :func:`word_errors` gives the edit counts that
  a corpus-level WER adds up.

The signal metrics follow :mod:`hf_audiosr.metrics.functional`: ``(reference, estimate)`` as 1-D
arrays of the same length (:func:`~hf_audiosr.metrics.functional.align` first), a python float
back, and a ``ValueError`` saying what is wrong for input the metric cannot score (silence, a
clip too short) instead of a made-up value: ``pystoi`` returns 1e-5 with a warning when it finds
too few speech frames, which is turned into an error here.

The three packages are the ``eval`` extra (``pip install "hf-audiosr[eval]"``), imported only when
a metric is called; without them the call raises :class:`MissingExtraError` naming the extra.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .functional import _validate_pair

__all__ = [
    "PESQ_SAMPLING_RATE",
    "MissingExtraError",
    "WordErrors",
    "cer",
    "estoi",
    "normalize_transcript",
    "pesq_wb",
    "require_extra",
    "stoi",
    "wer",
    "word_errors",
]

PESQ_SAMPLING_RATE = 16000
"""Wideband PESQ (P.862.2) is defined at 16 kHz."""

EVAL_EXTRA_HINT = 'pip install "hf-audiosr[eval]"'


class MissingExtraError(ImportError, RuntimeError):
    """An optional package of the ``eval`` extra is not installed (an ``ImportError`` that the
    command line reports as one line, like every ``RuntimeError``)."""


def require_extra(module: str, purpose: str) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that provides it.

    Args:
        module: Import name (``"pesq"``, ``"pystoi"``, ``"jiwer"``, ``"pocketsphinx"``).
        purpose: What needs it, for the message (``"wideband PESQ"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingExtraError(
            f"{purpose} needs the `{module}` package, which is not installed: "
            f"{EVAL_EXTRA_HINT} (or pip install {module})"
        ) from err


def _to_rate(x: np.ndarray, sampling_rate: int, rate: int) -> np.ndarray:
    if sampling_rate == rate:
        return x
    from ..dsp import resample

    return np.asarray(resample(x, int(sampling_rate), rate), dtype=np.float64)


def _check_rate(sampling_rate: Any) -> int:
    if not isinstance(sampling_rate, (int, np.integer)) or sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be a positive integer (Hz), got {sampling_rate!r}.")
    return int(sampling_rate)


# --------------------------------------------------------------------------------------------
# PESQ
# --------------------------------------------------------------------------------------------
def pesq_wb(reference: Any, estimate: Any, *, sampling_rate: int) -> float:
    """Wideband PESQ (ITU-T P.862.2): predicted MOS-LQO of ``estimate`` against ``reference``.

    Both signals are resampled to 16 kHz when ``sampling_rate`` differs (P.862.2 is defined on
    16 kHz speech, so content above 8 kHz never counts), then scored by the ``pesq`` package in
    ``'wb'`` mode. A signal against itself scores 4.644, the top of the P.862.2 mapping; the
    bottom is about 1.04. The score is level-independent (P.862 aligns levels itself), and its
    time alignment tolerates the small delays of codecs.

    Args:
        reference: Clean reference speech, shape ``(T,)``.
        estimate: Degraded or super-resolved speech, shape ``(T,)``.
        sampling_rate: Rate of both signals in Hz.

    Returns:
        MOS-LQO as a float.

    Raises:
        ValueError: On invalid signals, a silent reference ("no utterances detected") or less than
            a quarter of a second of audio.
        MissingExtraError: When ``pesq`` is not installed.
    """
    ref, est = _validate_pair(reference, estimate)
    rate = _check_rate(sampling_rate)
    pesq = require_extra("pesq", "wideband PESQ")
    ref = _to_rate(ref, rate, PESQ_SAMPLING_RATE)
    est = _to_rate(est, rate, PESQ_SAMPLING_RATE)
    if not np.any(ref) or not np.any(est):
        which = "reference" if not np.any(ref) else "estimate"
        raise ValueError(f"PESQ is undefined for a silent {which} (all zeros).")
    try:
        return float(pesq.pesq(PESQ_SAMPLING_RATE, ref, est, "wb"))
    except pesq.PesqError as err:
        message = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else err
        raise ValueError(f"PESQ cannot score this pair: {message}") from err


# --------------------------------------------------------------------------------------------
# STOI
# --------------------------------------------------------------------------------------------
def _stoi(reference: Any, estimate: Any, sampling_rate: int, extended: bool) -> float:
    ref, est = _validate_pair(reference, estimate)
    rate = _check_rate(sampling_rate)
    name = "extended STOI" if extended else "STOI"
    pystoi = require_extra("pystoi", name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = float(pystoi.stoi(ref, est, rate, extended=extended))
    for w in caught:
        if "Not enough STFT frames" in str(w.message):
            # pystoi returns 1e-5 here: a placeholder, not a measurement
            raise ValueError(
                f"{name} needs at least 30 frames of speech (about 0.4 s above the silence "
                f"threshold) after its silent frames are removed; got fewer in {len(ref)} samples "
                f"at {rate} Hz."
            )
    return value


def stoi(reference: Any, estimate: Any, *, sampling_rate: int) -> float:
    """Short-time objective intelligibility (Taal et al., 2011), about 0 to 1 (1: as intelligible
    as the reference), through ``pystoi`` (silent frames of the reference removed, 10 kHz,
    one-third-octave bands up to 4.3 kHz, 384 ms segments).

    STOI looks at band envelopes below 4.3 kHz only, so it measures what happened to the band an
    8 kHz input already has (codec damage, filtering), not how well the missing 4-8 kHz band was
    predicted.

    Args:
        reference: Clean reference speech, shape ``(T,)``.
        estimate: Processed speech, shape ``(T,)``.
        sampling_rate: Rate of both signals in Hz.

    Raises:
        ValueError: On invalid signals or too little active speech (pystoi would return 1e-5).
        MissingExtraError: When ``pystoi`` is not installed.
    """
    return _stoi(reference, estimate, sampling_rate, extended=False)


def estoi(reference: Any, estimate: Any, *, sampling_rate: int) -> float:
    """Extended STOI (Jensen & Taal, 2016): like :func:`stoi` but from spectral correlations
    across bands too, so it also tracks modulated distortions; same arguments and errors."""
    return _stoi(reference, estimate, sampling_rate, extended=True)


# --------------------------------------------------------------------------------------------
# transcripts
# --------------------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_SPLITTERS = re.compile(r"[-\u2010-\u2015/_]+")  # hyphens, dashes, slashes join words: split them
_NOT_WORD = re.compile(r"[^\w' ]+")
_EDGE_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")


def normalize_transcript(text: str) -> str:
    """The one text normalisation applied to references and hypotheses before WER and CER.

    In order:

    1. Unicode NFKC, then lower case.
    2. Typographic apostrophes become ``'``; an apostrophe inside a word is kept (``i've``,
       ``don't``, ``o'neill``: recognizers' dictionaries spell them so), one at a word edge
       (quotes) is dropped.
    3. Hyphens, dashes, slashes and underscores become spaces (``well-known`` -> ``well known``).
    4. Every other character that is not a letter, digit, apostrophe or space is removed
       (``.,;:!?"()`` and the rest).
    5. Runs of whitespace become one space; leading and trailing space is removed.

    Numbers are kept as written: no digits are turned into words or back (``3`` and ``three``
    are different words). The VCTK transcripts write their numbers in words, as recognizers do.

    Args:
        text: Any string.

    Returns:
        The normalised string (possibly empty).
    """
    if not isinstance(text, str):
        raise ValueError(f"a transcript must be a string, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    text = _SPLITTERS.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _EDGE_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class WordErrors:
    """Edit counts of one hypothesis against one reference, after normalisation.

    ``errors = substitutions + deletions + insertions``; ``length`` is the number of reference
    words (for :func:`word_errors`) or characters (``unit="char"``). A corpus error rate is the
    sum of ``errors`` over the sum of ``length``.
    """

    substitutions: int
    deletions: int
    insertions: int
    hits: int
    length: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        return self.errors / self.length


def word_errors(reference: str, hypothesis: str, *, unit: str = "word") -> WordErrors:
    """Levenshtein alignment of ``hypothesis`` against ``reference`` (``jiwer``), after
    :func:`normalize_transcript` on both, counted in words (``unit="word"``) or characters
    (``unit="char"``, spaces included).

    Raises:
        ValueError: When the normalised reference is empty (no error rate is defined), or on an
            unknown ``unit``.
        MissingExtraError: When ``jiwer`` is not installed.
    """
    if unit not in ("word", "char"):
        raise ValueError(f"`unit` must be 'word' or 'char', got {unit!r}.")
    ref = normalize_transcript(reference)
    hyp = normalize_transcript(hypothesis)
    if not ref:
        raise ValueError(
            f"the reference transcript {reference!r} is empty after normalisation: "
            "an error rate needs at least one reference word."
        )
    jiwer = require_extra("jiwer", "word error rate")
    length = len(ref.split()) if unit == "word" else len(ref)
    if not hyp:  # nothing recognised: every reference word (or character) is a deletion
        return WordErrors(0, length, 0, 0, length)
    out = (jiwer.process_words if unit == "word" else jiwer.process_characters)(ref, hyp)
    return WordErrors(out.substitutions, out.deletions, out.insertions, out.hits, length)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words, after
    :func:`normalize_transcript`. 0 for a perfect transcript; can exceed 1 (insertions)."""
    return word_errors(reference, hypothesis).rate


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate on the normalised strings (single spaces count as characters)."""
    return word_errors(reference, hypothesis, unit="char").rate
