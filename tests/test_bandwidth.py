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


def test_telephone_band_pass_at_8_khz_is_a_band_pass():
    import scipy.signal

    x = _pink(8000 * 4, seed=2)
    sos = scipy.signal.butter(8, [300, 3400], btype="bandpass", fs=8000, output="sos")
    est = estimate_bandwidth(scipy.signal.sosfiltfilt(sos, x), 8000)
    # 3.4 kHz of 4 sits where a converter's filter would, but nothing below 300 Hz either
    assert est.kind == "bandpass" and not est.full_band, est
    assert abs(est.cutoff_hz - 3400) < 340 and 250 <= est.low_cutoff_hz <= 400, est


def test_steep_roll_off_with_content_above_is_no_cutoff():
    """A guitar amplifier's roll-off (as in the SiSEC guitar stem): 25 dB down within 1/3 octave
    at 5 kHz, then content that goes on falling gradually, 12 dB/octave, to the top of the band
    (not a floor): full band."""
    sr, n = 44100, 44100 * 3
    spec = np.fft.rfft(np.random.default_rng(3).standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sr)
    gain_db = np.where(f < 5000, 0.0, np.where(f < 6300, -25 * (f - 5000) / 1300, -25.0))
    gain_db -= np.where(f > 6300, 12 * np.log2(np.maximum(f, 6300) / 6300), 0.0)
    x = np.fft.irfft(spec * 10 ** (gain_db / 20) / np.sqrt(np.maximum(f, 50)), n)
    x *= 0.3 / np.abs(x).max() * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * np.arange(n) / sr))
    est = estimate_bandwidth(x.astype(np.float32), sr)
    assert est.full_band, est
    # the same roll-off onto nothing (content removed above 6.3 kHz) is a cut-off
    spec[f > 6300] = 0
    y = np.fft.irfft(spec * 10 ** (gain_db / 20) / np.sqrt(np.maximum(f, 50)), n)
    y *= 0.3 / np.abs(y).max() * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * np.arange(n) / sr))
    cut = estimate_bandwidth(y.astype(np.float32), sr)
    assert not cut.full_band and 4500 <= cut.cutoff_hz <= 6300, cut
