"""Any-band training examples (hf_audiosr.data.anyband) and the masked losses they feed."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import soundfile as sf
import torch

from hf_audiosr.data.anyband import (
    ANYBAND_METHODS,
    AnyBandExamples,
    AnyBandFile,
    build_anyband_corpus,
    degrade_any_band,
    frequency_mask,
    path_weights,
    read_manifest,
)
from hf_audiosr.training.losses import MaskedMultiResolutionSTFTLoss, band_limit_torch

R = 48000


def _noise(rate: int, seconds: float, seed: int) -> np.ndarray:
    """White noise at ``rate``: full band up to the file's own Nyquist frequency."""
    return (np.random.default_rng(seed).standard_normal(int(rate * seconds)) * 0.1).astype(
        np.float32
    )


def _fraction_above_db(x: np.ndarray, rate: int, hz: float) -> float:
    """Energy above ``hz`` relative to the total, in dB (Hann-windowed FFT of the whole signal)."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    return float(10 * np.log10(spec[freqs > hz].sum() / spec.sum() + 1e-30))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("anyband")
    out = []
    for i, (rate, kind) in enumerate([(16000, "speech"), (48000, "speech"), (44100, "music")]):
        path = root / f"{kind}_{rate}_{i}.wav"
        sf.write(path, _noise(rate, 1.5, i), rate)
        out.append(AnyBandFile(path, rate, rate / 2, kind, f"spk{i}", "test"))
    return out


@pytest.fixture(scope="module")
def corpus(files):
    return build_anyband_corpus(files, R, trim_db=None)


def _dataset(corpus, **kwargs):
    options = dict(segment_length=4800, num_items=64, seed=3, speed_probability=0.0)
    options.update(kwargs)
    return AnyBandExamples(corpus, **options)


def test_corpus_keeps_each_files_band(corpus):
    assert corpus.sampling_rate == R
    np.testing.assert_allclose(corpus.bandwidth_hz, [8000.0, 24000.0, 22050.0])
    assert corpus.kinds == ["speech", "speech", "music"]
    # the 16 kHz file, resampled to 48 kHz, holds nothing above its own 8 kHz
    assert _fraction_above_db(corpus.corpus.utterance(0), R, 8200) < -60


@pytest.mark.parametrize("method", ANYBAND_METHODS)
def test_examples_shapes_cutoff_range_and_removed_band(corpus, method):
    weights = {m: float(m == method) for m in ANYBAND_METHODS}
    codecs = ("mp3_64k", "opus_24k", "mulaw") if method == "codec" else ("mp3_64k",)
    ds = _dataset(corpus, degradation_mix=weights, codecs=codecs, polyphony_probability=0.0)
    # Chebyshev type I falls gradually past its edge; the others are (nearly) brick walls.
    guard = 1.25 if method == "cheby" else 1.05
    for i in range(6):
        item = ds[i]
        x, y = item["input_values"].numpy(), item["labels"].numpy()
        assert x.shape == y.shape == (4800,) and x.dtype == y.dtype == np.float32
        cutoff = float(item["input_bandwidth_hz"])
        target = float(item["target_bandwidth_hz"])
        assert target in (8000.0, 24000.0, 22050.0)
        assert 2000.0 <= cutoff <= min(target * 0.98, 0.98 * R / 2) + 1e-3
        # the input lost its band above the cut-off; the label (noise) still has it
        assert _fraction_above_db(x, R, guard * cutoff) < -35, (i, cutoff)
        if guard * cutoff < 0.9 * target:
            assert _fraction_above_db(y, R, guard * cutoff) > -10


def test_cutoffs_cover_the_whole_range(corpus):
    ds = _dataset(corpus, degradation_mix={"sinc": 1.0}, num_items=200)
    cutoffs = np.array([float(ds[i]["input_bandwidth_hz"]) for i in range(120)])
    assert cutoffs.min() < 4000 and cutoffs.max() > 15000


def test_low_rate_file_masks_its_missing_band(files):
    # a corpus of only the 16 kHz file, for a 48 kHz model
    corpus = build_anyband_corpus(files[:1], R, trim_db=None)
    ds = _dataset(corpus, degradation_mix={"sinc": 1.0})
    item = ds[0]
    assert float(item["target_bandwidth_hz"]) == 8000.0
    assert 2000.0 <= float(item["input_bandwidth_hz"]) <= 0.98 * 8000 + 1e-3
    mask = frequency_mask(item["target_bandwidth_hz"][None], 2048, R)
    freqs = torch.arange(1025) * R / 2048
    assert torch.equal(mask[0] > 0, freqs <= 8000)
    # content the model puts above 8 kHz costs nothing; the same amount below it does
    labels = item["labels"][None]
    loss = MaskedMultiResolutionSTFTLoss(R)
    rng = np.random.default_rng(0)
    noise = torch.from_numpy(rng.standard_normal(labels.shape).astype(np.float32)) * 0.05
    high_noise = noise - band_limit_torch(noise, torch.tensor([8500.0]), R)
    low_noise = band_limit_torch(noise, torch.tensor([7500.0]), R)
    clean = loss(labels, labels, item["target_bandwidth_hz"][None])
    above = loss(labels + high_noise, labels, item["target_bandwidth_hz"][None])
    below = loss(labels + low_noise, labels, item["target_bandwidth_hz"][None])
    for key in ("l2", "stft/sc", "stft/mag"):
        assert float(above[key]) < float(clean[key]) + 0.02 * float(below[key]) + 1e-6, key
        assert float(below[key]) > 5 * (float(clean[key]) + 1e-6), key


def test_speed_perturbation_scales_the_band(files):
    corpus = build_anyband_corpus(files[:1], R, trim_db=None)
    ds = _dataset(corpus, speed_probability=1.0, speed_range=(0.8, 0.8))
    item = ds[1]
    assert float(item["target_bandwidth_hz"]) == pytest.approx(6400.0, rel=1e-3)
    assert _fraction_above_db(item["labels"].numpy(), R, 6700) < -50


def test_polyphony_mixes_several_files(corpus, files):
    music_only = build_anyband_corpus([files[2], files[2]], R, trim_db=None)
    ds = _dataset(music_only, polyphony_probability=1.0, degradation_mix={"sinc": 1.0})
    single = _dataset(music_only, polyphony_probability=0.0, degradation_mix={"sinc": 1.0})
    # one file alone is white noise at a constant level; a mix of voices with onsets is not
    envelopes = []
    for d in (ds, single):
        y = d[5]["labels"].numpy()
        frames = y[: len(y) // 480 * 480].reshape(-1, 480)
        envelopes.append(np.sqrt((frames**2).mean(axis=1)))
    spread_mix = envelopes[0].max() / max(envelopes[0].min(), 1e-9)
    spread_single = envelopes[1].max() / max(envelopes[1].min(), 1e-9)
    assert spread_mix > 1.5 * spread_single
    assert float(ds[5]["target_bandwidth_hz"]) <= 22050.0 * 2 ** (5 / 12) + 1


def test_deterministic_with_a_seed(corpus):
    a = _dataset(corpus, seed=11, codecs=("mp3_64k",))
    b = _dataset(corpus, seed=11, codecs=("mp3_64k",))
    c = _dataset(corpus, seed=12, codecs=("mp3_64k",))
    for i in (0, 7, 13):
        for key in ("input_values", "labels", "input_bandwidth_hz", "target_bandwidth_hz"):
            torch.testing.assert_close(a[i][key], b[i][key])
    assert not all(torch.allclose(a[i]["labels"], c[i]["labels"]) for i in (0, 7, 13))


def test_degrade_any_band_rejects_bad_cutoffs():
    x = _noise(R, 0.1, 0).astype(np.float64)
    with pytest.raises(ValueError, match="cutoff_hz must be in"):
        degrade_any_band(x, R, 30000.0, "sinc")
    with pytest.raises(ValueError, match="mulaw runs at 8 kHz"):
        degrade_any_band(x, R, 6000.0, "codec", "mulaw")
    with pytest.raises(ValueError, match="method must be one of"):
        degrade_any_band(x, R, 6000.0, "bogus")


def test_read_manifest_keeps_licence_clean_rows(tmp_path):
    fields = ["path", "source", "speaker", "file_rate_hz", "licence", "wideband_check"]
    rows = [
        ("vctk48_again-vc/p226/a.flac", "vctk48_again-vc", "p226", 48000, "CC BY", "wideband"),
        ("vctk48_again-vc/p360/b.flac", "vctk48_again-vc", "p360", 48000, "CC BY", "wideband"),
        ("ravdess48_speech/x/c.flac", "ravdess48_speech", "r1", 48000, "NC", "wideband"),
        ("vcc2016_16k/SF1/d.flac", "vcc2016_16k", "SF1", 16000, "ODC?", "wideband"),
        (
            "music44_hydrogen_drumkits/k/e.flac",
            "music44_hydrogen_drumkits",
            "",
            44100,
            "GPL",
            "BAND-LIMITED@5512Hz",
        ),
    ]
    manifest = tmp_path / "MANIFEST.csv"
    with open(manifest, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        w.writerows(rows)
    clean = read_manifest(manifest)
    assert [f.path.name for f in clean] == ["a.flac", "e.flac"]
    assert [f.kind for f in clean] == ["speech", "music"]
    assert clean[1].bandwidth_hz == 5512.0 and clean[0].bandwidth_hz == 24000.0
    allowed = read_manifest(manifest, allow_noncommercial=True, allow_unconfirmed=True)
    assert {f.path.name for f in allowed} == {"a.flac", "c.flac", "d.flac", "e.flac"}
    assert [f.path.name for f in read_manifest(manifest, kinds=("speech",))] == ["a.flac"]
    with pytest.raises(ValueError, match="kinds must be among"):
        read_manifest(manifest, kinds=("noise",))


def test_weights_decide_which_files_are_drawn(corpus):
    names = corpus.corpus.names
    weights = path_weights(names, [("*speech_48000*", 0.0), ("*_16000_*", 5.0)])
    np.testing.assert_array_equal(weights, [5.0, 0.0, 1.0])
    ds = _dataset(corpus, polyphony_probability=0.0, utterance_weights=weights)
    assert ds.probabilities[1] == 0.0
    assert ds.probabilities[0] > ds.probabilities[2]
    # only the 48 kHz speech file left: every example holds its full band
    only = _dataset(corpus, polyphony_probability=0.0, utterance_weights=[0.0, 1.0, 0.0])
    assert {float(only[i]["target_bandwidth_hz"]) for i in range(8)} == {24000.0}
    with pytest.raises(ValueError, match="no usable utterance"):
        _dataset(corpus, utterance_weights=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="one weight >= 0 per utterance"):
        _dataset(corpus, utterance_weights=[1.0, -1.0, 1.0])
