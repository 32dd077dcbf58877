"""Offline speech recognizers behind one small interface, for the word error rate of processed speech.

A recognizer is anything with ``transcribe(audio, sampling_rate) -> str`` (:class:`Recognizer`).
Two come with the package:

* :class:`PocketSphinxRecognizer` (the default): CMU PocketSphinx 5 with the US English acoustic
  model, language model and dictionary that its wheel ships, so nothing is downloaded. It decodes
  16 kHz audio (other rates are resampled), in about real time on one CPU core.
* :class:`TransformersRecognizer`: any ``transformers`` automatic-speech-recognition pipeline (or a
  model id / folder to build one from), e.g. a Whisper or wav2vec 2.0 checkpoint you have locally.

:func:`load_recognizer` turns a name (``"pocketsphinx"``, ``"transformers:<model>"``) or an object
into a recognizer; the benchmark and the ``evaluate`` module take either.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from .speech import require_extra

__all__ = [
    "PocketSphinxRecognizer",
    "Recognizer",
    "TransformersRecognizer",
    "load_recognizer",
]


@runtime_checkable
class Recognizer(Protocol):
    """Speech to text: ``transcribe(audio (T,) float, sampling_rate Hz) -> text``."""

    def transcribe(self, audio: np.ndarray, sampling_rate: int) -> str: ...


def _mono_float(audio: Any, sampling_rate: Any) -> tuple[np.ndarray, int]:
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"a recognizer takes non-empty mono (T,) audio, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("a recognizer cannot transcribe audio holding NaN or infinite values")
    if not isinstance(sampling_rate, (int, np.integer)) or sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be a positive integer (Hz), got {sampling_rate!r}")
    return x, int(sampling_rate)


class PocketSphinxRecognizer:
    """CMU PocketSphinx with the US English model shipped in its wheel (fully offline).

    Audio is resampled to 16 kHz, clipped to [-1, 1], converted to 16-bit PCM and decoded as one
    utterance by a fresh decoder. A PocketSphinx decoder adapts to what it has heard (its cepstral
    mean and more carry over from one utterance to the next, even with ``cmn="batch"`` or the mean
    restored), so a reused one transcribes the same clip differently depending on the clips before
    it; a new decoder per call (about 0.3 s to create) makes every transcript a function of its
    audio alone, so systems scored in any order are compared fairly.

    Args:
        **decoder_options: Passed to ``pocketsphinx.Decoder`` (e.g. ``hmm=``, ``lm=``, ``dict=``
            for another language's model, ``beam=``); ``loglevel`` defaults to ``"FATAL"``.
    """

    sampling_rate = 16000
    name = "pocketsphinx"

    def __init__(self, **decoder_options: Any) -> None:
        self._options = {"loglevel": "FATAL", **decoder_options}

    def _new_decoder(self):
        ps = require_extra("pocketsphinx", "the pocketsphinx recognizer")
        return ps.Decoder(samprate=self.sampling_rate, **self._options)

    def transcribe(self, audio: np.ndarray, sampling_rate: int) -> str:
        x, rate = _mono_float(audio, sampling_rate)
        if rate != self.sampling_rate:
            from ..dsp import resample

            x = resample(x, rate, self.sampling_rate)
        pcm = (np.clip(x, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()
        decoder = self._new_decoder()  # no state from earlier utterances
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


class TransformersRecognizer:
    """Wrap a ``transformers`` automatic-speech-recognition pipeline as a :class:`Recognizer`.

    Args:
        asr: A pipeline object (anything called as ``asr({"raw": audio, "sampling_rate": sr})`` that
            returns ``{"text": ...}``), or a model id / local folder to build
            ``transformers.pipeline("automatic-speech-recognition", model=asr)`` from.
        **pipeline_kwargs: Passed to ``transformers.pipeline`` when ``asr`` is a name (``device=``,
            ``dtype=``, ...); given with a pipeline object they are an error.
    """

    def __init__(self, asr: Any, **pipeline_kwargs: Any) -> None:
        if isinstance(asr, str):
            from transformers import pipeline

            asr = pipeline("automatic-speech-recognition", model=asr, **pipeline_kwargs)
        elif pipeline_kwargs:
            raise ValueError("pipeline keyword arguments go with a model name, not a pipeline")
        if not callable(asr):
            raise ValueError(f"expected an ASR pipeline or a model name, got {type(asr).__name__}")
        self.pipeline = asr
        model = getattr(asr, "model", None)
        self.name = (
            getattr(getattr(model, "config", None), "name_or_path", None) or type(asr).__name__
        )

    def transcribe(self, audio: np.ndarray, sampling_rate: int) -> str:
        x, rate = _mono_float(audio, sampling_rate)
        out = self.pipeline({"raw": x, "sampling_rate": rate})
        text = out.get("text") if isinstance(out, dict) else None
        if not isinstance(text, str):
            raise ValueError(
                f"the ASR pipeline returned {type(out).__name__} without a 'text' string"
            )
        return text


def load_recognizer(spec: str | Recognizer | None = None) -> Recognizer:
    """A recognizer from a name or an object.

    Args:
        spec: ``None`` or ``"pocketsphinx"`` (the default offline recognizer),
            ``"transformers:<model id or folder>"`` (an ASR pipeline built from it), or any object
            with a ``transcribe(audio, sampling_rate)`` method (returned as it is).
    """
    if spec is None or spec == "pocketsphinx":
        return PocketSphinxRecognizer()
    if isinstance(spec, str):
        if spec.startswith("transformers:") and spec.split(":", 1)[1]:
            return TransformersRecognizer(spec.split(":", 1)[1])
        raise ValueError(
            f"unknown recognizer {spec!r}: use 'pocketsphinx' or 'transformers:<model id or folder>'"
        )
    if isinstance(spec, Recognizer):
        return spec
    raise ValueError(
        f"a recognizer needs a transcribe(audio, sampling_rate) method; got {type(spec).__name__}"
    )
