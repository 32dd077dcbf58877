"""Objective metrics for audio super-resolution.

The numpy functional API (:mod:`hf_audiosr.metrics.functional`: LSD, SNR, SI-SDR) and the speech
metrics (:mod:`hf_audiosr.metrics.speech`: wideband PESQ, STOI, eSTOI, WER, CER; recognizers in
:mod:`hf_audiosr.metrics.asr`) are re-exported here. The speech metrics need the ``eval`` extra
(``pip install "hf-audiosr[eval]"``: pesq, pystoi, jiwer, pocketsphinx), imported only when one is
called. The torch losses live in :mod:`hf_audiosr.metrics.losses` and are not imported by this
package, so that ``import hf_audiosr.metrics`` only needs numpy and librosa.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_audiosr.metrics.asr import (
    PocketSphinxRecognizer,
    Recognizer,
    TransformersRecognizer,
    load_recognizer,
)
from hf_audiosr.metrics.functional import (
    align,
    compute_all,
    legacy_lsd,
    lsd,
    lsd_hf,
    lsd_lf,
    si_sdr,
    snr,
)
from hf_audiosr.metrics.speech import (
    MissingExtraError,
    cer,
    estoi,
    normalize_transcript,
    pesq_wb,
    stoi,
    wer,
    word_errors,
)

if TYPE_CHECKING:
    import evaluate

__all__ = [
    "EVALUATE_MODULE_PATH",
    "MissingExtraError",
    "PocketSphinxRecognizer",
    "Recognizer",
    "TransformersRecognizer",
    "align",
    "cer",
    "compute_all",
    "estoi",
    "legacy_lsd",
    "load_evaluate_metric",
    "load_recognizer",
    "lsd",
    "lsd_hf",
    "lsd_lf",
    "normalize_transcript",
    "pesq_wb",
    "si_sdr",
    "snr",
    "stoi",
    "wer",
    "word_errors",
]

EVALUATE_MODULE_PATH = Path(__file__).parent / "audiosr_metrics"
"""Folder holding the ``evaluate`` script ``audiosr_metrics.py``."""


def load_evaluate_metric(**kwargs: Any) -> evaluate.EvaluationModule:
    """Load the ``audiosr_metrics`` evaluate module from this package (works offline).

    Args:
        **kwargs: Forwarded to :func:`evaluate.load` (e.g. ``cache_dir``, ``experiment_id``).

    Returns:
        The loaded ``evaluate.Metric``; call ``.compute(predictions=..., references=...,
        sampling_rate=..., input_sampling_rate=...)``.
    """
    import evaluate  # deferred: evaluate pulls in datasets/pyarrow

    return evaluate.load(str(EVALUATE_MODULE_PATH), **kwargs)
