"""Objective metrics for audio super-resolution.

The numpy functional API (:mod:`hf_audiosr.metrics.functional`) is re-exported here. The torch
losses live in :mod:`hf_audiosr.metrics.losses` and are not imported by this package, so that
``import hf_audiosr.metrics`` only needs numpy and librosa.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import evaluate

__all__ = [
    "EVALUATE_MODULE_PATH",
    "align",
    "compute_all",
    "legacy_lsd",
    "load_evaluate_metric",
    "lsd",
    "lsd_hf",
    "lsd_lf",
    "si_sdr",
    "snr",
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
