"""Super-resolution never loses what a recording holds: real clips of every kind, through the
pipeline and the command line with their defaults (``auto``) and with a model forced on them.

Rate, channels and length are kept; over the band the input really has (its measured cut-off)
the output's spectrum is the input's: LSD against the input (resampled to the output rate) near 0
there, where the unprotected model output scores 0.3-1.0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import soundfile as sf

import hf_audiosr
from hf_audiosr.band_replacement import crossover_width_hz
from hf_audiosr.cli import main
from hf_audiosr.dsp import resample
from hf_audiosr.metrics.functional import lsd

TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train"
CLIPS = {
    "music 44.1k stereo": "music44_headroompiano_sfzinstruments/yamaha_c3_close/headroom_L1_close_108.flac",
    "speech 48k": "vctk48_again-vc/p225/p225_002.flac",
    "speech 22.05k": "ljspeech22_coqui-tts/LJ/LJ001-0001.flac",
    "speech 16k": "librispeech16_kkulesz/40/40-121026-0000.flac",
}
SECONDS = 3.0
FULL_BAND = "bandnext-fullband-48k"
# what ``auto`` does with each: the model and the output rate
AUTO = {
    "music 44.1k stereo": (None, 44100),  # full band already
    "speech 48k": (None, 48000),
    "speech 22.05k": (FULL_BAND, 44100),  # 22.05 kHz -> 44.1 kHz, its multiple
    "speech 16k": (FULL_BAND, 48000),
    "mp3 44.1k": (FULL_BAND, 44100),  # the band above the MP3's low-pass, at 44.1 kHz
    "8 kHz band in 48k": (FULL_BAND, 48000),
    "speech 8k": (FULL_BAND, 48000),
}

pytestmark = pytest.mark.skipif(
    not TRAIN.is_dir(), reason=f"{TRAIN} is missing (the shared real recordings)"
)


def _read(rel: str) -> tuple[np.ndarray, int]:
    audio, sr = sf.read(str(TRAIN / rel), dtype="float32", always_2d=True)
    return np.ascontiguousarray(audio[: int(SECONDS * sr)].T), sr


def _mp3(tmp_path: Path) -> tuple[np.ndarray, int]:
    """The piano through soundfile's MP3 encoder (libsndfile / LAME), decoded again."""
    audio, sr = _read(CLIPS["music 44.1k stereo"])
    path = tmp_path / "piano.mp3"
    sf.write(str(path), audio.T, sr, format="MP3")
    decoded, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(decoded.T), sr


def _band_8k_in_48k() -> tuple[np.ndarray, int]:
    audio, sr = _read(CLIPS["speech 48k"])
    return resample(resample(audio, sr, 16000), 16000, sr).astype(np.float32), sr


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, tuple[np.ndarray, int]]:
    made = {name: _read(rel) for name, rel in CLIPS.items()}
    made["mp3 44.1k"] = _mp3(tmp_path_factory.mktemp("mp3"))
    made["8 kHz band in 48k"] = _band_8k_in_48k()
    x, sr = sf.read(str(hf_audiosr.EXAMPLE_AUDIO), dtype="float32", always_2d=True)
    made["speech 8k"] = (np.ascontiguousarray(x[: int(SECONDS * sr)].T), sr)
    return made


@pytest.fixture(scope="module")
def auto():
    return hf_audiosr.pipeline()


@pytest.fixture(scope="module")
def forced():
    return hf_audiosr.pipeline("tfnet-speech-8k-16k")


def _kept_band_lsd(inp: np.ndarray, sr: int, out: np.ndarray, out_sr: int, keep_hz: float):
    """LSD between the input (at the output rate) and the output, over [0, keep_hz), per channel
    worst."""
    ref = resample(inp, sr, out_sr)[..., : out.shape[-1]]
    cutoff = min(keep_hz, 0.999 * out_sr / 2)
    return max(
        lsd(r, o, sampling_rate=out_sr, band="low", cutoff_hz=cutoff)
        for r, o in zip(np.atleast_2d(ref), np.atleast_2d(out))
    )


def _check_kept(inp, sr, result, kept_below_hz, max_lsd):
    out = np.atleast_2d(result["audio"])
    out_sr = result["sampling_rate"]
    assert out_sr >= sr  # never a lower rate
    assert out.shape[0] == inp.shape[0]  # channels
    assert out.shape[1] == round(inp.shape[1] * out_sr / sr)  # length
    value = _kept_band_lsd(inp, sr, out, out_sr, kept_below_hz)
    assert value < max_lsd, value
    return out, out_sr


@pytest.mark.parametrize(
    "name",
    [
        "music 44.1k stereo",
        "speech 48k",
        "speech 22.05k",
        "speech 16k",
        "mp3 44.1k",
        "8 kHz band in 48k",
        "speech 8k",
    ],
)
def test_auto_keeps_rate_channels_length_and_band(inputs, auto, name):
    inp, sr = inputs[name]
    result = auto(inp, sampling_rate=sr)
    keep = min(result["input_bandwidth_hz"], sr / 2)
    out, out_sr = _check_kept(inp, sr, result, 0.9 * keep, max_lsd=0.02)
    model, expected_sr = AUTO[name]
    assert (result["model"], out_sr) == (model, expected_sr), result["note"]
    if model is None:  # already full band: it comes back exactly as it went in
        np.testing.assert_allclose(out, inp, atol=1e-6)
        return
    # something was added above the input's band
    f, p = scipy.signal.welch(out[0], out_sr, nperseg=1024)
    added = (f > 1.1 * keep) & (f < min(1.5 * keep, 0.95 * out_sr / 2))
    assert 10 * np.log10(p[added].mean() / p[f < 0.5 * keep].mean()) > -60


@pytest.mark.parametrize(
    "name", ["music 44.1k stereo", "speech 48k", "speech 16k", "mp3 44.1k", "8 kHz band in 48k"]
)
def test_a_forced_model_keeps_the_band_the_input_has(inputs, forced, name):
    """The 8 -> 16 kHz model forced on input that holds more than 4 kHz: everything the input
    has is kept; without the low-band replacement the same run destroys it."""
    inp, sr = inputs[name]
    result = forced(inp, sampling_rate=sr)
    keep = result["input_bandwidth_hz"]
    _check_kept(inp, sr, result, 0.9 * keep, max_lsd=0.05)
    raw = forced(inp, sampling_rate=sr, preserve_input_band=False)
    assert _kept_band_lsd(inp, sr, np.atleast_2d(raw["audio"]), raw["sampling_rate"], keep) > 0.2


@pytest.mark.parametrize("name", ["speech 8k", "8 kHz band in 48k"])
def test_no_seam_at_the_crossover(inputs, auto, name):
    """Through the cross-over band the output's long-term level stays between the model's own
    output and the input's (within 1 dB): joining them makes no dip and no bump of its own.

    (``auto`` on 8 kHz speech, and on the same sent through a 48 kHz file: the full-band model,
    48 kHz output.)"""
    inp, sr = inputs[name]
    if name == "8 kHz band in 48k":
        inp, sr = resample(resample(inp, sr, 8000), 8000, sr).astype(np.float32), sr
    result = auto(inp, sampling_rate=sr)
    raw = auto(inp, sampling_rate=sr, preserve_input_band=False)
    out_sr = result["sampling_rate"]
    assert (result["model"], out_sr) == (FULL_BAND, 48000)
    keep = min(result["input_bandwidth_hz"], 0.95 * min(sr, 8000) / 2)
    width = crossover_width_hz(keep)
    ref = resample(inp[0], sr, out_sr)[: len(np.atleast_2d(result["audio"])[0])]

    def levels(x):
        f, p = scipy.signal.welch(np.atleast_2d(x)[0], out_sr, nperseg=8192)
        edges = np.linspace(keep - width, keep, 5)
        return np.array(
            [10 * np.log10(p[(f >= a) & (f < b)].mean()) for a, b in zip(edges, edges[1:])]
        )

    out, model, given = levels(result["audio"]), levels(raw["audio"]), levels(ref)
    assert np.all(out > np.minimum(model, given) - 1.0), (out, model, given)
    assert np.all(out < np.maximum(model, given) + 1.0), (out, model, given)


def test_cli_defaults_keep_rate_channels_and_length(inputs, tmp_path, capsys):
    paths = {}
    for name in ("music 44.1k stereo", "speech 22.05k", "8 kHz band in 48k", "speech 8k"):
        audio, sr = inputs[name]
        paths[name] = tmp_path / "in" / (name.replace(" ", "_") + ".wav")
        paths[name].parent.mkdir(exist_ok=True)
        sf.write(str(paths[name]), audio.T, sr, subtype="FLOAT")
    assert main(["upsample", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    stdout = capsys.readouterr().out
    for name, path in paths.items():
        inp, sr = inputs[name]
        out, out_sr = sf.read(str(tmp_path / "out" / path.name), dtype="float32", always_2d=True)
        model, expected_sr = AUTO[name]
        assert out_sr == expected_sr, name
        assert out.shape == (round(inp.shape[1] * out_sr / sr), inp.shape[0]), name
        if model is None:
            np.testing.assert_allclose(out.T, inp, atol=1e-6, err_msg=name)
    assert f"via {FULL_BAND}" in stdout and "via no model" in stdout
