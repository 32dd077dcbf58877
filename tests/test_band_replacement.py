"""Low-band replacement: below the input's cut-off the output is the input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from hf_audiosr.band_replacement import (
    LowBandReplacer,
    crossover_filter,
    crossover_width_hz,
    model_cutoff_hz,
    preserved_cutoff_hz,
    replace_low_band,
)
from hf_audiosr.bandwidth import BandwidthEstimate


def _response_db(h: np.ndarray, sr: int, freqs) -> np.ndarray:
    _, H = scipy.signal.freqz(h, worN=np.asarray(freqs, dtype=float), fs=sr)
    return 20 * np.log10(np.abs(H) + 1e-20)


@pytest.mark.parametrize(("cutoff", "sr"), [(4000, 16000), (8000, 48000), (16000, 44100)])
def test_crossover_passes_below_and_stops_above(cutoff, sr):
    h = crossover_filter(cutoff, sr)
    assert len(h) % 2 == 1 and np.allclose(h, h[::-1])  # symmetric: zero phase once centred
    width = crossover_width_hz(cutoff)
    assert 200 <= width <= 500
    passband = _response_db(h, sr, np.linspace(0, cutoff - width, 50))
    stopband = _response_db(h, sr, np.linspace(cutoff, sr / 2, 50))
    assert np.abs(passband).max() < 0.01  # dB
    assert stopband.max() < -60


def test_cutoff_at_nyquist_keeps_the_whole_input():
    assert crossover_filter(8000, 16000) is None
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 1000))
    # exact on purpose: at Nyquist the result is a copy of the reference, no arithmetic
    np.testing.assert_array_equal(replace_low_band(a, b, 8000, 16000), b)


def test_output_is_the_input_below_and_the_model_above():
    sr, n = 16000, 3 * 16000
    rng = np.random.default_rng(1)
    model, reference = rng.standard_normal((2, n))
    out = replace_low_band(model, reference, 4000, sr)
    spec = np.fft.rfft(out[2000:-2000])  # away from the edges, where the filter sees zeros
    ref_spec = np.fft.rfft(reference[2000:-2000])
    model_spec = np.fft.rfft(model[2000:-2000])
    f = np.fft.rfftfreq(n - 4000, 1 / sr)
    low, high = f < 3500, f > 4100
    # complex (phase included) relative error, far below anything audible
    assert np.linalg.norm(spec[low] - ref_spec[low]) / np.linalg.norm(ref_spec[low]) < 0.01
    assert np.linalg.norm(spec[high] - model_spec[high]) / np.linalg.norm(model_spec[high]) < 0.01


def test_a_coherent_crossover_leaves_no_seam():
    """Where model and input agree up to a gain (the U-Nets' low band is the input's), the level
    goes through the cross-over monotonically from the input's to the model's: no dip, no bump.
    Measured as the transfer function from the input to the result (exact for a linear map)."""
    sr, n = 16000, 10 * 16000
    x = np.random.default_rng(2).standard_normal(n)
    model = 1.06 * x  # 0.5 dB louder than the input, in phase with it
    out = replace_low_band(model, x, 4000, sr)
    f, pxy = scipy.signal.csd(x, out, sr, nperseg=4096)
    _, pxx = scipy.signal.welch(x, sr, nperseg=4096)
    gain_db = 20 * np.log10(np.abs(pxy / pxx))
    assert np.abs(gain_db[f < 3700]).max() < 0.01
    assert np.abs(gain_db[f > 4000] - 20 * np.log10(1.06)).max() < 0.01
    assert gain_db.min() > -0.01 and gain_db.max() < 20 * np.log10(1.06) + 0.01


@pytest.mark.parametrize("blocks", [[7, 100, 3000, 10**6], [48000], [1, 1, 1, 47997]])
def test_streaming_equals_the_whole_signal(blocks):
    sr = 48000
    rng = np.random.default_rng(3)
    model, reference = rng.standard_normal((2, 2, sr))
    whole = replace_low_band(model, reference, 8000, sr)
    replacer = LowBandReplacer(8000, sr, channels=2)
    parts, start = [], 0
    for size in blocks:
        stop = min(sr, start + size)
        parts.append(replacer.feed(model[:, start:stop], reference[:, start:stop]))
        start = stop
    parts.append(replacer.flush())
    streamed = np.concatenate(parts, axis=1)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=1e-9)


def test_replacer_checks_its_blocks():
    replacer = LowBandReplacer(4000, 16000, channels=2)
    with pytest.raises(ValueError, match="expected 2 channels"):
        replacer.feed(np.zeros((1, 10)), np.zeros((1, 10)))
    with pytest.raises(ValueError, match="differ in shape"):
        replacer.feed(np.zeros((2, 10)), np.zeros((2, 11)))


def test_preserved_cutoff():
    est = BandwidthEstimate(3000.0, 0.9, False, "brickwall", "r", 48000)
    assert preserved_cutoff_hz(est, 48000, 48000) == 3000.0
    assert preserved_cutoff_hz(None, 8000, 16000) == pytest.approx(0.95 * 4000)
    assert preserved_cutoff_hz(None, 44100, 44100) == 22050  # same rate: the whole band
    with pytest.raises(ValueError, match="cutoff_hz must be positive"):
        crossover_filter(0, 16000)


def test_a_model_told_the_band_is_told_the_band_that_is_kept_plus_its_crossover():
    """An any-band model is given the band below which the input is kept (95 % of an upsampled
    input's Nyquist: the resampler rolls off above it) plus the model's own cross-over, so that
    its cross-over lies over the roll-off and it fills the rest instead of copying it; never
    above the measured cut-off, clamped to the bands the model is made for."""
    from hf_audiosr.models import BandNeXtConfig

    config = BandNeXtConfig.from_preset("small", min_input_bandwidth_hz=2000.0)
    assert (config.input_sampling_rate, config.n_fft) == (48000, 1024)
    crossover = config.crossover_bins * 48000 / config.n_fft  # 187.5 Hz
    assert config.crossover_hz == pytest.approx(crossover)
    assert model_cutoff_hz(config, None, 16000) == pytest.approx(0.95 * 8000 + crossover)
    assert model_cutoff_hz(config, None, 8000) == pytest.approx(3987.5)  # 3800 + 187.5
    full = BandwidthEstimate(12000.0, 0.9, True, "full", "r", 24000)
    assert model_cutoff_hz(config, full, 24000) == pytest.approx(0.95 * 12000 + crossover)
    narrow = BandwidthEstimate(3000.0, 0.9, False, "brickwall", "r", 8000)
    assert model_cutoff_hz(config, narrow, 8000) == 3000.0  # below the roll-off: as measured
    low_passed = BandwidthEstimate(7000.0, 0.9, False, "brickwall", "r", 48000)
    assert model_cutoff_hz(config, low_passed, 48000) == 7000.0  # not resampled: as measured
    assert model_cutoff_hz(config, None, 4000) == 2000.0  # at most 2 kHz, clamped to its range
    assert model_cutoff_hz(config, None, 48000) == config.max_input_bandwidth_hz


def test_a_band_pass_input_is_kept_only_inside_its_band():
    """A telephone call (nothing below 300 Hz): the model fills below its low edge too."""
    sr, n = 16000, 3 * 16000
    rng = np.random.default_rng(4)
    model, reference = rng.standard_normal((2, n))
    h = crossover_filter(3400, sr, low_cutoff_hz=300)
    assert len(h) % 2 == 1 and np.allclose(h, h[::-1])
    assert _response_db(h, sr, np.linspace(0, 290, 20)).max() < -60
    assert np.abs(_response_db(h, sr, np.linspace(520, 3100, 50))).max() < 0.01
    assert _response_db(h, sr, np.linspace(3400, 8000, 50)).max() < -60
    out = replace_low_band(model, reference, 3400, sr, low_cutoff_hz=300)
    f = np.fft.rfftfreq(n - 4000, 1 / sr)
    spec, ref_spec, model_spec = (np.fft.rfft(x[2000:-2000]) for x in (out, reference, model))
    inside, below = (f > 600) & (f < 3000), f < 250
    assert np.linalg.norm(spec[inside] - ref_spec[inside]) / np.linalg.norm(ref_spec[inside]) < 0.01
    assert (
        np.linalg.norm(spec[below] - model_spec[below]) / np.linalg.norm(model_spec[below]) < 0.02
    )
    streamed = LowBandReplacer(3400, sr, 1, low_cutoff_hz=300)
    joined = np.concatenate(
        [
            streamed.feed(model[None, :20000], reference[None, :20000]),
            streamed.feed(model[None, 20000:], reference[None, 20000:]),
            streamed.flush(),
        ],
        axis=1,
    )
    np.testing.assert_allclose(joined[0], out, atol=1e-9)
    with pytest.raises(ValueError, match="low_cutoff_hz must be in"):
        crossover_filter(3400, sr, low_cutoff_hz=4000)
