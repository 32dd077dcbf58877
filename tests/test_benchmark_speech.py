"""The benchmark's speech columns (--metrics), degradations (--degradation), recognizer argument,
missing-extra error, and manifests whose references serve every input rate (issue 9, item 8)."""

import csv
import sys

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.benchmark import CEILING, read_manifest, run_benchmark, summarize
from hf_audiosr.cli import main
from hf_audiosr.dsp import degrade, interpolate

TRANSCRIPT = "the quick brown fox jumps over the lazy dog"


def voiced(sr: int, seconds: float = 2.0, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """Syllable-like bursts of a harmonic voice with breath noise, full band up to sr / 2."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    phase = 2 * np.pi * f0 * t + 2.0 * np.sin(2 * np.pi * 0.9 * t)
    tone = sum(np.sin(k * phase) / k for k in range(1, int(0.45 * sr / f0)))
    envelope = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None) ** 2
    x = envelope * (0.25 * tone + 0.05 * rng.standard_normal(len(t)))
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def write_manifest(path, rows):
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows([{k: r.get(k, "") for k in fields} for r in rows])
    return path


@pytest.fixture
def speech_manifest(tmp_path):
    """Three 16 kHz references, two with a transcript, each with an 8 -> 16 kHz peer output (a
    quieter copy of the reference with a little noise: a near-perfect system)."""
    rows = []
    for i, name in enumerate(["a", "b", "c"]):
        ref = voiced(16000, f0=120.0 + 30 * i, seed=i)
        folder = tmp_path / name
        folder.mkdir()
        sf.write(folder / "ref.wav", ref, 16000, subtype="FLOAT")
        noisy = 0.9 * ref + 1e-4 * np.random.default_rng(10 + i).standard_normal(len(ref))
        sf.write(folder / "peer.wav", noisy.astype(np.float32), 16000, subtype="FLOAT")
        base = {"source": "toy", "input_rate_hz": "8000", "target_rate_hz": "16000"}
        rows += [
            {
                **base,
                "path": f"{name}/ref.wav",
                "role": "reference",
                "transcript": TRANSCRIPT if name != "c" else "",
            },
            {**base, "path": f"{name}/peer.wav", "role": "system_output", "system": "Peer"},
        ]
    return write_manifest(tmp_path / "MANIFEST.csv", rows)


class Fake:
    """A recognizer that drops the last word of the transcript whatever it hears."""

    def __init__(self):
        self.calls = []

    def transcribe(self, audio, sampling_rate):
        self.calls.append((len(audio), sampling_rate))
        return " ".join(TRANSCRIPT.split()[:-1])


# -------------------------------------------------------------------------------- --metrics
def test_metrics_pick_the_columns(speech_manifest):
    pytest.importorskip("pesq")
    pytest.importorskip("pystoi")
    lsd_only = run_benchmark(speech_manifest)
    assert lsd_only and all("lsd" in r and "pesq" not in r for r in lsd_only)
    assert not any(r["system"] == CEILING for r in lsd_only)  # the ceiling goes with speech metrics

    rows = run_benchmark(speech_manifest, metrics=("pesq", "stoi"))
    assert rows and all({"pesq", "stoi"} <= set(r) for r in rows)
    assert not any(k in r for r in rows for k in ("lsd", "snr", "estoi", "wer"))
    table = {r["system"]: r for r in summarize(rows)[("toy", "8k->16k")]}
    assert table[CEILING]["n"] == 3 and table[CEILING]["pesq"] > 4.5
    assert table[CEILING]["stoi"] > 0.99
    sinc = table["sinc interpolation (ours)"]
    # the reference scores higher than its band-limited interpolation, on both
    assert sinc["pesq"] < table[CEILING]["pesq"] - 0.1
    assert sinc["stoi"] <= table[CEILING]["stoi"]
    assert table["Peer"]["pesq"] > sinc["pesq"]

    with pytest.raises(ValueError, match="choose from lsd, pesq, stoi, estoi, wer"):
        run_benchmark(speech_manifest, metrics=("lsd", "mos"))


def test_cli_metrics_choose_the_markdown_columns(speech_manifest, capsys):
    pytest.importorskip("pesq")
    code = main(["benchmark", "--data", str(speech_manifest), "--metrics", "x"])
    assert code == 2 and "unknown metric(s) x" in capsys.readouterr().err

    args = ["benchmark", "--data", str(speech_manifest.parent), "--model", "tfnet-speech-8k-16k"]
    assert main([*args, "--metrics", "lsd,pesq"]) == 0
    header = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("| system")
    )
    assert "LSD" in header and "PESQ" in header
    assert "STOI" not in header and "WER" not in header


# ---------------------------------------------------------------------------- recognizer
def test_a_recognizer_object_plugs_into_the_benchmark(speech_manifest):
    pytest.importorskip("jiwer")
    fake = Fake()
    rows = run_benchmark(speech_manifest, metrics=("wer",), recognizer=fake)
    # transcribed once per estimate of the two clips with a transcript, never for the third
    with_text = [r for r in rows if r["words"]]
    assert len(fake.calls) == len(with_text) > 0
    assert all(rate == 16000 for _, rate in fake.calls)
    assert {r["reference"].split("/")[-2] for r in with_text} == {"a", "b"}
    for r in with_text:
        assert r["word_errors"] == 1 and r["words"] == 9
        assert r["wer"] == pytest.approx(1 / 9)
    table = {r["system"]: r for r in summarize(rows)[("toy", "8k->16k")]}
    for system in (CEILING, "sinc interpolation (ours)", "Peer"):
        assert table[system]["n"] == 3  # every clip scored ...
        assert table[system]["n_wer"] == 2 and table[system]["words"] == 18  # ... 2 with text
        assert table[system]["wer"] == pytest.approx(2 / 18)


def test_transcripts_file_fills_in_a_missing_transcript(tmp_path):
    ref = voiced(16000)
    sf.write(tmp_path / "ref.wav", ref, 16000, subtype="FLOAT")
    manifest = write_manifest(
        tmp_path / "MANIFEST.csv",
        [
            {
                "path": "ref.wav",
                "source": "toy",
                "role": "reference",
                "input_rate_hz": "8000",
                "target_rate_hz": "16000",
                "utterance_id": "p999_001",
            }
        ],
    )
    (clip,) = read_manifest(manifest, transcripts={"p999_001": "hello there"})
    assert clip.transcript == "hello there"
    (clip,) = read_manifest(manifest)
    assert clip.transcript is None


# --------------------------------------------------------------------------- --degradation
def test_degradations_end_to_end_with_a_bundled_model(tmp_path, speech_manifest, capsys):
    pytest.importorskip("pesq")
    pytest.importorskip("pystoi")
    out = tmp_path / "bench"
    code = main(
        [
            "benchmark",
            "--data",
            str(speech_manifest.parent),
            "--model",
            "audiounet-speech-8k-16k",
            "--degradation",
            "clean,mulaw",
            "--degradation",
            "telephone",
            "--metrics",
            "lsd,pesq,stoi",
            "--source",
            "toy",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    for name in ("clean", "mulaw", "telephone"):
        assert f"### 8k->16k — toy — {name}" in printed
    with open(out / "per_clip.csv") as f:
        rows = list(csv.DictReader(f))
    by = {(r["degradation"], r["system"], r["reference"]): r for r in rows}
    refs = sorted({r["reference"] for r in rows})
    assert len(refs) == 3
    for degradation, expected_input in (
        ("clean", "sinc"),
        ("mulaw", "sinc+mulaw"),
        ("telephone", "sinc+telephone"),
    ):
        for ref in refs:
            ours = by[(degradation, "audiounet-speech-8k-16k", ref)]
            assert ours["input"] == expected_input and ours["kind"] == "ours"
            assert np.isfinite(float(ours["lsd"])) and np.isfinite(float(ours["pesq"]))
            # the ceiling does not depend on the degradation
            assert by[(degradation, CEILING, ref)]["pesq"] == by[("clean", CEILING, ref)]["pesq"]
    # peers' outputs were made from clean inputs: scored under clean only
    assert {r["degradation"] for r in rows if r["system"] == "Peer"} == {"clean"}
    with open(out / "summary.csv") as f:
        summary = {(r["degradation"], r["system"]): r for r in csv.DictReader(f)}
    floor = "sinc interpolation (ours)"
    # the telephone band-pass takes out the band below 300 Hz: the low band gets worse
    assert float(summary[("telephone", floor)]["lsd_lf"]) > float(
        summary[("clean", floor)]["lsd_lf"]
    )
    # mu-law adds quantisation noise: the SNR of the interpolated input falls
    assert float(summary[("mulaw", floor)]["snr"]) < float(summary[("clean", floor)]["snr"])
    assert int(summary[("mulaw", "audiounet-speech-8k-16k")]["n"]) == 3


def test_unknown_degradation_is_a_usage_error(speech_manifest, capsys):
    assert main(["benchmark", "--data", str(speech_manifest), "--degradation", "mp4"]) == 2
    err = capsys.readouterr().err
    assert "unknown degradation 'mp4'" in err and "telephone" in err and "gsm610" in err


def test_degradation_all_expands_to_the_speech_list():
    from hf_audiosr.cli import build_parser
    from hf_audiosr.degradations import SPEECH_DEGRADATIONS

    args = build_parser().parse_args(["benchmark", "--data", "x", "--degradation", "all"])
    assert args.degradation == ["all"]
    assert "telephone" in SPEECH_DEGRADATIONS and "clean" in SPEECH_DEGRADATIONS


# ------------------------------------------------------------------------ missing extra
def test_a_missing_extra_names_it(speech_manifest, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pesq", None)  # `import pesq` now raises ImportError
    from hf_audiosr.metrics.speech import MissingExtraError

    with pytest.raises(MissingExtraError, match=r"hf-audiosr\[eval\]"):
        run_benchmark(speech_manifest, metrics=("lsd", "pesq"))
    code = main(["benchmark", "--data", str(speech_manifest), "--metrics", "pesq"])
    err = capsys.readouterr().err
    assert code == 2
    assert 'pip install "hf-audiosr[eval]"' in err and "pesq" in err
    assert "Traceback" not in err


def test_a_missing_recognizer_package_names_the_extra(speech_manifest, monkeypatch):
    monkeypatch.setitem(sys.modules, "jiwer", None)
    from hf_audiosr.metrics.speech import MissingExtraError

    with pytest.raises(MissingExtraError, match=r"hf-audiosr\[eval\]"):
        run_benchmark(speech_manifest, metrics=("wer",), recognizer=Fake())


# ------------------------------------------------- references serving every input rate
@pytest.fixture
def open_reference_manifest(tmp_path):
    """One wideband reference with an empty input_rate_hz, outputs of one system made from 8 and
    4 kHz inputs, and an output whose source has no reference at all."""
    ref = voiced(16000, seconds=1.5)
    (tmp_path / "clip").mkdir()
    sf.write(tmp_path / "clip" / "wideband.wav", ref, 16000, subtype="FLOAT")
    outputs = {}
    for rate in (8000, 4000):
        est = interpolate(degrade(ref, 16000, rate), 16000 // rate, "sinc")
        outputs[rate] = f"clip/peer_{rate // 1000}k.wav"
        sf.write(tmp_path / outputs[rate], est.astype(np.float32), 16000, subtype="FLOAT")
    sf.write(tmp_path / "orphan.wav", ref, 16000, subtype="FLOAT")
    rows = [
        {
            "path": "clip/wideband.wav",
            "source": "toy",
            "role": "reference",
            "input_rate_hz": "",
            "target_rate_hz": "16000",
        },
        *(
            {
                "path": path,
                "source": "toy",
                "role": "system_output",
                "system": "Peer",
                "input_rate_hz": str(rate),
                "target_rate_hz": "16000",
            }
            for rate, path in outputs.items()
        ),
        {
            "path": "orphan.wav",
            "source": "elsewhere",
            "role": "system_output",
            "system": "Lost",
            "input_rate_hz": "8000",
            "target_rate_hz": "16000",
        },
    ]
    return write_manifest(tmp_path / "MANIFEST.csv", rows)


def test_a_reference_without_input_rate_serves_every_condition(open_reference_manifest):
    unmatched = []
    clips = read_manifest(open_reference_manifest, unmatched=unmatched)
    by_rate = {c.input_rate: c for c in clips}
    assert set(by_rate) == {8000, 4000, None}  # None: the reference for models' own rates
    for rate in (8000, 4000):
        clip = by_rate[rate]
        assert clip.reference.name == "wideband.wav" and clip.target_rate == 16000
        assert {s: p.name for s, p in clip.outputs.items()} == {"Peer": f"peer_{rate // 1000}k.wav"}
    # the orphan is reported with its path and why, not dropped silently
    assert len(unmatched) == 1
    assert "orphan.wav" in unmatched[0] and "no reference of source 'elsewhere'" in unmatched[0]

    unmatched = []
    rows = run_benchmark(open_reference_manifest, unmatched=unmatched)
    tables = summarize(rows)
    assert set(tables) == {("toy", "4k->16k"), ("toy", "8k->16k")}
    for cond in ("4k->16k", "8k->16k"):
        table = {r["system"]: r for r in tables[("toy", cond)]}
        assert table["Peer"]["n"] == 1
        # the peer is our own sinc interpolation of the same input: the same score
        assert table["Peer"]["lsd"] == pytest.approx(
            table["sinc interpolation (ours)"]["lsd"], abs=0.02
        )
    four = {r["system"]: r for r in tables[("toy", "4k->16k")]}
    eight = {r["system"]: r for r in tables[("toy", "8k->16k")]}
    assert four["Peer"]["lsd"] > eight["Peer"]["lsd"]  # less input band, further from it
    assert any("orphan.wav" in line for line in unmatched)


def test_models_run_on_an_open_reference_at_their_own_rate(open_reference_manifest, tiny_pipeline):
    """The open reference gets the 8 kHz condition for an 8 -> 16 kHz model; with outputs for
    8 kHz already claiming it, the model joins that clip (no second 8 kHz clip)."""
    rows = run_benchmark(open_reference_manifest, models={"tiny": tiny_pipeline})
    eight = [r for r in rows if r["condition"] == "8k->16k"]
    assert sorted(r["system"] for r in eight) == sorted(
        ["Peer", "tiny", "sinc interpolation (ours)", "cubic spline (ours)"]
    )
    assert not any(r["system"] == "tiny" for r in rows if r["condition"] == "4k->16k")


def test_an_open_reference_with_no_outputs_is_scored_for_the_models(tmp_path, tiny_pipeline):
    ref = voiced(16000, seconds=1.5)
    sf.write(tmp_path / "wideband.wav", ref, 16000, subtype="FLOAT")
    row = {
        "path": "wideband.wav",
        "source": "toy",
        "role": "reference",
        "input_rate_hz": "",
        "target_rate_hz": "",
    }
    manifest = write_manifest(tmp_path / "MANIFEST.csv", [row])
    unmatched = []
    rows = run_benchmark(manifest, models={"tiny": tiny_pipeline}, unmatched=unmatched)
    assert {r["condition"] for r in rows} == {"8k->16k"} and not unmatched
    assert "tiny" in {r["system"] for r in rows}
    # without a model at a matching rate, the reference cannot be scored: that is reported
    unmatched = []
    assert run_benchmark(manifest, unmatched=unmatched) == []
    assert len(unmatched) == 1 and "wideband.wav" in unmatched[0]


def test_cli_prints_the_rows_it_could_not_use(open_reference_manifest, tmp_path, capsys):
    out = tmp_path / "bench"
    code = main(["benchmark", "--data", str(open_reference_manifest), "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "orphan.wav" in captured.err and "1 manifest rows or estimates" in captured.err
    assert "orphan.wav" in (out / "warnings.txt").read_text()


def test_baselines_choose_the_interpolations(speech_manifest):
    systems = {r["system"] for r in run_benchmark(speech_manifest, baselines=("sinc",))}
    assert "sinc interpolation (ours)" in systems and "cubic spline (ours)" not in systems
    systems = {r["system"] for r in run_benchmark(speech_manifest, baselines=())}
    assert systems == {"Peer"}
    with pytest.raises(ValueError, match="unknown baseline"):
        run_benchmark(speech_manifest, baselines=("linear",))
