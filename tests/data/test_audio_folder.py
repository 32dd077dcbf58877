"""load_audio_folder on a folder of real clips in mixed formats and sampling rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.data import load_audio_folder, make_super_resolution_transform
from hf_audiosr.dsp import resample

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
VCTK_TRAIN = SHARED_DATA / "train" / "vctk48_again-vc"

pytestmark = pytest.mark.skipif(
    not VCTK_TRAIN.is_dir(), reason=f"the shared real-audio clips are not at {VCTK_TRAIN}"
)

# relative path -> (source clip, sampling rate, soundfile format/subtype); 0.6 s of each clip.
FILES = {
    "spkA/a1.wav": ("p225/p225_001.flac", 48000, ("WAV", "PCM_16")),
    "spkA/a2.flac": ("p225/p225_002.flac", 44100, ("FLAC", "PCM_16")),
    "spkB/b1.ogg": ("p226/p226_001.flac", 32000, ("OGG", "VORBIS")),
    "spkB/b2.mp3": ("p226/p226_002.flac", 44100, ("MP3", "MPEG_LAYER_III")),
    "spkC/c1.flac": ("p227/p227_001.flac", 48000, ("FLAC", "PCM_24")),  # stereo, see below
    "spkD/d1.wav": ("p228/p228_001.flac", 22050, ("WAV", "FLOAT")),
    "spkD/d2.wav": ("p228/p228_002.flac", 16000, ("WAV", "PCM_16")),
    "spkE/e1.flac": ("p225/p225_003.flac", 48000, ("FLAC", "PCM_16")),
    "spkE/nested/e2.wav": ("p225/p225_004.flac", 48000, ("WAV", "PCM_16")),
}
STEREO = "spkC/c1.flac"


def _clip(source: str, rate: int) -> np.ndarray:
    audio, source_rate = sf.read(VCTK_TRAIN / source, dtype="float64")
    audio = audio[: int(0.6 * source_rate)]
    return resample(audio, source_rate, rate)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    for relative, (source, rate, (fmt, subtype)) in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        audio = _clip(source, rate)
        if relative == STEREO:
            audio = np.stack([audio, 0.5 * _clip("p227/p227_002.flac", rate)[: len(audio)]], 1)
        sf.write(path, audio.astype(np.float32), rate, format=fmt, subtype=subtype)
    (root / "spkA" / "a2.txt").write_text("Ask her to bring these things.\n")
    (root / "README.md").write_text("not audio\n")
    (root / "spkB" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    return root


def test_finds_every_readable_file_with_its_columns(folder, caplog):
    from datasets import Audio

    ds = load_audio_folder(folder)
    assert "skipping" in caplog.text and "broken.wav: not a readable audio file" in caplog.text
    assert list(ds) == ["train"]
    train = ds["train"]
    assert train.column_names == ["audio", "speaker", "utterance_id", "text", "path"]
    assert train.features["audio"] == Audio(decode=False)
    # The broken WAV and the README are not rows; rows are sorted by path.
    expected = sorted(str((folder / r).resolve()) for r in FILES)
    assert list(train["path"]) == expected
    rows = {Path(row["path"]).relative_to(folder.resolve()).as_posix(): row for row in train}
    assert rows["spkA/a2.flac"]["text"] == "Ask her to bring these things."
    assert rows["spkA/a1.wav"]["text"] == ""
    assert rows["spkE/nested/e2.wav"]["speaker"] == "nested"  # the parent folder's name
    assert rows["spkE/nested/e2.wav"]["utterance_id"] == "spkE/nested/e2"
    assert rows["spkB/b2.mp3"]["utterance_id"] == "spkB/b2"
    for relative, row in rows.items():
        assert row["audio"] == {"bytes": None, "path": row["path"]}
        info = sf.info(row["path"])
        assert info.samplerate == FILES[relative][1]
        assert info.channels == (2 if relative == STEREO else 1)


def test_file_level_split(folder):
    ds = load_audio_folder(folder, test_fraction=0.25, seed=1)
    train, test = set(ds["train"]["path"]), set(ds["test"]["path"])
    assert not train & test
    assert len(train | test) == len(FILES)
    assert len(test) == round(0.25 * len(FILES))
    again = load_audio_folder(folder, test_fraction=0.25, seed=1)
    assert set(again["test"]["path"]) == test


@pytest.mark.parametrize("seed", range(5))
def test_speaker_folder_split_leaks_no_speaker(folder, seed):
    ds = load_audio_folder(folder, split_by="speaker-folder", test_fraction=0.3, seed=seed)
    train, test = ds["train"], ds["test"]
    assert set(train["speaker"]).isdisjoint(test["speaker"])
    everything = sorted([*train["path"], *test["path"]])
    assert everything == sorted(str((folder / r).resolve()) for r in FILES)
    assert train.num_rows > 0
    assert test.num_rows >= 0.3 * len(FILES)
    again = load_audio_folder(folder, split_by="speaker-folder", test_fraction=0.3, seed=seed)
    assert list(again["test"]["path"]) == list(test["path"])


def test_speaker_folder_default_fraction(folder):
    ds = load_audio_folder(folder, split_by="speaker-folder")  # test_fraction=None -> 0.1
    assert ds["test"].num_rows >= 1 and ds["train"].num_rows >= 1
    assert set(ds["train"]["speaker"]).isdisjoint(ds["test"]["speaker"])


def test_bad_arguments(folder, tmp_path):
    with pytest.raises(ValueError, match=r"split_by must be one of \('none', 'speaker-folder'\)"):
        load_audio_folder(folder, split_by="random")
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0, 1\), got 1\.0"):
        load_audio_folder(folder, test_fraction=1.0)
    with pytest.raises(ValueError, match=r"split_by='speaker-folder' needs test_fraction > 0"):
        load_audio_folder(folder, split_by="speaker-folder", test_fraction=0.0)
    with pytest.raises(
        ValueError, match=r"needs at least 2 speaker folders, found 1 \(\['spkA'\]\)"
    ):
        load_audio_folder(folder / "spkA", split_by="speaker-folder")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_audio_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no readable audio files"):
        load_audio_folder(tmp_path / "empty")


def test_transform_on_mixed_formats_and_rates(folder):
    train = load_audio_folder(folder)["train"]
    transform = make_super_resolution_transform(8000, 16000, segment_length=1600, protocol="mix")
    rows = train.with_transform(transform)[:]
    assert len(rows["labels"]) == len(FILES)
    for low, high in zip(rows["input_values"], rows["labels"]):
        assert low.shape == (800,) and high.shape == (1600,)
        assert np.isfinite(low).all() and np.isfinite(high).all()
        assert np.abs(high).max() > 1e-3  # real speech, not padding


def test_transform_mixes_stereo_to_mono_then_resamples(folder):
    path = str(folder / STEREO)
    stereo, rate = sf.read(path, dtype="float32", always_2d=True)
    expected = resample(stereo.mean(axis=1), rate, 16000)
    out = make_super_resolution_transform(8000, 16000)({"audio": [{"path": path}]})
    labels = out["labels"][0]
    assert len(labels) == len(expected) - len(expected) % 2
    np.testing.assert_allclose(labels, expected[: len(labels)], atol=1e-6)
    # Bytes instead of a path give the same pair (bit-exact: the same decoded samples through the
    # same code).
    from_bytes = make_super_resolution_transform(8000, 16000)(
        {"audio": [{"bytes": Path(path).read_bytes(), "path": None}]}
    )
    np.testing.assert_array_equal(from_bytes["labels"][0], labels)
