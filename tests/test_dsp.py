import numpy as np
import pytest
from scipy.interpolate import splev, splrep

from hf_audiosr import dsp


def sine(freq, sr, seconds=0.5, amp=0.5):
    t = np.arange(int(sr * seconds)) / sr
    return amp * np.sin(2 * np.pi * freq * t)


def band_energy(x, sr, lo, hi):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / sr)
    return spec[(f >= lo) & (f < hi)].sum() / max(spec.sum(), 1e-30)


@pytest.mark.parametrize("factor", [2, 3, 4, 6])
def test_sinc_interpolation_reproduces_band_limited_sine(factor):
    low_sr = 8000
    x = sine(1000, low_sr)
    y = dsp.interpolate(x, factor, "sinc")
    assert y.shape == (len(x) * factor,)
    expected = sine(1000, low_sr * factor)
    inner = slice(100 * factor, -100 * factor)
    assert np.max(np.abs(y[inner] - expected[inner])) < 1e-3
    np.testing.assert_allclose(y[::factor], x, atol=1e-6)  # passes through the samples


def test_cubic_interpolation_is_the_cubic_spline():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(600)
    y = dsp.interpolate(x, 2, "cubic")
    ref = splev(np.arange(1200) / 2, splrep(np.arange(600), x))
    np.testing.assert_allclose(y[100:1000], ref[100:1000], atol=1e-9)


@pytest.mark.parametrize("kind", dsp.INTERPOLATIONS)
def test_constant_stays_constant(kind):
    y = dsp.interpolate(np.full(400, 0.25), 3, kind)
    np.testing.assert_allclose(y[200:-200], 0.25, atol=1e-9)


def test_unknown_interpolation_and_bad_factor():
    with pytest.raises(ValueError, match=r"interpolation must be one of"):
        dsp.interpolation_taps("linear", 2)
    with pytest.raises(ValueError, match=r"positive integer"):
        dsp.interpolate(np.zeros(4), 0)


@pytest.mark.parametrize("method", dsp.DEGRADATIONS)
def test_degradations_remove_the_high_band_and_keep_the_low_band(method):
    sr, low = 16000, 8000
    high_tone = dsp.degrade(sine(5000, sr), sr, low, method)  # above the new Nyquist (4 kHz)
    low_tone = dsp.degrade(sine(1000, sr), sr, low, method)
    assert len(low_tone) == len(sine(1000, sr)) // 2
    inner = slice(400, -400)
    assert np.sqrt(np.mean(high_tone[inner] ** 2)) < 1e-3  # >= 50 dB down from 0.35 rms
    assert np.sqrt(np.mean(low_tone[inner] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_degrade_rejects_unknown_method_and_fractional_ratio_for_cheby():
    with pytest.raises(ValueError, match=r"degradation method must be one of"):
        dsp.degrade(np.zeros(100), 16000, 8000, "mp3")
    with pytest.raises(ValueError, match=r"needs an integer rate ratio"):
        dsp.degrade(np.zeros(100), 44100, 16000, "cheby")


def test_resample_length_and_band():
    x = sine(440, 44100, seconds=1.0)
    y = dsp.resample(x, 44100, 16000)
    assert len(y) == 16000
    assert band_energy(y, 16000, 400, 480) > 0.99
