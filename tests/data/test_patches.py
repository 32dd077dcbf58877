"""SuperResolutionPatches: shapes, determinism, gain, and what each degradation keeps and removes.

The corpus is a sum of sines whose frequencies are whole FFT bins of a 2048-sample segment at
16 kHz (multiples of 7.8125 Hz), so every patch holds an exact number of periods and its spectrum
is known in closed form wherever the patch starts.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hf_audiosr.data import AudioCorpus, SuperResolutionPatches
from hf_audiosr.data import patches as patches_module
from hf_audiosr.dsp import DEGRADATIONS, degrade, interpolate

RATE, LOW_RATE, SEGMENT = 16000, 8000, 2048
BIN = RATE / SEGMENT  # 7.8125 Hz
# two components below 0.8 x the low-rate Nyquist (3200 Hz), one above the Nyquist (4000 Hz)
LOW_BINS, HIGH_BIN = (56, 192), 768  # 437.5 Hz, 1500 Hz, 6000 Hz
AMPLITUDES = {56: 0.3, 192: 0.2, 768: 0.2}
ALIAS_HZ = LOW_RATE - HIGH_BIN * BIN  # 6000 Hz folds to 2000 Hz at 8 kHz


def three_sines(seconds: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return sum(
        a * np.sin(2 * np.pi * k * BIN * t + phase + k) for k, a in AMPLITUDES.items()
    ).astype(np.float32)


def make_corpus(*utterances: np.ndarray, sampling_rate: int = RATE) -> AudioCorpus:
    lengths = [len(u) for u in utterances]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    names = [f"u{i}.wav" for i in range(len(utterances))]
    return AudioCorpus(np.concatenate(utterances), offsets, names, sampling_rate)


@pytest.fixture(scope="module")
def corpus() -> AudioCorpus:
    return make_corpus(three_sines(2.0), three_sines(1.5, phase=1.0))


def amplitude_spectrum(x: np.ndarray) -> np.ndarray:
    """Peak amplitude per bin of a signal holding whole periods (no window)."""
    return 2 * np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64))) / len(x)


# ---------------------------------------------------------------- shapes and arguments


@pytest.mark.parametrize(("low_rate", "segment"), [(8000, 2048), (4000, 1024), (16000, 1000)])
def test_item_shapes(corpus, low_rate, segment):
    dataset = SuperResolutionPatches(corpus, low_rate, segment, num_items=5)
    factor = RATE // low_rate
    assert len(dataset) == 5
    item = dataset[3]
    assert set(item) == {"input_values", "labels"}
    assert item["input_values"].shape == (segment // factor,)
    assert item["labels"].shape == (segment,)
    assert item["input_values"].dtype == item["labels"].dtype == torch.float32


def test_bad_arguments_raise(corpus):
    with pytest.raises(ValueError, match=r"segment_length must be a multiple of the factor 2"):
        SuperResolutionPatches(corpus, LOW_RATE, 2047, num_items=1)
    with pytest.raises(ValueError, match=r"corpus rate must be an integer multiple of the input"):
        SuperResolutionPatches(corpus, 6000, 2048, num_items=1)
    with pytest.raises(ValueError, match=r"degradation mix keys must be among .*got \['mp3'\]"):
        SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 1, degradation_mix={"mp3": 1.0})
    with pytest.raises(ValueError, match=r"non-negative with a positive sum"):
        SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 1, {"sinc": 1.0, "fft": -0.5})


# ---------------------------------------------------------------- determinism


def test_items_are_a_function_of_seed_and_index(corpus):
    mix = {"sinc": 0.5, "cheby": 0.3, "fft": 0.2}
    first = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 10, mix, seed=7)
    second = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 10, mix, seed=7)
    other_seed = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 10, mix, seed=8)
    # in reverse order too: no hidden state between calls. Bit-exact: the same seeded draws
    # through the same code in one process (a function of seed and index, not close to one)
    for i in reversed(range(10)):
        a, b = first[i], second[i]
        assert torch.equal(a["input_values"], b["input_values"])
        assert torch.equal(a["labels"], b["labels"])
        assert not torch.equal(a["labels"], other_seed[i]["labels"])
    assert not torch.equal(first[0]["labels"], first[1]["labels"])


# ---------------------------------------------------------------- gain and cropping


def test_gain_in_closed_form(corpus):
    dataset = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 4, gain_db=(-6.0, -6.0))
    gain = 10 ** (-6 / 20)
    for i in range(4):
        spectrum = amplitude_spectrum(dataset[i]["labels"].numpy())
        for k, amplitude in AMPLITUDES.items():
            assert spectrum[k] == pytest.approx(gain * amplitude, rel=1e-4)


def test_gain_is_capped_below_full_scale(corpus):
    dataset = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 6, gain_db=(20.0, 20.0))
    for i in range(6):
        peak = float(dataset[i]["labels"].abs().max())
        assert 0.8 < peak <= 0.95 + 1e-6  # 10x would reach ~6; the cap is 0.95 of the crop peak


def test_short_utterance_is_zero_padded():
    utterance = three_sines(1000 / RATE)  # shorter than a patch (2048 + 2 x 128 margin)
    dataset = SuperResolutionPatches(make_corpus(utterance), LOW_RATE, SEGMENT, 2, gain_db=(0, 0))
    labels = dataset[0]["labels"].numpy()
    margin = 64 * 2
    # bit-exact: at 0 dB the labels are a copy of the utterance (a gain of exactly 1)
    np.testing.assert_array_equal(labels[: 1000 - margin], utterance[margin:])
    np.testing.assert_array_equal(labels[1000 - margin :], 0.0)


def test_silent_crops_are_avoided():
    loud = three_sines(3.0)
    quiet = np.zeros(RATE, dtype=np.float32)
    dataset = SuperResolutionPatches(make_corpus(quiet, loud), LOW_RATE, SEGMENT, 40)
    rms = [float(dataset[i]["labels"].pow(2).mean().sqrt()) for i in range(40)]
    # loud patches have an RMS of ~0.27 before a gain of at least -12 dB
    assert min(rms) > 0.05


def test_mix_draws_methods_with_their_weights(corpus, monkeypatch):
    drawn = []

    def fake_degrade(x, sampling_rate, low_sampling_rate, method):
        drawn.append(method)
        return x[:: sampling_rate // low_sampling_rate]

    monkeypatch.setattr(patches_module, "degrade", fake_degrade)
    mix = {"sinc": 0.5, "cheby": 0.3, "fft": 0.2}
    dataset = SuperResolutionPatches(corpus, LOW_RATE, SEGMENT, 1000, mix)
    for i in range(1000):
        dataset[i]
    for method, weight in mix.items():
        sigma = np.sqrt(1000 * weight * (1 - weight))
        assert abs(drawn.count(method) - 1000 * weight) < 4 * sigma, (method, drawn.count(method))


# ---------------------------------------------------------------- degradations


@pytest.mark.parametrize("method", DEGRADATIONS)
def test_degradation_keeps_low_band_and_does_not_alias(corpus, method):
    dataset = SuperResolutionPatches(
        corpus, LOW_RATE, SEGMENT, 6, degradation_mix={method: 1.0}, gain_db=(0, 0)
    )
    window = np.hanning(SEGMENT)
    freqs = np.fft.rfftfreq(SEGMENT, 1 / RATE)
    low_band = freqs < 0.8 * LOW_RATE / 2
    for i in range(6):
        item = dataset[i]
        low = item["input_values"].numpy().astype(np.float64)
        labels = item["labels"].numpy().astype(np.float64)
        # the sinc-interpolated input matches the label below 0.8 x the input Nyquist
        # (same Hann window on both, to keep the patch edges out of the comparison)
        upsampled = np.fft.rfft(window * interpolate(low, 2, "sinc"))
        reference = np.fft.rfft(window * labels)
        error = np.abs(upsampled - reference)[low_band].max() / np.abs(reference).max()
        assert error < 0.02, f"{method}: low band off by {error:.4f} of the peak"
        # the input holds the two low sines at their amplitudes and nothing where 6 kHz aliases
        spectrum = amplitude_spectrum(low)
        for k in LOW_BINS:
            assert spectrum[k] == pytest.approx(AMPLITUDES[k], rel=0.02)
        alias_bin = int(ALIAS_HZ / BIN)
        assert spectrum[alias_bin] < 1e-3 * AMPLITUDES[HIGH_BIN], f"{method} aliases 6 kHz"


@pytest.mark.parametrize("method", DEGRADATIONS)
def test_degrade_removes_a_sine_above_the_new_nyquist(method):
    t = np.arange(2 * RATE) / RATE
    above = degrade(np.sin(2 * np.pi * 6000 * t), RATE, LOW_RATE, method)
    below = degrade(np.sin(2 * np.pi * 1000 * t), RATE, LOW_RATE, method)
    assert len(above) == len(below) == LOW_RATE * 2
    interior = slice(200, -200)  # filter transients at the signal's ends
    assert np.sqrt(np.mean(above[interior] ** 2)) < 1e-3  # -57 dB below the input's RMS
    assert np.sqrt(np.mean(below[interior] ** 2)) == pytest.approx(1 / np.sqrt(2), rel=0.02)
