"""Tests for the offline `evaluate` module shipped in hf_audiosr/metrics/audiosr_metrics."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("evaluate")

from hf_audiosr.metrics import EVALUATE_MODULE_PATH, compute_all, load_evaluate_metric  # noqa: E402

SRC_DIR = Path(__file__).resolve().parents[2] / "src"
KEYS = {"lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr", "legacy_lsd"}


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_EVALUATE_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def test_module_script_exists():
    assert (EVALUATE_MODULE_PATH / "audiosr_metrics.py").is_file()


def test_compute_is_mean_of_compute_all(offline, tmp_path):
    rng = np.random.default_rng(0)
    refs = [rng.standard_normal(n).astype(np.float32) for n in (16000, 12000)]
    preds = [
        (0.5 * refs[0]).astype(np.float32),
        (refs[1][:-80] + 0.05 * rng.standard_normal(12000 - 80)).astype(np.float32),
    ]
    metric = load_evaluate_metric(cache_dir=str(tmp_path))
    out = metric.compute(
        predictions=preds, references=refs, sampling_rate=16000, input_sampling_rate=8000
    )
    assert set(out) == KEYS | {"n"}
    assert out["n"] == 2
    per_utt = [
        compute_all(r, p, sampling_rate=16000, input_sampling_rate=8000)
        for r, p in zip(refs, preds)
    ]
    for key in KEYS:
        assert out[key] == pytest.approx(np.mean([s[key] for s in per_utt]), rel=1e-6), key
    assert out["lsd"] == pytest.approx((math.log10(4) + per_utt[1]["lsd"]) / 2, rel=1e-6)


def test_add_batch_then_compute(offline, tmp_path):
    rng = np.random.default_rng(1)
    ref = rng.standard_normal(8000).astype(np.float32)
    metric = load_evaluate_metric(cache_dir=str(tmp_path))
    metric.add_batch(predictions=[0.5 * ref], references=[ref])
    metric.add(predictions=0.5 * ref, references=ref)
    out = metric.compute(sampling_rate=16000, input_sampling_rate=4000)
    assert out["n"] == 2
    assert out["snr"] == pytest.approx(20 * math.log10(2), abs=1e-4)


def test_missing_rates_error(offline, tmp_path):
    ref = np.ones(4000, dtype=np.float32)
    metric = load_evaluate_metric(cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="`sampling_rate` and `input_sampling_rate` are required"):
        metric.compute(predictions=[ref], references=[ref])


def test_loads_in_fresh_offline_process(tmp_path):
    """evaluate reads the offline flags at import time, so check them in a clean interpreter."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        HF_EVALUATE_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        HF_HOME=str(tmp_path / "hf_home"),  # empty cache: nothing can come from a previous run
        PYTHONPATH=os.pathsep.join(p for p in (str(SRC_DIR), env.get("PYTHONPATH")) if p),
    )
    code = (
        "import json, numpy as np, evaluate\n"
        "from hf_audiosr.metrics import load_evaluate_metric\n"
        "assert evaluate.config.HF_EVALUATE_OFFLINE\n"
        "m = load_evaluate_metric()\n"
        "x = np.random.default_rng(0).standard_normal(8000).astype('float32')\n"
        "print(json.dumps(m.compute(predictions=[0.5 * x], references=[x],"
        " sampling_rate=16000, input_sampling_rate=8000)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n"] == 1
    assert out["lsd"] == pytest.approx(math.log10(4), abs=1e-6)
