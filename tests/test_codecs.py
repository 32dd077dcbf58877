import numpy as np
import pytest

from hf_audiosr.codecs import CODECS, codec_bitrate_kbps, codec_roundtrip, codec_spec
from hf_audiosr.dsp import resample


def _snr(ref: np.ndarray, est: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est) ** 2)))


def _lag(ref: np.ndarray, est: np.ndarray, max_lag: int = 400) -> int:
    lags = range(-max_lag, max_lag + 1)
    return max(lags, key=lambda k: float(np.dot(np.roll(ref, k), est)))


# Floors well under what each codec reaches on speech (mu-law ~37 dB, GSM ~14 dB) and well over
# what a misaligned or garbled decode gives (below 3 dB).
_SNR_FLOOR_DB = {"mulaw": 30, "alaw": 30, "g721": 18, "gsm610": 8, "mp3": 15, "vorbis": 15}


@pytest.mark.parametrize("codec", CODECS)
def test_round_trip_keeps_rate_length_and_alignment(speech_8k, codec):
    out = codec_roundtrip(speech_8k, 8000, codec)
    assert out.dtype == np.float32 and out.shape == speech_8k.shape
    assert np.all(np.isfinite(out))
    assert _lag(speech_8k, out) == 0
    family = codec.split("_")[0]
    if family in _SNR_FLOOR_DB:
        assert _snr(speech_8k, out) > _SNR_FLOOR_DB[family]
    else:  # Opus is not waveform-matching at low rates, but must stay correlated
        assert np.corrcoef(speech_8k, out)[0, 1] > 0.8


def test_telephone_codecs_run_at_8k_from_any_rate(speech_8k):
    wide = resample(speech_8k, 8000, 16000).astype(np.float32)
    out = codec_roundtrip(wide, 16000, "gsm610")
    assert out.shape == wide.shape
    assert _lag(wide, out) == 0
    assert _snr(wide, out) > 6


def test_delay_of_a_shifted_input_is_not_hidden(speech_8k):
    shifted = np.roll(speech_8k, 37)
    out = codec_roundtrip(shifted, 8000, "mulaw")
    assert _lag(speech_8k, out) == 37


def test_bit_rates_follow_the_name():
    noise = (np.random.default_rng(1).standard_normal(48000 * 2) * 0.1).astype(np.float32)
    for codec, rate in (("opus_24k", 48000), ("mp3_128k", 48000), ("mp3_32k", 16000)):
        kbps = codec_bitrate_kbps(noise[: rate * 2], rate, codec)
        assert 0.7 * codec_spec(codec).kbps < kbps < 1.4 * codec_spec(codec).kbps, (codec, kbps)


def test_mp3_cuts_the_top_band():
    noise = (np.random.default_rng(2).standard_normal(44100 * 2) * 0.1).astype(np.float32)
    out = codec_roundtrip(noise, 44100, "mp3_64k")
    spec_in = np.abs(np.fft.rfft(noise)) ** 2
    spec_out = np.abs(np.fft.rfft(out)) ** 2
    freqs = np.fft.rfftfreq(len(noise), 1 / 44100)
    top = freqs > 19000
    assert spec_out[top].sum() < 1e-3 * spec_in[top].sum()


@pytest.mark.parametrize(
    "name, match",
    [("flac", "unknown codec"), ("mp3_0k", "positive"), ("opus_k", "unknown codec")],
)
def test_bad_codec_names(name, match):
    with pytest.raises(ValueError, match=match):
        codec_spec(name)


def test_bad_audio():
    with pytest.raises(ValueError, match="mono"):
        codec_roundtrip(np.zeros((2, 100), np.float32), 8000, "mulaw")
    with pytest.raises(ValueError, match="empty"):
        codec_roundtrip(np.zeros(0, np.float32), 8000, "mulaw")
    with pytest.raises(ValueError, match="NaN"):
        codec_roundtrip(np.array([0.0, np.nan], np.float32), 8000, "mulaw")


@pytest.mark.parametrize("codec", ["mp3_8k", "mp3_16k"])
def test_low_bit_rate_mp3_at_8k_is_aligned(speech_8k, codec):
    # LAME leaves 1105 samples (138 ms at 8 kHz) of delay in these streams
    out = codec_roundtrip(speech_8k, 8000, codec)
    assert _lag(speech_8k, out) == 0
    assert _snr(speech_8k, out) > 10
