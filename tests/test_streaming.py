"""File-to-file streaming: same result as the in-memory pipeline, clipping report, atomic output."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf
from transformers import AutoModel

from hf_audiosr.audio_io import AudioLoadError
from hf_audiosr.streaming import upsample_file


@pytest.fixture
def tiny_model(tiny_model_dir):
    return AutoModel.from_pretrained(tiny_model_dir).eval()


def stream(model, src, dst, **kwargs) -> dict:
    return upsample_file(model, src, dst, input_sampling_rate=8000, factor=2, **kwargs)


def read(path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return audio.T, rate


@pytest.mark.parametrize("channels", [1, 2])
def test_streaming_equals_the_whole_input_pipeline(
    tiny_model, tiny_pipeline, write_audio, tmp_path, signal, channels
):
    src = write_audio("in.wav", signal(30 * 8000, 8000, channels=channels), 8000)
    dst = tmp_path / "out.wav"
    info = stream(tiny_model, src, dst, chunk_length_s=3)
    assert info == {
        "frames_in": 240_000,
        "sampling_rate_in": 8000,
        "channels": channels,
        "sampling_rate": 16000,
        "frames": 480_000,
        "clipped_samples": 0,
        "bandwidth_hz": info["bandwidth_hz"],
    }
    assert info["bandwidth_hz"] > 0
    out, rate = read(dst)
    whole = tiny_pipeline(str(src), chunk_length_s=100)["audio"].reshape(channels, -1)
    assert rate == 16000
    assert out.shape == whole.shape == (channels, 480_000)
    assert np.abs(out - whole).max() < 1e-4


def test_streaming_resampler_path_matches_the_pipeline(
    tiny_model, tiny_pipeline, write_audio, tmp_path, signal
):
    """A 44.1 kHz file goes through soxr's streaming resampler block by block (float32), the
    pipeline through one-shot soxr (float64), to the model's 8 kHz and its output back up to the
    file's 44.1 kHz (the rate policy: never below the input's), with the input's own band put back
    by the block-wise low-band replacement in one, the whole-signal one in the other. Both are the
    same HQ filters, so they agree to float32 rounding; 1e-3 leaves room for a soxr build that
    flushes its block edges differently, while a misplaced chunk or a sample offset would give
    errors near the signal's amplitude (0.3)."""
    src = write_audio("in44.wav", signal(30 * 44100, 44100), 44100)
    dst = tmp_path / "out.wav"
    info = stream(tiny_model, src, dst, chunk_length_s=3)
    assert (info["frames_in"], info["sampling_rate_in"], info["sampling_rate"]) == (
        1_323_000,
        44100,
        44100,
    )
    out, rate = read(dst)
    whole = tiny_pipeline(str(src), chunk_length_s=100)["audio"]
    assert rate == 44100
    assert out.shape == (1, 1_323_000)
    assert whole.shape == (1_323_000,)
    assert np.abs(out[0] - whole).max() < 1e-3
    research = tmp_path / "research.wav"
    stream(tiny_model, src, research, chunk_length_s=3, preserve_input_band=False)
    plain = tiny_pipeline(str(src), chunk_length_s=100, preserve_input_band=False)["audio"]
    assert np.abs(read(research)[0][0] - plain).max() < 1e-3
    assert np.abs(plain - whole).max() > 1e-2  # the replacement really changed something


def test_target_sampling_rate_matches_the_pipeline(
    tiny_model, tiny_pipeline, write_audio, tmp_path, signal
):
    src = write_audio("in.wav", signal(4 * 8000, 8000), 8000)
    dst = tmp_path / "out.wav"
    info = stream(tiny_model, src, dst, chunk_length_s=1, target_sampling_rate=44100)
    out, rate = read(dst)
    whole = tiny_pipeline(str(src), target_sampling_rate=44100)["audio"]
    assert info["sampling_rate"] == rate == 44100
    assert out.shape == (1, math.floor(64000 * 44100 / 16000 + 0.5)) == (1, whole.shape[0])
    assert np.abs(out[0] - whole).max() < 1e-3


def test_progress_reaches_the_end(tiny_model, write_audio, tmp_path, signal):
    src = write_audio("in.wav", signal(5 * 8000, 8000), 8000)
    calls = []
    stream(
        tiny_model,
        src,
        tmp_path / "out.wav",
        chunk_length_s=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (40_000, 40_000)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_flac_output_reports_clipped_samples(tiny_model, write_audio, tmp_path, signal):
    loud = 4.0 * signal(8000, 8000)  # peaks near 1.6 x full scale
    src = write_audio("loud.wav", loud, 8000)
    info = stream(tiny_model, src, tmp_path / "loud.flac")
    out, _ = read(tmp_path / "loud.flac")
    assert info["clipped_samples"] > 0
    assert np.abs(out).max() <= 1.0
    # float WAV keeps the samples above full scale instead
    info = stream(tiny_model, src, tmp_path / "loud.wav.out.wav")
    out, _ = read(tmp_path / "loud.wav.out.wav")
    assert info["clipped_samples"] == 0
    assert np.abs(out).max() > 1.0


def test_clipped_count_matches_the_unclipped_output(tiny_model, write_audio, tmp_path, signal):
    src = write_audio("loud.wav", 3.0 * signal(4000, 8000), 8000)
    stream(tiny_model, src, tmp_path / "float.wav")
    info = stream(tiny_model, src, tmp_path / "pcm.flac")
    unclipped, _ = read(tmp_path / "float.wav")
    assert info["clipped_samples"] == int((np.abs(unclipped) > 1.0).sum())


class FailOnCall:
    """Wrap a model's forward so that its ``n``-th call raises."""

    def __init__(self, model, n: int):
        self.forward, self.n, self.calls = model.forward, n, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise RuntimeError("simulated failure")
        return self.forward(*args, **kwargs)


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_failure_midway_leaves_no_output_and_no_part_file(
    tiny_model, write_audio, tmp_path, signal, suffix
):
    src = write_audio("in.wav", signal(10 * 8000, 8000), 8000)
    out_dir = tmp_path / "out"
    dst = out_dir / f"result{suffix}"
    tiny_model.forward = FailOnCall(tiny_model, 3)
    with pytest.raises(RuntimeError, match="simulated failure"):
        stream(tiny_model, src, dst, chunk_length_s=1)
    assert tiny_model.forward.calls == 3  # it failed mid-way, after writing output of 2 chunks
    assert sorted(p.name for p in out_dir.iterdir()) == []


def test_failure_midway_leaves_an_existing_output_untouched(
    tiny_model, write_audio, tmp_path, signal
):
    src = write_audio("in.wav", signal(10 * 8000, 8000), 8000)
    dst = tmp_path / "existing.wav"
    dst.write_bytes(b"previous result")
    tiny_model.forward = FailOnCall(tiny_model, 3)
    with pytest.raises(RuntimeError, match="simulated failure"):
        stream(tiny_model, src, dst, chunk_length_s=1)
    assert dst.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.wav", "in.wav"]


def test_success_replaces_an_existing_output(tiny_model, write_audio, tmp_path, signal):
    src = write_audio("in.wav", signal(800, 8000), 8000)
    dst = tmp_path / "existing.wav"
    dst.write_bytes(b"previous result")
    stream(tiny_model, src, dst)
    assert read(dst)[0].shape == (1, 1600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.wav", "in.wav"]


def test_one_sample_file_gives_two_samples(tiny_model, write_audio, tmp_path):
    src = write_audio("one.wav", np.array([0.5], dtype=np.float32), 8000)
    info = stream(tiny_model, src, tmp_path / "out.wav")
    out, rate = read(tmp_path / "out.wav")
    assert (info["frames_in"], rate, out.shape) == (1, 16000, (1, 2))
    assert np.isfinite(out).all()


def make_bad_input(kind: str, folder):
    if kind == "missing":
        return folder / "missing.wav"
    if kind == "directory":
        return folder
    path = folder / ("empty.wav" if kind == "empty" else "text.flac")
    path.write_bytes(b"" if kind == "empty" else b"this is not audio\n")
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", r"missing\.wav: no such file"),
        ("directory", "is a directory, not an audio file"),
        ("empty", r"empty\.wav: the file is empty \(0 bytes\)"),
        ("text", r"text\.flac: not a readable audio file"),
    ],
)
def test_bad_input_files_raise_audio_load_error(tiny_model, tmp_path, kind, message):
    src = make_bad_input(kind, tmp_path)
    with pytest.raises(AudioLoadError, match=message):
        stream(tiny_model, src, tmp_path / "out" / "o.wav")
    assert not (tmp_path / "out").exists()


def test_too_short_after_resampling_raises(tiny_model, write_audio, tmp_path):
    src = write_audio("one44.wav", np.array([0.5], dtype=np.float32), 44100)
    with pytest.raises(AudioLoadError, match="too short, nothing is left at 8000 Hz"):
        stream(tiny_model, src, tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()


def test_unsupported_output_format_raises(tiny_model, write_audio, tmp_path, signal):
    src = write_audio("in.wav", signal(800, 8000), 8000)
    with pytest.raises(
        ValueError, match=r"out\.mp3: output must end in one of \['\.flac', '\.wav'\]"
    ):
        stream(tiny_model, src, tmp_path / "out.mp3")


def test_non_positive_chunk_length_raises(tiny_model, write_audio, tmp_path, signal):
    src = write_audio("in.wav", signal(800, 8000), 8000)
    with pytest.raises(ValueError, match="chunk_length_s must be positive"):
        stream(tiny_model, src, tmp_path / "out.wav", chunk_length_s=0)


def test_written_files_get_ordinary_permissions(tmp_path):
    import os

    from hf_audiosr.audio_io import write_audio

    umask = os.umask(0o022)
    try:
        path = write_audio(tmp_path / "x.wav", np.zeros(100, dtype=np.float32), 8000)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
