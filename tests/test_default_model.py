"""The bundled default model does its job on held-out real speech (VCTK test speakers)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import hf_audiosr
from hf_audiosr.dsp import degrade, interpolate
from hf_audiosr.metrics import lsd, lsd_lf, snr

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval"
CLIPS = [
    "ap-bwe_vctk_peers/BWE_16k/8kto16k/wideband.flac",
    "kuleshov_tfilm_vctk_piano/msp/2/msp.1.2.hr.flac",
    "kuleshov_tfilm_vctk_piano/msp/2/msp.3.2.hr.flac",
]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    if not EVAL.is_dir():
        pytest.skip(f"evaluation clips not found at {EVAL}")
    pipe = hf_audiosr.pipeline()
    tmp = tmp_path_factory.mktemp("lowres")
    rows = []
    for i, rel in enumerate(CLIPS):
        ref, sr = sf.read(EVAL / rel, dtype="float64")
        assert sr == 16000
        low = degrade(ref, 16000, 8000, "sinc")  # the AP-BWE protocol
        path = tmp / f"clip{i}_8k.wav"
        sf.write(path, low.astype(np.float32), 8000, subtype="FLOAT")
        # a file path in, as users call it; the references are 16 kHz, so 16 kHz out (with no
        # target, auto takes 8 kHz speech to 48 kHz: tests/test_bundled_models.py scores that)
        out = pipe(str(path), target_sampling_rate=16000)
        assert out["sampling_rate"] == 16000 and out["audio"].shape == ref.shape
        est = out["audio"].astype(np.float64)
        rows.append(
            {
                "model": lsd(ref, est),
                "sinc": lsd(ref, interpolate(low, 2, "sinc")),
                "cubic": lsd(ref, interpolate(low, 2, "cubic")),
                "model_lf": lsd_lf(ref, est, sampling_rate=16000, input_sampling_rate=8000),
                "snr": snr(ref, est),
            }
        )
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def test_default_model_clearly_beats_interpolation_in_lsd(scores):
    # "clearly": at least 30 % lower LSD than the better of the two interpolations
    assert scores["model"] < 0.7 * min(scores["sinc"], scores["cubic"])


def test_default_model_keeps_the_low_band_and_a_sane_snr(scores):
    assert scores["model_lf"] < 0.4
    assert scores["snr"] > 15.0
