"""load_vctk on small VCTK-shaped trees built from the real clips in ``../shared/data``, and the
super-resolution transform on those rows and on closed-form tone signals."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.data import (
    SuperResolutionTransform,
    detect_vctk_version,
    load_vctk,
    make_super_resolution_transform,
)
from hf_audiosr.dsp import resample

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
VCTK_TRAIN = SHARED_DATA / "train" / "vctk48_again-vc"
EVAL = SHARED_DATA / "eval"

pytestmark = pytest.mark.skipif(
    not (VCTK_TRAIN.is_dir() and EVAL.is_dir()),
    reason=f"the shared real-audio clips are not at {SHARED_DATA}",
)

# Target utterance id -> the real 48 kHz clip copied there. The four test-speaker clips are the
# genuine recordings (eval references of NU-Wave 2 / AP-BWE, ids from eval/MANIFEST.csv); the
# others are training-speaker clips renamed to stand in for the ids a split must place.
CLIPS_092 = {
    "p225_001": VCTK_TRAIN / "p225" / "p225_001.flac",
    "p225_002": VCTK_TRAIN / "p225" / "p225_002.flac",
    "p225_355": VCTK_TRAIN / "p225" / "p225_003.flac",
    "p225_366": VCTK_TRAIN / "p225" / "p225_004.flac",
    "p226_001": VCTK_TRAIN / "p226" / "p226_001.flac",
    "p226_002": VCTK_TRAIN / "p226" / "p226_002.flac",
    "p280_001": VCTK_TRAIN / "p227" / "p227_001.flac",
    "p315_001": VCTK_TRAIN / "p227" / "p227_002.flac",
    "p345_001": VCTK_TRAIN / "p228" / "p228_001.flac",
    "p347_001": VCTK_TRAIN / "p228" / "p228_002.flac",
    "p360_061": EVAL / "nuwave2_vctk_peers" / "12k" / "original_48k" / "sample_0.flac",
    "p363_312": EVAL / "nuwave2_vctk_peers" / "16k" / "original_48k" / "sample_1.flac",
    "p376_007": EVAL / "ap-bwe_vctk_peers" / "BWE_48k" / "24kto48k" / "wideband.flac",
    "s5_001": VCTK_TRAIN / "p226" / "p226_003.flac",
}
MIC1_ONLY = {"p280_001"}  # as in the real corpus, p280 has no mic2 recordings
LONG_CLIP = "p376_007"  # 4.47 s


def _transcripts() -> dict[str, str]:
    table = EVAL / "transcripts" / "vctk_transcripts.tsv"
    rows = (line.split("\t", 1) for line in table.read_text(encoding="utf-8").splitlines())
    return {key: text.strip() for key, text in rows}


def _write_txt(root: Path, utterance_id: str, transcripts: dict[str, str]) -> None:
    # VCTK has no transcripts for p315 and s5; the shared table has none either.
    if utterance_id in transcripts:
        speaker = utterance_id.split("_")[0]
        (root / "txt" / speaker).mkdir(parents=True, exist_ok=True)
        (root / "txt" / speaker / f"{utterance_id}.txt").write_text(
            transcripts[utterance_id] + "\n"
        )


@pytest.fixture(scope="module")
def transcripts() -> dict[str, str]:
    return _transcripts()


@pytest.fixture(scope="module")
def vctk092(tmp_path_factory, transcripts) -> Path:
    """``<tmp>/VCTK-Corpus-0.92`` with mic1 and mic2 FLACs and txt/ transcripts."""
    root = tmp_path_factory.mktemp("vctk092") / "VCTK-Corpus-0.92"
    for utterance_id, source in CLIPS_092.items():
        speaker = utterance_id.split("_")[0]
        folder = root / "wav48_silence_trimmed" / speaker
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / f"{utterance_id}_mic1.flac")
        if utterance_id not in MIC1_ONLY:
            shutil.copyfile(source, folder / f"{utterance_id}_mic2.flac")
        _write_txt(root, utterance_id, transcripts)
    (root / "wav48_silence_trimmed" / "log.txt").write_text("not a recording\n")
    (root / "wav48_silence_trimmed" / "p225" / "p225_001_mic1.flac.bak").write_bytes(b"x")
    return root


@pytest.fixture(scope="module")
def vctk080(tmp_path_factory, transcripts) -> Path:
    """A VCTK 0.80 tree: ``wav48/<spk>/<spk>_<utt>.wav`` (16-bit WAV, first 0.5 s) and txt/."""
    root = tmp_path_factory.mktemp("vctk080")
    for utterance_id in ("p225_001", "p225_355", "p315_001", "p360_061"):
        speaker = utterance_id.split("_")[0]
        audio, rate = sf.read(CLIPS_092[utterance_id], dtype="float32")
        (root / "wav48" / speaker).mkdir(parents=True, exist_ok=True)
        sf.write(root / "wav48" / speaker / f"{utterance_id}.wav", audio[: rate // 2], rate)
        _write_txt(root, utterance_id, transcripts)
    return root


def _speakers(split) -> set[str]:
    return set(split["speaker"])


# ------------------------------------------------------------------------------------------
# Layouts, microphones, columns


def test_detects_both_layouts(vctk092, vctk080):
    assert detect_vctk_version(vctk092) == "0.92"
    assert detect_vctk_version(vctk080) == "0.80"
    # The parent of the tree works too (the tree is found one level down).
    assert detect_vctk_version(vctk092.parent) == "0.92"


def test_columns_types_and_transcripts(vctk092, transcripts):
    from datasets import Audio

    ds = load_vctk(vctk092, split="all")
    assert list(ds) == ["train"]
    train = ds["train"]
    assert train.column_names == ["audio", "speaker", "utterance_id", "text", "path"]
    assert train.features["audio"] == Audio(decode=False)
    assert len(train) == len(CLIPS_092)
    rows = {row["utterance_id"]: row for row in train}
    assert set(rows) == set(CLIPS_092)
    row = rows["p225_001"]
    assert row["speaker"] == "p225"
    assert row["text"] == "Please call Stella." == transcripts["p225_001"]
    assert row["audio"] == {"bytes": None, "path": row["path"]}
    assert row["path"] == str((vctk092 / "wav48_silence_trimmed/p225/p225_001_mic1.flac").resolve())
    assert rows["p376_007"]["text"].startswith("The rainbow is a division of white light")
    assert rows["p315_001"]["text"] == ""  # no transcript in VCTK
    assert rows["s5_001"]["text"] == ""
    # Sorted by (speaker, utterance); the decoded file is the clip that was copied there.
    assert list(train["utterance_id"]) == sorted(CLIPS_092, key=lambda u: (u.split("_")[0], u))
    decoded, rate = sf.read(rows["p360_061"]["path"], dtype="float32")
    reference, _ = sf.read(CLIPS_092["p360_061"], dtype="float32")
    assert rate == 48000 and np.array_equal(decoded, reference)  # lossless copy: bit-exact


def test_mic_choice(vctk092):
    mic1 = load_vctk(vctk092, split="all", mic="mic1")["train"]
    mic2 = load_vctk(vctk092, split="all", mic="mic2")["train"]
    assert all(p.endswith("_mic1.flac") for p in mic1["path"])
    assert all(p.endswith("_mic2.flac") for p in mic2["path"])
    assert set(mic1["utterance_id"]) - set(mic2["utterance_id"]) == MIC1_ONLY
    with pytest.raises(ValueError, match=r"mic must be one of \('mic1', 'mic2'\), got 'mic3'"):
        load_vctk(vctk092, mic="mic3")


def test_vctk080_layout(vctk080, transcripts):
    ds = load_vctk(vctk080)  # nuwave: p315 removed, p360 in test
    assert _speakers(ds["train"]) == {"p225"}
    assert _speakers(ds["test"]) == {"p360"}
    assert all(p.endswith(".wav") for p in ds["train"]["path"])
    assert ds["test"][0]["text"] == transcripts["p360_061"]
    single = load_vctk(vctk080, split="kuleshov-single")
    assert list(single["train"]["utterance_id"]) == ["p225_001"]
    assert list(single["test"]["utterance_id"]) == ["p225_355"]
    with pytest.raises(ValueError, match=r"VCTK 0\.80 .* has a single microphone; mic='mic2'"):
        load_vctk(vctk080, mic="mic2")


def test_version_choice_when_both_layouts_exist(tmp_path, vctk092, vctk080):
    both = tmp_path / "both"
    both.mkdir()
    (both / "wav48_silence_trimmed").symlink_to(vctk092 / "wav48_silence_trimmed")
    (both / "wav48").symlink_to(vctk080 / "wav48")
    assert detect_vctk_version(both) == "0.92"
    assert load_vctk(both, split="all", version="0.80")["train"].num_rows == 4
    assert load_vctk(both, split="all")["train"].num_rows == len(CLIPS_092)
    with pytest.raises(ValueError, match=r"has no wav48/ folder \(VCTK 0\.80\)"):
        load_vctk(vctk092, version="0.80")


# ------------------------------------------------------------------------------------------
# Named splits


def test_nuwave_split(vctk092):
    ds = load_vctk(vctk092)  # the default split
    assert list(ds) == ["train", "test"]
    assert _speakers(ds["test"]) == {"p360", "p363", "p376", "s5"}
    assert _speakers(ds["train"]) == {"p225", "p226", "p345", "p347"}
    everything = _speakers(ds["train"]) | _speakers(ds["test"])
    assert not everything & {"p280", "p315"}
    assert ds["train"].num_rows + ds["test"].num_rows == len(CLIPS_092) - 2


def test_kuleshov_single_split(vctk092):
    ds = load_vctk(vctk092, split="kuleshov-single")
    assert list(ds) == ["train", "test"]
    # p225_355 ... p225_366 are the last 8 of p225's 231 recordings (the repository's val list).
    assert list(ds["train"]["utterance_id"]) == ["p225_001", "p225_002"]
    assert list(ds["test"]["utterance_id"]) == ["p225_355", "p225_366"]


def test_kuleshov_single_needs_p225(tmp_path, vctk092):
    root = tmp_path / "no225"
    shutil.copytree(vctk092 / "wav48_silence_trimmed" / "p226", root / "wav48_silence_trimmed/p226")
    with pytest.raises(ValueError, match="split='kuleshov-single' needs speaker p225"):
        load_vctk(root, split="kuleshov-single")


def test_kuleshov_multi_split(vctk092):
    from hf_audiosr.data.vctk import KULESHOV_MULTI_TEST_SPEAKERS, KULESHOV_MULTI_TRAIN_SPEAKERS

    # The repository's committed lists: 100 training speakers p225 ... p345, 9 held out.
    assert (
        len(KULESHOV_MULTI_TRAIN_SPEAKERS) == 100 and len(set(KULESHOV_MULTI_TRAIN_SPEAKERS)) == 100
    )
    assert (
        KULESHOV_MULTI_TRAIN_SPEAKERS[0] == "p225" and KULESHOV_MULTI_TRAIN_SPEAKERS[-1] == "p345"
    )
    assert KULESHOV_MULTI_TEST_SPEAKERS == (
        "p347", "p351", "p360", "p361", "p362", "p363", "p364", "p374", "p376",
    )  # fmt: skip
    ds = load_vctk(vctk092, split="kuleshov-multi")
    assert _speakers(ds["train"]) == {"p225", "p226", "p280", "p315", "p345"}
    assert _speakers(ds["test"]) == {"p347", "p360", "p363", "p376"}  # s5 is on neither list
    without_p315 = load_vctk(vctk092, split="kuleshov-multi", exclude_speakers=["p315"])
    assert _speakers(without_p315["train"]) == {"p225", "p226", "p280", "p345"}


def test_unknown_split(vctk092):
    with pytest.raises(ValueError, match=r"split must be one of \('nuwave', 'kuleshov-single'"):
        load_vctk(vctk092, split="random")


# ------------------------------------------------------------------------------------------
# Not a folder: a Hub id, offline


def _go_offline(monkeypatch, libraries: bool = True):
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", libraries)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", libraries)


HUB_MESSAGE = (
    r"Could not load 'someone/vctk-does-not-exist': it is not a local folder, so it was taken for "
    r"a Hugging Face Hub dataset id, but the Hugging Face Hub could not be reached .*"
    r"To use a local VCTK copy instead.*wav48_silence_trimmed/ \(0\.92\) or wav48/ \(0\.80\)"
)


def test_hub_id_offline_fails_with_one_clear_error(monkeypatch):
    _go_offline(monkeypatch)
    with pytest.raises(ConnectionError, match=HUB_MESSAGE) as info:
        load_vctk("someone/vctk-does-not-exist")
    # datasets' own error is chained, not shown instead.
    assert isinstance(info.value.__cause__, Exception)


def test_hub_id_never_goes_online_when_offline_was_set_late(monkeypatch):
    import datasets

    # HF_HUB_OFFLINE set after the libraries were imported: they would still try the network.
    _go_offline(monkeypatch, libraries=False)

    def must_not_be_called(*args, **kwargs):
        raise AssertionError("load_dataset was called in offline mode")

    monkeypatch.setattr(datasets, "load_dataset", must_not_be_called)
    with pytest.raises(ConnectionError, match=HUB_MESSAGE):
        load_vctk("someone/vctk-does-not-exist")


def test_hub_dataset_is_resplit_by_speaker(monkeypatch):
    import datasets
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    speakers = ["p225", "p225", "p280", "p360", "s5", "p226"]
    text_ids = ["001", "355", "001", "061", "001", "001"]
    hub_like = datasets.Dataset.from_dict(
        {
            "audio": [{"bytes": None, "path": f"{s}_{t}.flac"} for s, t in zip(speakers, text_ids)],
            "speaker_id": speakers,
            "text_id": text_ids,
            "text": [""] * len(speakers),
        }
    )
    calls = []

    def fake_load_dataset(name, **kwargs):
        calls.append((name, kwargs))
        return datasets.DatasetDict({"train": hub_like})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    ds = load_vctk("someone/vctk", hub_kwargs={"revision": "main"})
    assert calls == [("someone/vctk", {"revision": "main"})]
    assert list(ds["train"]["speaker"]) == ["p225", "p225", "p226"]
    assert list(ds["test"]["speaker"]) == ["p360", "s5"]
    assert ds["train"].features["audio"] == datasets.Audio(decode=False)
    single = load_vctk("someone/vctk", split="kuleshov-single")
    assert [a["path"] for a in single["test"]["audio"]] == ["p225_355.flac"]


def test_local_looking_path_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such folder \(pass a VCTK folder"):
        load_vctk(str(tmp_path / "VCTK-Corpus-0.92"))


def test_folder_that_is_not_vctk(tmp_path):
    (tmp_path / "something").mkdir()
    with pytest.raises(ValueError, match=r"is not a VCTK folder: it has neither wav48_silence"):
        load_vctk(tmp_path)


# ------------------------------------------------------------------------------------------
# The super-resolution transform


def _band_error_db(labels: np.ndarray, low: np.ndarray, low_rate: int, high_rate: int, f_max):
    """Relative error (dB) of the input, resampled back up, against the labels below ``f_max``
    (Hann-windowed, 10 ms trimmed at each end)."""
    up = resample(low.astype(np.float64), low_rate, high_rate)
    edge = high_rate // 100
    w = np.hanning(len(labels) - 2 * edge)
    ref = np.fft.rfft(labels[edge:-edge] * w)
    est = np.fft.rfft(up[edge:-edge] * w)
    band = np.fft.rfftfreq(len(w), 1 / high_rate) < f_max
    return 10 * np.log10(
        np.sum(np.abs(ref[band] - est[band]) ** 2) / np.sum(np.abs(ref[band]) ** 2)
    )


@pytest.mark.parametrize("protocol", ["sinc", "cheby", "fft"])
def test_transform_shapes_and_low_band(vctk092, protocol):
    test = load_vctk(vctk092)["test"]
    transform = make_super_resolution_transform(
        16000, 48000, segment_length=9600, protocol=protocol
    )
    assert isinstance(transform, SuperResolutionTransform)
    rows = test.with_transform(transform)[:]  # every row, one batch
    assert set(rows) == {"input_values", "labels"}
    assert len(rows["labels"]) == test.num_rows
    for low, high in zip(rows["input_values"], rows["labels"]):
        assert low.dtype == np.float32 and high.dtype == np.float32
        assert high.shape == (9600,) and low.shape == (9600 * 16000 // 48000,)
    long_row = list(test["utterance_id"]).index(LONG_CLIP)
    low, high = rows["input_values"][long_row], rows["labels"][long_row]
    # The labels are real 48 kHz speech with content above the input's 8 kHz Nyquist ...
    spectrum = np.abs(np.fft.rfft(high)) ** 2
    above = np.fft.rfftfreq(len(high), 1 / 48000) > 8000
    assert spectrum[above].sum() / spectrum.sum() > 1e-6
    # ... and the input carries their band below it (cheby's pass band ends at 0.8 x Nyquist).
    assert _band_error_db(high, low, 16000, 48000, f_max=6000) < -30


def _amplitude(x: np.ndarray, rate: int, freq: float) -> float:
    """Amplitude of a bin-centred sine in ``x`` (Hann window, peak over +-2 bins)."""
    w = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * w)) * 2 / w.sum()
    k = int(round(freq * len(x) / rate))
    return float(spectrum[k - 2 : k + 3].max())


@pytest.fixture(scope="module")
def tones(tmp_path_factory) -> Path:
    """1 s at 48 kHz: 0.3 sin(1 kHz) + 0.2 sin(3 kHz) + 0.3 sin(11 kHz), float WAV."""
    t = np.arange(48000) / 48000
    x = sum(a * np.sin(2 * np.pi * f * t) for a, f in ((0.3, 1000), (0.2, 3000), (0.3, 11000)))
    path = tmp_path_factory.mktemp("tones") / "tones.wav"
    sf.write(path, x.astype(np.float32), 48000, subtype="FLOAT")
    return path


@pytest.mark.parametrize("protocol", ["sinc", "cheby", "fft"])
def test_transform_input_has_no_energy_above_its_nyquist(tones, protocol):
    transform = make_super_resolution_transform(16000, 48000, protocol=protocol)
    out = transform({"audio": [{"path": str(tones), "bytes": None}]})
    low, high = out["input_values"][0], out["labels"][0]
    assert high.shape == (48000,) and low.shape == (16000,)
    assert _amplitude(high, 48000, 11000) == pytest.approx(0.3, rel=1e-3)
    # An 11 kHz tone sampled at 16 kHz without a low-pass folds to 16 - 11 = 5 kHz at full
    # amplitude; band-limited degradation removes it instead.
    assert _amplitude(high[::3], 16000, 5000) == pytest.approx(0.3, rel=1e-3)  # the control
    assert _amplitude(low, 16000, 5000) < 0.3 * 10 ** (-55 / 20)
    # The tones below the input Nyquist keep their amplitude.
    assert _amplitude(low, 16000, 1000) == pytest.approx(0.3, rel=0.02)
    assert _amplitude(low, 16000, 3000) == pytest.approx(0.2, rel=0.02)


def test_transform_whole_utterance_lengths(vctk092):
    path = str(vctk092 / "wav48_silence_trimmed" / "p360" / "p360_061_mic1.flac")
    frames = sf.info(path).frames
    out = make_super_resolution_transform(16000, 48000)({"audio": [{"path": path}]})
    assert len(out["labels"][0]) == frames - frames % 3
    assert len(out["input_values"][0]) == (frames - frames % 3) // 3
    # A non-integer ratio (sinc only): 16 kHz -> 44.1 kHz, segments a multiple of 441.
    t = make_super_resolution_transform(16000, 44100, segment_length=4410)
    out = t({"audio": [{"path": path}]})
    assert out["labels"][0].shape == (4410,) and out["input_values"][0].shape == (1600,)


def test_transform_randomness_is_per_row_seed_and_epoch(vctk092):
    path = str(vctk092 / "wav48_silence_trimmed" / "p376" / f"{LONG_CLIP}_mic1.flac")
    batch = {"audio": [{"path": path, "bytes": None}] * 2}

    def labels(transform, batch):
        return transform(batch)["labels"]

    a = make_super_resolution_transform(16000, 48000, segment_length=960, seed=3)
    b = make_super_resolution_transform(16000, 48000, segment_length=960, seed=3)
    first = labels(a, batch)
    # Keyed by the file path without an index column: the same row gives the same segment.
    # (Bit-exact: the same seeded draws through the same code in one process.)
    assert np.array_equal(first[0], first[1])
    assert np.array_equal(first[0], labels(b, batch)[0])
    a.set_epoch(1)
    assert not np.array_equal(first[0], labels(a, batch)[0])
    other_seed = make_super_resolution_transform(16000, 48000, segment_length=960, seed=4)
    assert not np.array_equal(first[0], labels(other_seed, batch)[0])
    # With an index column, each index draws its own segment, reproducibly.
    indexed = dict(batch, index=[0, 1])
    by_index = labels(b, indexed)
    assert not np.array_equal(by_index[0], by_index[1])
    assert np.array_equal(by_index[1], labels(b, {"audio": batch["audio"][:1], "index": [1]})[0])


def test_transform_mix_draws_from_the_weights(vctk092):
    path = str(vctk092 / "wav48_silence_trimmed" / "p376" / f"{LONG_CLIP}_mic1.flac")
    batch = {"audio": [{"path": path}] * 3, "index": [0, 1, 2]}
    only_cheby = make_super_resolution_transform(
        16000, 48000, segment_length=960, protocol="mix", protocol_weights={"cheby": 1.0}
    )(batch)
    cheby = make_super_resolution_transform(16000, 48000, segment_length=960, protocol="cheby")(
        batch
    )
    for key in ("input_values", "labels"):
        for x, y in zip(only_cheby[key], cheby[key]):
            assert np.array_equal(x, y)  # the same draws and filter: bit-exact
    with pytest.raises(ValueError, match=r"degradation mix keys must be among"):
        make_super_resolution_transform(16000, 48000, protocol="mix", protocol_weights={"cubic": 1})


def test_transform_trims_silence(tmp_path):
    t = np.arange(48000) / 48000
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    path = tmp_path / "padded.flac"
    sf.write(path, np.concatenate([np.zeros(24000), tone, np.zeros(24000)]), 48000)
    plain = make_super_resolution_transform(16000, 48000)({"audio": [{"path": str(path)}]})
    trimmed = make_super_resolution_transform(16000, 48000, trim_silence_db=40.0)(
        {"audio": [{"path": str(path)}]}
    )
    assert len(plain["labels"][0]) == 96000
    # librosa trims whole 512-sample hops, with a 2048-sample frame.
    assert 48000 <= len(trimmed["labels"][0]) <= 48000 + 2 * 2048
    assert len(trimmed["input_values"][0]) * 3 == len(trimmed["labels"][0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"segment_length": 1000}, r"segment_length must be a multiple of 3 so that the input"),
        ({"protocol": "cubic"}, r"protocol must be one of \('sinc', 'cheby', 'fft', 'mix'\)"),
        ({"protocol_weights": {"sinc": 1.0}}, r"protocol_weights is only used with protocol='mix'"),
        ({"output_sampling_rate": 44100, "protocol": "cheby"}, r"'cheby' needs an integer rate"),
        ({"output_sampling_rate": 44100, "protocol": "mix"}, r"'cheby/fft' needs an integer rate"),
        ({"output_sampling_rate": 16000}, r"input_sampling_rate \(16000\) must be below"),
    ],
)
def test_transform_rejects_bad_arguments(kwargs, message):
    kwargs = {"input_sampling_rate": 16000, "output_sampling_rate": 48000, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_super_resolution_transform(**kwargs)
