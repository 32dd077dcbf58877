"""``hf-audiosr inspect``: rate, channels, length, levels, measured bandwidth and the route of
``auto``, for files written with soundfile; bad files give one ``error:`` line and exit 1."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

import hf_audiosr.audio_io
from hf_audiosr import estimate_bandwidth
from hf_audiosr.cli import main
from hf_audiosr.dsp import resample
from hf_audiosr.routing import choose_model


def run(capsys, *args) -> tuple[int, str, str]:
    rc = main(["inspect", *[str(a) for a in args]])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def speechy(seconds: float, sr: int, seed: int = 0) -> np.ndarray:
    """Noise whose level falls 3 dB/octave, switched on and off like syllables: full band."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    spec = np.fft.rfft(rng.standard_normal(n))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    x = np.fft.irfft(spec, n)
    t = np.arange(n) / sr
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t)
    return 0.25 * x * envelope / np.abs(x).max()


@pytest.fixture
def band_limited_48k(tmp_path):
    """A stereo 48 kHz FLAC made from 16 kHz audio: content only up to 8 kHz."""
    low = np.stack([speechy(4.0, 16000, seed=1), speechy(4.0, 16000, seed=2)])
    up = resample(low, 16000, 48000)
    path = tmp_path / "upsampled_48k.flac"
    sf.write(path, up.T, 48000, subtype="PCM_16")
    return path


def test_a_48_khz_file_with_an_8_khz_band(capsys, band_limited_48k):
    rc, out, err = run(capsys, band_limited_48k, "--json")
    assert rc == 0, err
    [r] = json.loads(out)
    assert r["sampling_rate"] == 48000 and r["channels"] == 2
    assert abs(r["duration_s"] - 4.0) < 0.01
    assert abs(r["bandwidth_hz"] - 8000) <= 800, r["bandwidth"]
    assert r["bandwidth"]["full_band"] is False
    assert r["bandwidth"]["cutoff_hz"] == r["bandwidth_hz"]
    # the route is the one routing gives for that band, and never lowers the rate
    assert r["auto"] == choose_model(r["bandwidth_hz"], 48000).to_dict()
    assert r["auto"]["output_sampling_rate"] >= 48000
    # the text form says the same
    rc, out, _ = run(capsys, band_limited_48k)
    assert rc == 0
    assert "48000 Hz, 2 channels, 4.00 s" in out
    assert f"bandwidth: {r['bandwidth_hz'] / 1000:.2f} kHz" in out
    assert "auto: " in out and r["auto"]["reason"] in out


def test_levels_and_a_full_band_file(capsys, tmp_path):
    sr = 16000
    t = np.arange(3 * sr) / sr
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    path = tmp_path / "tone_16k.wav"
    sf.write(path, tone.astype(np.float32), sr, subtype="FLOAT")
    full = tmp_path / "full_16k.wav"
    sf.write(full, speechy(3.0, sr).astype(np.float32), sr, subtype="FLOAT")
    rc, out, err = run(capsys, path, full, "--json")
    assert rc == 0, err
    tone_r, full_r = json.loads(out)
    assert abs(tone_r["peak_dbfs"] - 20 * np.log10(0.5)) < 0.05
    assert abs(tone_r["rms_dbfs"] - 20 * np.log10(0.5 / np.sqrt(2))) < 0.05
    assert full_r["bandwidth"]["full_band"] and full_r["bandwidth_hz"] == sr / 2
    assert full_r["channels"] == 1 and full_r["path"] == str(full)


def test_reads_in_blocks_and_matches_the_whole_file(capsys, monkeypatch, band_limited_48k):
    def no_whole_file(*args, **kwargs):
        raise AssertionError("inspect must not load whole files")

    monkeypatch.setattr(hf_audiosr.audio_io, "load_audio", no_whole_file)
    monkeypatch.setattr("hf_audiosr.cli._INSPECT_BLOCK", 5000)  # many blocks, not frame-aligned
    rc, out, err = run(capsys, band_limited_48k, "--json")
    assert rc == 0, err
    [r] = json.loads(out)
    x, sr = sf.read(band_limited_48k, dtype="float64", always_2d=True)
    whole = estimate_bandwidth(x.T, sr)
    assert r["bandwidth"]["kind"] == whole.kind
    assert abs(r["bandwidth_hz"] - whole.cutoff_hz) <= 0.02 * whole.cutoff_hz
    assert abs(r["peak_dbfs"] - 20 * np.log10(np.abs(x).max())) < 0.01


def test_silent_file_gives_valid_json(capsys, tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(16000, np.float32), 16000, subtype="FLOAT")
    rc, out, err = run(capsys, path, "--json")
    assert rc == 0, err
    [r] = json.loads(out)  # strict JSON: no -Infinity
    assert r["peak_dbfs"] is None and r["rms_dbfs"] is None
    assert r["bandwidth"]["kind"] == "silent"
    rc, out, _ = run(capsys, path)
    assert "peak silent" in out


def test_folder_of_files(capsys, tmp_path, band_limited_48k):
    sf.write(tmp_path / "b.wav", speechy(1.0, 8000).astype(np.float32), 8000, subtype="FLOAT")
    rc, out, err = run(capsys, tmp_path, "--json")
    assert rc == 0, err
    paths = sorted(r["path"] for r in json.loads(out))
    assert paths == sorted([str(tmp_path / "b.wav"), str(band_limited_48k)])


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_corrupt_file_is_one_error_line(capsys, tmp_path, band_limited_48k):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4096))
    rc, out, err = run(capsys, corrupt)
    assert rc == 1 and out == ""
    assert_one_error_line(err, f"{corrupt}: not a readable audio file")
    # the good file is still reported, the bad one is not, and the exit says something failed
    rc, out, err = run(capsys, band_limited_48k, corrupt, "--json")
    assert rc == 1
    assert [r["path"] for r in json.loads(out)] == [str(band_limited_48k)]
    assert_one_error_line(err, str(corrupt))


def test_missing_and_empty_files(capsys, tmp_path):
    missing = tmp_path / "missing.wav"
    rc, out, err = run(capsys, missing)
    assert rc == 1 and out == ""
    assert_one_error_line(err, f"{missing}: no such file")
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    rc, _, err = run(capsys, empty)
    assert rc == 1
    assert_one_error_line(err, f"{empty}: the file is empty")


def test_nan_samples_are_an_error(capsys, tmp_path):
    x = speechy(1.0, 16000).astype(np.float32)
    x[5000] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    rc, _, err = run(capsys, path)
    assert rc == 1
    assert_one_error_line(err, str(path), "NaN")


def test_bad_target_rate_is_a_usage_error(capsys, band_limited_48k):
    rc, _, err = run(capsys, band_limited_48k, "--target-rate", "0")
    assert rc == 2
    assert_one_error_line(err, "--target-rate")
