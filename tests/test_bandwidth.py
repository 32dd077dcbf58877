from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr import estimate_bandwidth
from hf_audiosr.dsp import resample

EXAMPLE = Path(__file__).parents[1] / "src" / "hf_audiosr" / "examples" / "p228_008_8k.flac"


def _pink(n: int, seed: int = 0) -> np.ndarray:
    """Noise whose level falls 3 dB/octave: full band, no cut-off."""
    spec = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    freqs = np.arange(len(spec), dtype=np.float64)
    spec[1:] /= np.sqrt(freqs[1:])
    x = np.fft.irfft(spec, n)
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


def test_full_band_noise_has_no_cutoff():
    est = estimate_bandwidth(_pink(48000 * 2), 48000)
    assert est.full_band and est.cutoff_hz == 24000


@pytest.mark.parametrize("low_rate", [8000, 16000])
def test_resampled_speech_shows_its_brick_wall(low_rate):
    speech, sr = sf.read(EXAMPLE, dtype="float32")
    if low_rate != sr:
        speech = resample(speech, sr, low_rate)
    up = resample(speech, low_rate, 48000).astype(np.float32)
    est = estimate_bandwidth(up, 48000)
    assert not est.full_band
    # the 8 kHz example itself only holds ~4 kHz, so both walls sit near 4 kHz
    assert abs(est.cutoff_hz - 4000) < 400, est


def test_lowpassed_noise_cutoff_within_ten_percent():
    x = _pink(16000 * 3, seed=1)
    up = resample(resample(x, 16000, 12000), 12000, 48000).astype(np.float32)
    est = estimate_bandwidth(up, 48000)
    assert abs(est.cutoff_hz - 6000) < 600, est


def test_silence_and_short_input_are_answered_not_crashed():
    assert estimate_bandwidth(np.zeros(48000, np.float32), 48000).kind == "silent"
    assert estimate_bandwidth(_pink(200), 48000).kind == "too_short"


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        estimate_bandwidth(np.zeros(0, np.float32), 16000)
    with pytest.raises(ValueError):
        estimate_bandwidth(np.array([0.0, np.nan] * 1000, np.float32), 16000)
