"""AudioCorpus: building from a folder, file selection, and the int16 ``.npz`` round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.data import AudioCorpus, build_corpus, select_files

ARCTIC = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "train" / "arctic16_pyroomacoustics"
)


def write_wav(path: Path, audio: np.ndarray, sampling_rate: int) -> Path:
    """Write float32 WAV (``audio`` is ``(time,)`` or ``(channels, time)``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    audio = np.asarray(audio, dtype=np.float32)
    sf.write(str(path), audio.T if audio.ndim == 2 else audio, sampling_rate, subtype="FLOAT")
    return path


def sine(freq: float, seconds: float, sampling_rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * sampling_rate))) / sampling_rate
    return amplitude * np.sin(2 * np.pi * freq * t)


# ---------------------------------------------------------------- build_corpus


def test_build_corpus_downmixes_resamples_and_skips(tmp_path):
    stereo = np.stack([sine(500, 1.0, 16000, 0.4), sine(500, 1.0, 16000, 0.2)])
    write_wav(tmp_path / "a_stereo16k.wav", stereo, 16000)
    write_wav(tmp_path / "b_sine48k.wav", sine(1000, 1.0, 48000, 0.5), 48000)
    write_wav(tmp_path / "c_low8k.wav", sine(500, 1.0, 8000), 8000)  # below the corpus rate
    write_wav(tmp_path / "d_short.wav", sine(500, 0.1, 16000), 16000)  # under min_seconds
    (tmp_path / "e_broken.wav").write_bytes(b"RIFF but not really a wave file")

    corpus = build_corpus(select_files([str(tmp_path)]), 16000, trim_db=None)

    assert corpus.sampling_rate == 16000
    assert [Path(n).name for n in corpus.names] == ["a_stereo16k.wav", "b_sine48k.wav"]
    assert corpus.samples.dtype == np.float32
    np.testing.assert_array_equal(corpus.lengths, [16000, 16000])
    np.testing.assert_array_equal(corpus.offsets, [0, 16000, 32000])
    assert corpus.duration_s == pytest.approx(2.0)
    # channel mean: (0.4 + 0.2) / 2 = 0.3
    np.testing.assert_allclose(corpus.utterance(0), sine(500, 1.0, 16000, 0.3), atol=1e-6)
    # 48 kHz -> 16 kHz keeps the 1 kHz sine (away from the resampler's edge transients)
    resampled = corpus.utterance(1)
    np.testing.assert_allclose(resampled[200:-200], sine(1000, 1.0, 16000)[200:-200], atol=1e-3)


def test_build_corpus_trims_leading_and_trailing_silence(tmp_path):
    silence = np.zeros(8000)
    audio = np.concatenate([silence, sine(300, 1.0, 16000), silence])
    write_wav(tmp_path / "padded.wav", audio, 16000)
    corpus = build_corpus([tmp_path / "padded.wav"], 16000, trim_db=40.0)
    # librosa trims whole 512-sample hops of 2048-sample frames: the 1 s sine stays, at most a
    # frame of silence on each side survives.
    assert 16000 <= len(corpus.samples) <= 16000 + 2 * 2048
    assert np.sqrt(np.mean(corpus.samples**2)) > 0.5 / np.sqrt(2) * 0.85


def test_build_corpus_raises_when_no_file_is_usable(tmp_path):
    path = write_wav(tmp_path / "low.wav", sine(500, 1.0, 8000), 8000)
    with pytest.raises(ValueError, match=r"no usable audio among 1 files at >= 16000 Hz"):
        build_corpus([path], 16000, trim_db=None)


# ---------------------------------------------------------------- select_files


@pytest.fixture
def speaker_tree(tmp_path) -> Path:
    for rel in ("spk1/a.wav", "spk1/b.flac", "spk2/c.wav"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), sine(440, 0.5, 16000).astype(np.float32), 16000)
    (tmp_path / "spk2" / "notes.txt").write_text("not audio")
    return tmp_path


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (None, None, ["a.wav", "b.flac", "c.wav"]),
        (["*/spk1/*"], None, ["a.wav", "b.flac"]),
        (None, ["*/spk1/*"], ["c.wav"]),
        (["*.wav"], ["*/spk2/*"], ["a.wav"]),
        (["*.flac", "*/c.wav"], None, ["b.flac", "c.wav"]),
        (["*/spk3/*"], None, []),
    ],
)
def test_select_files_include_exclude_globs(speaker_tree, include, expected, exclude):
    files = select_files([str(speaker_tree)], include, exclude)
    assert [f.name for f in files] == expected


def test_build_corpus_from_selected_files(speaker_tree):
    corpus = build_corpus(select_files([str(speaker_tree)], exclude=["*/spk1/*"]), 16000, None)
    assert [Path(n).name for n in corpus.names] == ["c.wav"]
    assert len(corpus) == 1


# ---------------------------------------------------------------- save / load


@pytest.mark.parametrize("peak", [0.5, 2.5])
def test_save_load_round_trip_is_int16_within_half_a_step(tmp_path, peak):
    rng = np.random.default_rng(0)
    samples = rng.uniform(-1, 1, 5000)
    samples = (peak * samples / np.abs(samples).max()).astype(np.float32)
    corpus = AudioCorpus(samples, np.array([0, 1200, 5000]), ["x.wav", "y.flac"], 16000)
    path = tmp_path / "cache" / "corpus.npz"

    corpus.save(path)
    loaded = AudioCorpus.load(path)

    assert sorted(p.name for p in path.parent.iterdir()) == ["corpus.npz"]  # no temporary left
    with np.load(path) as stored:
        assert stored["samples"].dtype == np.int16
    assert loaded.names == ["x.wav", "y.flac"]
    assert loaded.sampling_rate == 16000
    np.testing.assert_array_equal(loaded.offsets, corpus.offsets)
    assert loaded.samples.dtype == np.float32
    # peak-normalised storage: scale = min(1, 0.999 / peak); one int16 step is 1 / (32767 scale)
    scale = min(1.0, 0.999 / peak)
    error = np.abs(loaded.samples.astype(np.float64) - samples)
    assert error.max() <= 0.5 / (32767 * scale) + 1e-7
    np.testing.assert_array_equal(loaded.utterance(1), loaded.samples[1200:])  # a slice


# ---------------------------------------------------------------- real clips


def test_build_corpus_from_real_clips():
    if not ARCTIC.is_dir():
        pytest.skip(f"{ARCTIC} is missing (shared CMU ARCTIC clips)")
    files = select_files([str(ARCTIC)], include=["*a0001*", "*a0004*"])
    if len(files) != 2:
        pytest.skip(f"expected the a0001 and a0004 clips under {ARCTIC}, found {files}")
    frames = [sf.info(str(f)).frames for f in files]
    corpus = build_corpus(files, 8000, trim_db=None)
    assert corpus.sampling_rate == 8000
    assert [Path(n).name for n in corpus.names] == [f.name for f in files]
    for length, n in zip(corpus.lengths, frames):
        assert abs(int(length) - n / 2) <= 1  # 16 kHz -> 8 kHz
    assert np.isfinite(corpus.samples).all()
    assert 0.01 < np.abs(corpus.samples).max() <= 1.0
