"""AudioSRFeatureExtractor: dtype scaling, downmix, padding, resampling, validation, save/load."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers import AutoFeatureExtractor, BatchFeature

import hf_audiosr  # noqa: F401  (registers the Auto classes)
from hf_audiosr import AudioSRFeatureExtractor
from hf_audiosr.dsp import interpolate


def resampled_length(length: int, rate: int, target: int) -> int:
    """soxr's output length: ``length * target / rate`` rounded half up."""
    return math.floor(length * target / rate + 0.5)


@pytest.fixture
def fe() -> AudioSRFeatureExtractor:
    return AudioSRFeatureExtractor(sampling_rate=8000, output_sampling_rate=16000)


# ------------------------------------------------------------------------------ dtype scaling
@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([16384, -32768, 0, 32767], np.int16, [0.5, -1.0, 0.0, 32767 / 32768]),
        ([2**30, -(2**31), 0, 2**31 - 1], np.int32, [0.5, -1.0, 0.0, (2**31 - 1) / 2**31]),
        ([0.25, -0.75, 1.5], np.float64, [0.25, -0.75, 1.5]),
        ([0.25, -0.75], np.float16, [0.25, -0.75]),
        ([128, 0, 192], np.uint8, [0.0, -1.0, 0.5]),
    ],
)
def test_pcm_and_float_input_is_scaled_to_float32(fe, values, dtype, expected):
    out = fe(np.array(values, dtype=dtype), sampling_rate=8000)["input_values"]
    assert len(out) == 1
    assert out[0].dtype == np.float32
    np.testing.assert_allclose(out[0], np.array(expected, dtype=np.float32), rtol=0, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.bool_, np.complex64])
def test_non_pcm_dtype_raises(fe, dtype):
    with pytest.raises(ValueError, match="must be a float or integer PCM array, got dtype"):
        fe(np.zeros(10, dtype=dtype), sampling_rate=8000)


# ------------------------------------------------------------------------------ channels
def test_channels_time_input_in_a_list_is_mixed_down_to_mono(fe):
    stereo = np.stack([np.full(10, 0.5), np.full(10, -0.25)])
    out = fe([stereo], sampling_rate=8000)["input_values"]
    assert len(out) == 1
    np.testing.assert_allclose(out[0], np.full(10, 0.125, dtype=np.float32))


def test_time_channels_input_is_rejected_with_a_hint(fe):
    # (time, channels) with more rows than any plausible channel count
    with pytest.raises(ValueError, match=r"transpose \(time, channels\) input first"):
        fe([np.zeros((100, 2))], sampling_rate=8000)


def test_2d_array_is_read_as_a_batch(fe):
    batch = np.stack([np.full(6, 0.5), np.full(6, -0.5)])
    out = fe(batch, sampling_rate=8000)["input_values"]
    assert len(out) == 2
    # no resampling: the values are cast, not computed, so bit-exact
    np.testing.assert_array_equal(out[0], np.full(6, 0.5, dtype=np.float32))
    np.testing.assert_array_equal(out[1], np.full(6, -0.5, dtype=np.float32))


def test_3d_input_is_rejected(fe):
    with pytest.raises(ValueError, match=r"expected audio as \(time,\) or \(channels, time\)"):
        fe([np.zeros((1, 2, 10))], sampling_rate=8000)


# ------------------------------------------------------------------------------ padding
def test_batch_is_padded_to_the_longest_with_attention_mask(fe):
    out = fe([np.ones(5), np.ones(3)], sampling_rate=8000)
    assert isinstance(out, BatchFeature)
    np.testing.assert_array_equal(out["input_values"][1], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(out["attention_mask"], [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])


def test_pad_to_multiple_of_argument_and_default(fe):
    out = fe([np.ones(5), np.ones(3)], sampling_rate=8000, pad_to_multiple_of=4)
    assert [len(a) for a in out["input_values"]] == [8, 8]
    np.testing.assert_array_equal(out["attention_mask"].sum(axis=1), [5, 3])

    fe8 = AudioSRFeatureExtractor(pad_to_multiple_of=8)
    out = fe8(np.ones(9), sampling_rate=8000)
    assert len(out["input_values"][0]) == 16
    np.testing.assert_array_equal(out["input_values"][0][9:], np.zeros(7))


def test_padding_value_is_used(fe):
    fe_pad = AudioSRFeatureExtractor(padding_value=-0.5)
    out = fe_pad([np.ones(4), np.ones(2)], sampling_rate=8000)
    np.testing.assert_array_equal(out["input_values"][1], [1, 1, -0.5, -0.5])


def test_return_tensors_pt(fe):
    out = fe([np.ones(5), np.ones(3)], sampling_rate=8000, return_tensors="pt")
    assert isinstance(out["input_values"], torch.Tensor)
    assert out["input_values"].dtype == torch.float32
    assert tuple(out["input_values"].shape) == (2, 5)
    assert tuple(out["attention_mask"].shape) == (2, 5)
    assert out["input_values"][1, 3:].abs().sum().item() == 0.0


# ------------------------------------------------------------------------------ save / load
def test_save_and_load_round_trip(tmp_path):
    fe = AudioSRFeatureExtractor(
        sampling_rate=16000, output_sampling_rate=48000, interpolation="cubic", pad_to_multiple_of=8
    )
    fe.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "preprocessor_config.json").read_text())
    assert saved["feature_extractor_type"] == "AudioSRFeatureExtractor"

    for loaded in (
        AudioSRFeatureExtractor.from_pretrained(tmp_path),
        AutoFeatureExtractor.from_pretrained(tmp_path),
    ):
        assert type(loaded) is AudioSRFeatureExtractor
        assert loaded.sampling_rate == 16000
        assert loaded.output_sampling_rate == 48000
        assert loaded.upsampling_factor == 3
        assert loaded.interpolation == "cubic"
        assert loaded.pad_to_multiple_of == 8
        x = np.linspace(-1, 1, 50)
        np.testing.assert_array_equal(  # same rate in and out: a cast, bit-exact
            loaded(x, sampling_rate=16000)["input_values"][0],
            fe(x, sampling_rate=16000)["input_values"][0],
        )


def test_auto_feature_extractor_from_a_saved_model_folder(tiny_model_dir):
    loaded = AutoFeatureExtractor.from_pretrained(tiny_model_dir)
    assert type(loaded) is AudioSRFeatureExtractor
    assert (loaded.sampling_rate, loaded.output_sampling_rate) == (8000, 16000)


# ------------------------------------------------------------------------------ constructor checks
def test_non_integer_ratio_is_rejected():
    with pytest.raises(
        ValueError,
        match=r"output_sampling_rate \(22050\) must be an integer multiple of sampling_rate \(8000\)",
    ):
        AudioSRFeatureExtractor(sampling_rate=8000, output_sampling_rate=22050)


def test_unknown_interpolation_is_rejected():
    with pytest.raises(
        ValueError, match=r"interpolation must be one of \('sinc', 'cubic'\), got 'linear'"
    ):
        AudioSRFeatureExtractor(interpolation="linear")


# ------------------------------------------------------------------------------ sampling rate
def test_wrong_rate_raises_and_says_what_to_do(fe):
    with pytest.raises(
        ValueError,
        match=r"audio is at 16000 Hz but this model takes 8000 Hz: pass resample=True .*or resample it to 8000 Hz yourself",
    ):
        fe(np.zeros(100), sampling_rate=16000)


def test_missing_rate_raises(fe):
    with pytest.raises(
        ValueError, match=r"sampling_rate is required; this feature extractor expects 8000 Hz audio"
    ):
        fe(np.zeros(100))


@pytest.mark.parametrize(
    ("rate", "n_in"), [(16000, 16000), (44100, 44100), (22050, 2205), (11025, 999)]
)
def test_resample_true_gives_the_right_length(fe, rate, n_in):
    t = np.arange(n_in) / rate
    x = 0.5 * np.sin(2 * np.pi * 440 * t)
    out = fe(x, sampling_rate=rate, resample=True)["input_values"][0]
    assert out.dtype == np.float32
    assert len(out) == resampled_length(n_in, rate, 8000)
    # band-limited resampling keeps a 440 Hz sine (compare in the middle, away from edge transients)
    expected = 0.5 * np.sin(2 * np.pi * 440 * np.arange(len(out)) / 8000)
    mid = slice(len(out) // 4, 3 * len(out) // 4)
    np.testing.assert_allclose(out[mid], expected[mid], atol=2e-3)


def test_resampling_to_nothing_raises(fe):
    # 1 sample at 44.1 kHz is 0.18 samples at 8 kHz
    with pytest.raises(
        ValueError, match="audio is too short: nothing is left after resampling 44100 Hz to 8000 Hz"
    ):
        fe(np.ones(1), sampling_rate=44100, resample=True)


# ------------------------------------------------------------------------------ bad values
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_raises(fe, bad):
    x = np.zeros(20)
    x[[3, 7]] = bad
    with pytest.raises(
        ValueError, match=r"audio contains 2 NaN or infinite sample\(s\); clean the input first"
    ):
        fe(x, sampling_rate=8000)


@pytest.mark.parametrize("empty", [np.array([]), [], [np.array([])]])
def test_empty_input_raises(fe, empty):
    with pytest.raises(ValueError, match=r"audio is empty \(0 samples\)"):
        fe(empty, sampling_rate=8000)


# ------------------------------------------------------------------------------ interpolate
@pytest.mark.parametrize(
    ("out_rate", "interpolation"), [(16000, "sinc"), (24000, "cubic"), (8000, "sinc")]
)
def test_interpolate_length_is_factor_times_input(out_rate, interpolation):
    fe = AudioSRFeatureExtractor(8000, out_rate, interpolation=interpolation)
    x = np.random.default_rng(0).standard_normal(101)
    y = fe.interpolate(x)
    assert y.dtype == np.float32
    assert y.shape == (101 * out_rate // 8000,)
    # an interpolator passes through the original samples (sinc and cubic spline both do)
    np.testing.assert_allclose(y[:: out_rate // 8000], x, atol=1e-5)
    np.testing.assert_allclose(
        y, interpolate(x, out_rate // 8000, interpolation).astype(np.float32)
    )


def test_interpolate_keeps_a_constant_away_from_the_edges(fe):
    # the sinc filter spans 16 input samples on each side; beyond the signal it sees zeros
    y = fe.interpolate(np.full(64, 0.3))
    np.testing.assert_allclose(y[32:-32], np.full(64, 0.3), atol=1e-6)


# ------------------------------------------------------------------------------ fuzz
DTYPES = [np.float32, np.float64, np.int16, np.int32]
RATES = [8000, 11025, 16000, 44100]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    length=st.integers(1, 4000),
    dtype=st.sampled_from(DTYPES),
    amplitude=st.sampled_from([0.0, 1e-6, 0.5, 1.0, 4.0]),
    rate=st.sampled_from(RATES),
    seed=st.integers(0, 2**16),
)
def test_fuzz_any_short_input_is_finite_float32_of_the_right_length(
    fe, length, dtype, amplitude, rate, seed
):
    x = amplitude * np.random.default_rng(seed).uniform(-1, 1, length)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        x = np.clip(np.round(x * info.max), info.min, info.max)
    x = x.astype(dtype)
    expected = resampled_length(length, rate, 8000)
    try:
        out = fe(x, sampling_rate=rate, resample=True, return_tensors="np")["input_values"]
    except ValueError as err:
        # the only documented failure on finite non-empty input: nothing left after resampling
        assert expected == 0, err
        assert "audio is too short" in str(err)
        return
    assert expected > 0
    assert out.dtype == np.float32
    assert out.shape == (1, expected)
    assert np.isfinite(out).all()
