"""The benchmark reads any manifest of the shared eval format and scores everything with one code."""

import csv
import json

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.benchmark import read_manifest, run_benchmark, summarize
from hf_audiosr.cli import main
from hf_audiosr.dsp import degrade


def harmonic(sr, seconds=1.5, f0=180.0):
    t = np.arange(int(sr * seconds)) / sr
    x = sum(0.3 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 40) if f0 * k < sr / 2)
    return (x * np.hanning(len(t))).astype(np.float32)


@pytest.fixture
def manifest(tmp_path):
    """Two references (16 kHz), each with a perfect 'oracle' system, a muffled one, and an input."""
    rows = []
    for i, name in enumerate(["a", "b"]):
        ref = harmonic(16000, f0=150.0 + 40 * i)
        folder = tmp_path / "peers" / name
        folder.mkdir(parents=True)
        sf.write(folder / "ref.wav", ref, 16000, subtype="FLOAT")
        sf.write(folder / "oracle.wav", ref, 16000, subtype="FLOAT")
        muffled = np.interp(
            np.arange(len(ref)) / 2, np.arange(len(ref) // 2), degrade(ref, 16000, 8000)
        )
        sf.write(folder / "muffled.wav", muffled.astype(np.float32), 16000, subtype="FLOAT")
        sf.write(
            folder / "lr.wav", degrade(ref, 16000, 8000).astype(np.float32), 8000, subtype="FLOAT"
        )
        base = {"source": "toy", "input_rate_hz": "8000", "target_rate_hz": "16000"}
        rows += [
            {**base, "path": f"peers/{name}/ref.wav", "role": "reference", "system": ""},
            {
                **base,
                "path": f"peers/{name}/oracle.wav",
                "role": "system_output",
                "system": "Oracle",
            },
            {
                **base,
                "path": f"peers/{name}/muffled.wav",
                "role": "baseline_interp",
                "system": "Linear",
            },
            {**base, "path": f"peers/{name}/lr.wav", "role": "input", "system": ""},
        ]
    path = tmp_path / "MANIFEST.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_read_manifest_matches_outputs_to_their_own_reference(manifest):
    clips = sorted(read_manifest(manifest), key=lambda c: str(c.reference))
    assert [c.reference.parent.name for c in clips] == ["a", "b"]
    for clip in clips:
        assert {s: p.parent for s, p in clip.outputs.items()} == {
            "Oracle": clip.reference.parent,
            "Linear": clip.reference.parent,
        }
        assert clip.manifest_input == clip.reference.parent / "lr.wav"


def test_run_benchmark_scores_peers_and_baselines_with_one_function(manifest):
    rows = run_benchmark(manifest)
    tables = summarize(rows)
    table = {r["system"]: r for r in tables[("toy", "8k->16k")]}
    assert table["Oracle"]["n"] == 2
    assert table["Oracle"]["lsd"] == 0.0
    assert table["Oracle"]["lsd"] < table["Linear"]["lsd"]
    assert table["sinc interpolation (ours)"]["n"] == 2
    # interpolation keeps the low band and leaves the high band empty
    sinc = table["sinc interpolation (ours)"]
    assert sinc["lsd_lf"] < 0.25 * sinc["lsd_hf"]


def test_cli_benchmark_writes_csv_and_markdown(manifest, tmp_path, capsys):
    out = tmp_path / "bench"
    code = main(
        [
            "benchmark",
            "--data",
            str(manifest.parent),
            "--model",
            "audiounet-speech-8k-16k",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "### 8k->16k — toy" in printed and "audiounet-speech-8k-16k" in printed
    with open(out / "summary.csv") as f:
        summary = list(csv.DictReader(f))
    systems = {r["system"] for r in summary}
    assert {"audiounet-speech-8k-16k", "Oracle", "Linear", "sinc interpolation (ours)"} <= systems
    ours = next(r for r in summary if r["system"] == "audiounet-speech-8k-16k")
    assert int(ours["n"]) == 2 and np.isfinite(float(ours["lsd"]))
    assert (out / "summary.md").read_text().startswith("### 8k->16k")
    assert len(list(csv.DictReader(open(out / "per_clip.csv")))) == 2 * len(systems)


def test_cli_benchmark_missing_manifest(tmp_path, capsys):
    assert main(["benchmark", "--data", str(tmp_path)]) == 2
    assert "no MANIFEST.csv found" in capsys.readouterr().err


def test_model_card_renders_valid_yaml(tmp_path, manifest):
    import shutil

    import yaml

    from hf_audiosr.bundled import default_model_path
    from hf_audiosr.model_card import render_model_card

    rows = run_benchmark(manifest)
    summary = [
        {"source": s, "condition": c, **r} for (s, c), t in summarize(rows).items() for r in t
    ]
    for r in summary:
        if r["system"] == "Oracle":
            r["system"] = "toy-model"
    bench = tmp_path / "summary.csv"
    with open(bench, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(summary[0]))
        w.writeheader()
        w.writerows(summary)
    folder = tmp_path / "toy-model"
    shutil.copytree(default_model_path(), folder)
    root = default_model_path().parents[3]
    spec = json.loads((root / "model_cards" / "audiounet-speech-8k-16k.json").read_text())
    card = render_model_card(
        folder, root / "model_cards" / "TEMPLATE.md", name="toy-model", benchmark_csv=bench, **spec
    )
    header = yaml.safe_load(card.split("---")[1])
    assert header["pipeline_tag"] == "audio-to-audio"
    assert header["library_name"] == "hf-audiosr"
    metrics = header["model-index"][0]["results"][0]["metrics"]
    assert [m["type"] for m in metrics] == ["lsd", "lsd_hf", "lsd_lf", "snr"]
    assert metrics[0]["value"] == 0.0
    assert "**toy-model (this model)**" in card
    assert "$" not in card  # every template field was filled


def test_derived_rates_rescore_peers_at_a_lower_target(tmp_path):
    ref = harmonic(32000, seconds=1.0)
    folder = tmp_path / "c"
    folder.mkdir()
    sf.write(folder / "ref.wav", ref, 32000, subtype="FLOAT")
    sf.write(folder / "peer.wav", ref, 32000, subtype="FLOAT")
    rows = [
        {
            "path": "c/ref.wav",
            "source": "toy",
            "role": "reference",
            "system": "",
            "input_rate_hz": "8000",
            "target_rate_hz": "32000",
        },
        {
            "path": "c/peer.wav",
            "source": "toy",
            "role": "system_output",
            "system": "Oracle",
            "input_rate_hz": "8000",
            "target_rate_hz": "32000",
        },
    ]
    path = tmp_path / "MANIFEST.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tables = summarize(run_benchmark(path, derive_rates=(16000, 12000, 64000)))
    assert set(tables) == {("toy", "8k->32k"), ("toy (from 32k outputs)", "8k->16k")}
    derived = {r["system"]: r for r in tables[("toy (from 32k outputs)", "8k->16k")]}
    assert derived["Oracle"]["lsd"] < 1e-6  # resampled the same way as the reference
    assert derived["sinc interpolation (ours)"]["lsd_hf"] > 1.0


def test_outputs_match_references_by_name_whatever_their_extension(tmp_path):
    rows = []
    for i in range(3):
        ref = harmonic(16000, seconds=1.0, f0=120.0 + 30 * i)
        for folder, ext in (("original", "flac"), ("system", "wav" if i == 2 else "flac")):
            (tmp_path / folder).mkdir(exist_ok=True)
            sf.write(
                tmp_path / folder / f"sample_{i}.{ext}",
                ref,
                16000,
                subtype="FLOAT" if ext == "wav" else "PCM_24",
            )
        base = {"source": "toy", "input_rate_hz": "8000", "target_rate_hz": "16000"}
        rows.append(
            {**base, "path": f"original/sample_{i}.flac", "role": "reference", "system": ""}
        )
        ext = "wav" if i == 2 else "flac"
        rows.append(
            {**base, "path": f"system/sample_{i}.{ext}", "role": "system_output", "system": "Copy"}
        )
    path = tmp_path / "MANIFEST.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    clips = sorted(read_manifest(path), key=lambda c: c.reference.name)
    assert [c.outputs["Copy"].stem for c in clips] == ["sample_0", "sample_1", "sample_2"]
    table = {r["system"]: r for r in summarize(run_benchmark(path))[("toy", "8k->16k")]}
    assert table["Copy"]["n"] == 3 and table["Copy"]["lsd"] < 0.01


def test_which_conditions_a_model_is_scored_on():
    import hf_audiosr
    from hf_audiosr.benchmark import model_serves
    from hf_audiosr.models import BandNeXtConfig, TFNetConfig

    tfnet = TFNetConfig(
        **json.loads(
            (hf_audiosr.bundled_models()["tfnet-speech-8k-16k"] / "config.json").read_text()
        )
    )
    assert model_serves(tfnet, 8000, 16000)
    assert not model_serves(tfnet, 8000, 48000) and not model_serves(tfnet, 4000, 16000)
    full = BandNeXtConfig.from_preset("tiny")  # any band from 2 kHz, to 44.1 or 48 kHz
    assert all(model_serves(full, r, 48000) for r in (8000, 12000, 16000, 24000))
    assert model_serves(full, 22050, 44100) and not model_serves(full, 8000, 16000)
    assert not model_serves(full, 48000, 48000)  # nothing to add
