"""Degradations keep the input's rate, length and alignment; the telephone band is the band."""

import numpy as np
import pytest

from hf_audiosr.degradations import (
    SPEECH_DEGRADATIONS,
    TELEPHONE_BAND_HZ,
    apply_degradation,
    check_degradation,
    telephone_bandpass,
)


def _xcorr_peak_lag(ref: np.ndarray, est: np.ndarray, max_lag: int = 800) -> int:
    """The lag (in samples, within +-max_lag) of the cross-correlation peak of est against ref."""
    size = 1 << int(np.ceil(np.log2(2 * len(ref))))
    corr = np.fft.irfft(np.fft.rfft(est, size) * np.conj(np.fft.rfft(ref, size)), size)
    lags = np.r_[np.arange(0, max_lag + 1), np.arange(-max_lag, 0)]
    values = np.r_[corr[: max_lag + 1], corr[-max_lag:]]
    return int(lags[np.argmax(values)])


@pytest.mark.parametrize("name", SPEECH_DEGRADATIONS)
def test_degradation_keeps_rate_length_and_alignment(speech_8k, name):
    out = apply_degradation(speech_8k, 8000, name)
    assert out.dtype == np.float32 and out.shape == speech_8k.shape
    assert np.all(np.isfinite(out))
    # the codec delay is compensated: the output still lines up with the input sample by sample
    assert _xcorr_peak_lag(speech_8k, out) == 0
    # and it still is the same speech (strongly correlated), not silence or noise
    rho = np.corrcoef(speech_8k, out)[0, 1]
    assert rho > 0.7, f"{name}: correlation with the clean input {rho:.3f}"
    if name == "clean":
        np.testing.assert_array_equal(out, speech_8k)  # a copy of the input, nothing computed
    else:
        assert np.max(np.abs(out - speech_8k)) > 1e-3  # something happened


def test_a_delayed_input_stays_delayed_by_exactly_its_delay(speech_8k):
    """Delay compensation removes the codec's delay, not a delay that is in the signal."""
    shifted = np.r_[np.zeros(40, np.float32), speech_8k[:-40]]
    for name in ("gsm610", "mp3_16k", "opus_16k"):
        out = apply_degradation(shifted, 8000, name)
        assert _xcorr_peak_lag(speech_8k, out) == 40, name


def _gain_db(freq: float, sr: int) -> float:
    t = np.arange(2 * sr) / sr
    x = np.sin(2 * np.pi * freq * t).astype(np.float32)
    y = telephone_bandpass(x, sr)
    inner = slice(sr // 4, -sr // 4)  # away from the edges, where filtfilt pads
    return float(20 * np.log10(np.std(y[inner]) / np.std(x[inner])))


@pytest.mark.parametrize("sr", [8000, 16000])
def test_telephone_bandpass_removes_what_is_outside_300_to_3400_hz(sr):
    assert TELEPHONE_BAND_HZ == (300.0, 3400.0)
    for freq in (500.0, 1000.0, 2000.0):
        assert abs(_gain_db(freq, sr)) < 0.5, freq  # pass band kept
    # a Butterworth band-pass starts rolling off before its edge (at 16 kHz more than at 8 kHz,
    # where the bilinear transform sharpens it near Nyquist)
    assert -2.0 < _gain_db(3000.0, sr) < 0.1
    for freq in (300.0, 3400.0):
        assert _gain_db(freq, sr) == pytest.approx(-6.0, abs=0.5), freq  # edges at -6 dB
    for freq in (50.0, 100.0, 150.0):
        assert _gain_db(freq, sr) < -40, freq
    assert _gain_db(200.0, sr) < -20
    # 48 dB per octave from the edge (sharper near Nyquist at 8 kHz)
    assert _gain_db(3700.0 if sr == 8000 else 5000.0, sr) < -40


def test_telephone_bandpass_on_noise_leaves_little_energy_outside_the_band():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8000 * 4).astype(np.float32)
    y = apply_degradation(x, 8000, "telephone")
    freqs = np.fft.rfftfreq(len(y), 1 / 8000)
    power_in = np.abs(np.fft.rfft(x)) ** 2
    power_out = np.abs(np.fft.rfft(y)) ** 2
    ratio = 10 * np.log10(power_out.sum() / power_in.sum())
    low = 10 * np.log10(power_out[freqs < 150].sum() / power_in[freqs < 150].sum())
    high = 10 * np.log10(power_out[freqs > 3700].sum() / power_in[freqs > 3700].sum())
    assert low < -30 and high < -30
    assert -1.5 < ratio < -0.5  # the band is 78 % of 0-4 kHz: about -1 dB of white noise


def test_telephone_band_must_fit_below_nyquist():
    with pytest.raises(ValueError, match="Nyquist"):
        telephone_bandpass(np.zeros(1000, np.float32), 6000)
    with pytest.raises(ValueError, match="mono"):
        telephone_bandpass(np.zeros((2, 1000), np.float32), 8000)


@pytest.mark.parametrize("bad", ["foo", "mp3", "opus_k", "mp3_0k", "Telephone", ""])
def test_unknown_degradation_names_the_valid_ones(bad):
    with pytest.raises(ValueError) as err:
        check_degradation(bad)
    message = str(err.value)
    assert repr(bad) in message
    for valid in ("clean", "telephone", "mulaw", "alaw", "gsm610", "g721", "mp3_", "opus_"):
        assert valid in message, (valid, message)
    with pytest.raises(ValueError):
        apply_degradation(np.zeros(800, np.float32), 8000, bad)


def test_every_listed_degradation_is_accepted():
    for name in SPEECH_DEGRADATIONS:
        assert check_degradation(name) == name
    assert check_degradation("vorbis_48k") == "vorbis_48k"
