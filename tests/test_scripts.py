"""The benchmark scripts run end to end (tiny sizes; the real figures are in the README)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def run_script(name, *args, cwd):
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def test_benchmark_speed_reports_rtf_against_sinc(tmp_path):
    out = tmp_path / "speed.json"
    result = run_script(
        "benchmark_speed.py", "--durations", "2", "--repeats", "1", "--train-steps", "1",
        "--models", "audiounet-speech-8k-16k", "--presets", "audiounet:tiny",
        "--json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    rows = report["rows"]
    timed = [r for r in rows if "fp32_rtf" in r and "model" in r]
    assert timed and all(r["fp32_rtf"] > 0 and r["fp32_vs_sinc"] > 0 for r in timed)
    # the figures name their CPU, and bf16 is timed only where it is native (--bf16 auto)
    cpu = report["cpu"]
    assert cpu["capability"] == torch.backends.cpu.get_cpu_capability()
    assert cpu["cores"] == os.cpu_count() and cpu["torch_threads"] == report["torch_threads"] == 1
    assert result.stdout.startswith(f"CPU: {cpu['model'] or cpu['machine']}, torch ")
    assert all(("bf16_rtf" in r) == cpu["native_bf16"] for r in timed)
    assert any(r.get("train_steps_per_s", 0) > 0 for r in rows)
    assert any(r.get("preset") == "audiounet:tiny" for r in rows)


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="/usr/bin/time is not installed")
def test_benchmark_memory_measures_peak_rss(tmp_path):
    result = run_script(
        "benchmark_memory.py", "--minutes", "0.5", "--workdir", str(tmp_path / "m"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["output_seconds"] == pytest.approx(30.0, abs=0.01)
    assert report["output_rate"] == 48000  # auto: 8 kHz speech to the full-band model
    assert report["peak_rss_mb_long"] > 50 and report["peak_rss_mb_10s"] > 50
    assert report["cpu"]["capability"] == torch.backends.cpu.get_cpu_capability()


def test_benchmark_speed_times_presets_only_at_other_rates(tmp_path):
    out = tmp_path / "speed.json"
    result = run_script(
        "benchmark_speed.py", "--repeats", "1", "--models", "--presets",
        "audiounet:tiny", "audiounet:tiny:4000", "--json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    assert not any("model" in r for r in rows)  # no bundled model was timed
    assert [r["preset"] for r in rows] == ["audiounet:tiny", "audiounet:tiny:4000"]
    assert all(r["fp32_rtf"] > 0 for r in rows)


def test_benchmark_speed_times_a_same_rate_preset(tmp_path):
    """``bandnext`` keeps the rate: ``bandnext:tiny:16000`` is a 16 kHz -> 16 kHz model."""
    out = tmp_path / "speed.json"
    result = run_script(
        "benchmark_speed.py", "--repeats", "1", "--models", "--presets", "bandnext:tiny:16000",
        "--json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["cpu"]["capability"] and "CPU: " in result.stdout
    (row,) = report["rows"]
    assert row["preset"] == "bandnext:tiny:16000" and row["fp32_rtf"] > 0 and row["vs_sinc"] > 0


def test_zoo_table_puts_peers_beside_ours_on_their_own_clips(tmp_path):
    fields = "source,condition,target_rate,reference,system,kind,lsd,lsd_hf,snr".split(",")
    clips = {"setA": ["a1", "a2"], "setB": ["b1"]}
    rows = []
    for source, refs in clips.items():
        for i, ref in enumerate(refs):
            for system, kind, lsd in (
                ("audiounet-speech-8k-16k", "ours", 1.0 + i),
                ("cubic spline (ours)", "baseline", 2.0),
            ):
                rows.append([source, "8k->16k", 16000, ref, system, kind, lsd, lsd + 0.5, 20.0])
    rows.append(["setB", "8k->16k", 16000, "b1", "NVSR", "peer", 0.5, 0.7, 17.0])
    rows.append(["setB", "8k->16k", 16000, "b1", "AP-BWE ablation: x", "peer", 0.1, 0.1, 1.0])
    rows.append(["setA", "4k->16k", 16000, "a1", "TFiLM", "peer", 3.0, 3.0, 3.0])
    csv_path = tmp_path / "per_clip.csv"
    csv_path.write_text("\n".join(",".join(str(v) for v in r) for r in [fields, *rows]) + "\n")
    speed = tmp_path / "speed.json"
    cpu = {"model": "Test CPU", "capability": "AVX2", "cores": 2, "machine": "x86_64"}
    rows = [{"preset": "audiounet:small", "fp32_rtf": 0.01}]
    speed.write_text(json.dumps({"cpu": cpu, "rows": rows}))
    result = run_script(
        "zoo_table.py", "--benchmark", str(csv_path), "--speed", str(speed), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    # only setB has a published system, so it is the only clip-set column
    assert header[-1] == "LSD, setB (n=1)" and not any("setA" in h for h in header)
    assert header[5] == "CPU RTF (Test CPU, AVX2, 2 cores)"  # the speed run's CPU
    table = {
        cells[0]: cells
        for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines[2:])
    }
    assert set(table) == {"audiounet-speech-8k-16k", "cubic spline (ours)", "NVSR"}
    ours = table["audiounet-speech-8k-16k"]
    assert ours[4] == "5,724"  # every step behind the bundled default (best of 6000)
    assert ours[5] == "0.0100"  # its preset's RTF
    assert ours[6] == f"{(1.0 + 2.0 + 1.0) / 3:.3f}"  # mean over all 3 clips
    assert ours[-1] == "1.000"  # on setB's one clip
    assert table["NVSR"][5] == "0.76 (published, their CPU)"
    assert table["NVSR"][6] == "-" and table["NVSR"][-1] == "0.500"


TRAIN_DATA = ROOT.parent / "shared" / "data" / "train"


@pytest.mark.skipif(
    not (TRAIN_DATA / "MANIFEST.csv").is_file(), reason="../shared/data/train is not here"
)
def test_benchmark_music_scores_models_against_sinc_and_the_mp3(tmp_path):
    """Held-out instruments mixed into clips; a 48 kHz any-band model runs at 44.1 kHz beside
    sinc interpolation (11k, 22k) and the MP3 itself."""
    from hf_audiosr import AudioSRFeatureExtractor
    from hf_audiosr.models import BandNeXtConfig, BandNeXtForAudioSuperResolution

    torch.manual_seed(0)
    folder = tmp_path / "bandnext-48k"
    BandNeXtForAudioSuperResolution(BandNeXtConfig.from_preset("tiny")).save_pretrained(folder)
    AudioSRFeatureExtractor(sampling_rate=48000, output_sampling_rate=48000).save_pretrained(folder)
    out = tmp_path / "music"
    result = run_script(
        "benchmark_music.py", "--clips", "2", "--seconds", "1.5", "--model", str(folder),
        "--condition", "22k", "--condition", "mp3_128k", "--out", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads((out / "results.json").read_text())
    by = {(s["condition"], s["system"]): s for s in record["summary"]}
    assert set(by) == {
        ("22k", "sinc interpolation"),
        ("22k", str(folder)),
        ("mp3_128k", "MP3 itself"),
        ("mp3_128k", str(folder)),
    }
    assert all(s["n"] == 2 and s["lsd"] > 0 and s["lsd_hf"] > 0 for s in by.values())
    # sinc interpolation leaves the band above 11.025 kHz empty: far from the original there
    assert by[("22k", "sinc interpolation")]["lsd_hf"] > by[("mp3_128k", "MP3 itself")]["lsd_hf"]
    assert "torch" in record["cpu"]  # the CPU is named beside the figures
    assert "| 22k | sinc interpolation | 2 |" in (out / "tables.md").read_text()


def test_bundle_model_stores_half_weights_that_load_and_run_as_float32(tmp_path):
    """scripts/bundle_model.py --half: float16 on disk, float32 in memory, the same output up to
    float16 rounding, the routing fields added, and a card that says what is stored."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from bundle_model import bundle
    finally:
        sys.path.pop(0)
    from safetensors import safe_open

    import hf_audiosr
    from hf_audiosr import AudioSRFeatureExtractor
    from hf_audiosr.model_card import render_model_card
    from hf_audiosr.models import BandNeXtConfig, BandNeXtForAudioSuperResolution

    source = tmp_path / "best"
    torch.manual_seed(0)
    model = BandNeXtForAudioSuperResolution(BandNeXtConfig.from_preset("tiny")).eval()
    model.save_pretrained(source)
    AudioSRFeatureExtractor(sampling_rate=48000, output_sampling_rate=48000).save_pretrained(source)
    args = {
        "loss_l2": 100.0, "loss_stft_sc": 1.0, "loss_stft_mag": 1.0, "batch_size": 4,
        "segment_length": 32768, "learning_rate": 5e-4, "min_learning_rate_ratio": 0.0,
        "degradation_sinc": 1.0, "degradation_cheby": 0.0, "degradation_fft": 0.0,
    }  # fmt: skip
    recipe = {"step": 10, "args": args, "num_parameters": 1, "train_corpus_minutes": 1.0,
              "train_files": 1, "metrics": {}}  # fmt: skip
    (source / "training_recipe.json").write_text(json.dumps(recipe))
    folder = bundle(source, "tiny-48k", half=True, routing_priority=2, checkpoints=tmp_path)
    with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
        assert {f.get_slice(k).get_dtype() for k in f.keys()} == {"F16"}
    config = json.loads((folder / "config.json").read_text())
    assert config["routing_priority"] == 2 and config["dtype"] == "float32"
    loaded = hf_audiosr.load_model(str(folder))
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((1, 9600)).astype("float32"))
    with torch.no_grad():
        ref = model(x, input_bandwidth_hz=8000.0).audio_values
        got = loaded(x, input_bandwidth_hz=8000.0).audio_values
    assert 0 < (got - ref).abs().max() < 1e-2 * ref.abs().max()
    card = render_model_card(
        folder, ROOT / "model_cards" / "TEMPLATE.md", name="tiny-48k", summary="s",
        train_command="t", benchmark_command="b", data_sources=["d"], validation="v",
        limitations="l",
    )  # fmt: skip
    assert "MB of float16 safetensors, run as float32" in card
    (source / "training_recipe.json").unlink()
    with pytest.raises(SystemExit, match="no training_recipe.json"):
        bundle(source, "x", checkpoints=tmp_path)


def test_analyze_band_level_scores_each_input_rate(tmp_path):
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(0)
    t = np.arange(48000) / 48000
    for i in range(2):
        voice = sum(np.sin(2 * np.pi * k * (120 + 30 * i) * t) / k for k in range(1, 150))
        audio = 0.1 * voice / np.abs(voice).max() + 0.003 * rng.standard_normal(len(t))
        sf.write(tmp_path / f"clip{i}.wav", audio.astype(np.float32), 48000)
    result = run_script(
        "analyze_band_level.py", "--model", "bandnext-fullband-48k", "--files",
        str(tmp_path / "clip*.wav"), "--input-rate", "8000", "24000", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {
        int(line.split("|")[1]): [float(v) for v in line.split("|")[2:4]]
        for line in result.stdout.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    }
    assert set(rows) == {8000, 24000}
    assert "2 files" in result.stdout and "torch" in result.stdout
    # more band to invent from 8 kHz than from 24 kHz: a larger distance
    assert rows[8000][0] > rows[24000][0] > 0
    missing = run_script("analyze_band_level.py", "--model", "x", "--files", "nope*", cwd=tmp_path)
    assert missing.returncode == 2 and "no files match" in missing.stderr
