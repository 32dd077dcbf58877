"""The ``hf-audiosr`` command line, run in-process (``main([...])``) and once as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import hf_audiosr
from hf_audiosr import AudioUNetConfig, AudioUNetForAudioSuperResolution
from hf_audiosr.cli import main

SRC_DIR = Path(__file__).resolve().parent.parent / "src"


def run(capsys, *args) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_one_error_line(err: str, *fragments: str) -> str:
    """stderr is exactly one ``error: ...`` line, without a traceback, mentioning ``fragments``."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def read(path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return audio.T, rate


@pytest.fixture
def clip(write_audio, signal) -> Path:
    """0.5 s of 8 kHz mono float WAV."""
    return write_audio("clip.wav", signal(4000, 8000), 8000)


# ------------------------------------------------------------------------------ upsample
def test_upsample_one_file_to_wav(capsys, clip, tmp_path, tiny_model_dir, tiny_pipeline):
    out = tmp_path / "result" / "clip_16k.wav"
    rc, stdout, err = run(capsys, "upsample", clip, "-o", out, "--model", tiny_model_dir)
    assert rc == 0, err
    assert err == ""
    assert re.fullmatch(
        re.escape(f"{clip} (8000 Hz, ")
        + r"[0-9.]+ kHz of band\) -> "
        + re.escape(f"{out} (16000 Hz) via {tiny_model_dir}"),
        stdout.strip(),
    )
    audio, rate = read(out)
    assert rate == 16000
    assert sf.info(str(out)).subtype == "FLOAT"
    expected = tiny_pipeline(str(clip))["audio"]
    assert audio.shape == (1, 8000)
    np.testing.assert_allclose(audio[0], expected, atol=1e-5)


def test_upsample_one_file_to_flac(capsys, clip, tmp_path, tiny_model_dir, tiny_pipeline):
    out = tmp_path / "clip.flac"
    rc, _, err = run(capsys, "upsample", clip, "-o", out, "--model", tiny_model_dir)
    assert rc == 0, err
    audio, rate = read(out)
    assert (rate, sf.info(str(out)).subtype, audio.shape) == (16000, "PCM_16", (1, 8000))
    # 16-bit quantisation: half a step of 2**-15
    np.testing.assert_allclose(audio[0], tiny_pipeline(str(clip))["audio"], atol=2**-15)


def test_upsample_with_the_bundled_default_model(capsys, clip, tmp_path, default_pipeline):
    out = tmp_path / "clip_48k.wav"
    rc, _, err = run(capsys, "upsample", clip, "-o", out, "--quiet")
    assert rc == 0, err
    audio, rate = read(out)
    assert rate == 48000  # auto: the full-band model
    np.testing.assert_allclose(audio[0], default_pipeline(str(clip))["audio"], atol=1e-5)


def test_upsample_folder_keeps_the_relative_layout(
    capsys, tmp_path, write_audio, signal, tiny_model_dir
):
    write_audio("in/a.wav", signal(800, 8000), 8000)
    write_audio("in/sub/b.flac", signal(1000, 16000, channels=2), 16000)
    write_audio("in/sub/deeper/c.wav", signal(441, 44100), 44100)
    (tmp_path / "in" / "sub" / "notes.txt").write_text("not audio, skipped")
    out = tmp_path / "out"
    rc, stdout, err = run(capsys, "upsample", tmp_path / "in", "-o", out, "--model", tiny_model_dir)
    assert rc == 0, err
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["a.wav", "sub/b.wav", "sub/deeper/c.wav"]
    assert len(stdout.splitlines()) == 3
    shapes = {name: read(out / name)[0].shape for name in written}
    # never below the input's rate: the 44.1 kHz file stays at 44.1 kHz, with its length
    assert shapes == {"a.wav": (1, 1600), "sub/b.wav": (2, 1000), "sub/deeper/c.wav": (1, 441)}
    assert {name: read(out / name)[1] for name in written} == {
        "a.wav": 16000,
        "sub/b.wav": 16000,
        "sub/deeper/c.wav": 44100,
    }


def test_upsample_folder_to_flac_format(capsys, tmp_path, write_audio, signal, tiny_model_dir):
    write_audio("in/a.wav", signal(800, 8000), 8000)
    rc, _, err = run(
        capsys,
        "upsample",
        tmp_path / "in",
        "-o",
        tmp_path / "out",
        "--format",
        "flac",
        "--model",
        tiny_model_dir,
    )
    assert rc == 0, err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.flac"]


def test_upsample_target_rate(capsys, clip, tmp_path, tiny_model_dir):
    out = tmp_path / "clip_44k.wav"
    rc, stdout, err = run(
        capsys, "upsample", clip, "-o", out, "--target-rate", 44100, "--model", tiny_model_dir
    )
    assert rc == 0, err
    audio, rate = read(out)
    assert rate == 44100
    assert audio.shape == (1, 22050)  # 0.5 s
    assert re.search(r"\(44100 Hz\) via \S+$", stdout.strip())


def test_upsample_plot_writes_a_png(capsys, clip, tmp_path, tiny_model_dir):
    out = tmp_path / "clip_16k.wav"
    rc, stdout, err = run(capsys, "upsample", clip, "-o", out, "--plot", "--model", tiny_model_dir)
    assert rc == 0, err
    png = tmp_path / "clip_16k.png"
    assert f"spectrogram: {png}" in stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def test_one_sample_file_is_upsampled_to_two_samples(capsys, write_audio, tmp_path, tiny_model_dir):
    # One sample is valid audio: the model pads internally, so the right answer is 2 samples.
    src = write_audio("one.wav", np.array([0.5], dtype=np.float32), 8000)
    rc, _, err = run(
        capsys, "upsample", src, "-o", tmp_path / "one_16k.wav", "--model", tiny_model_dir
    )
    assert rc == 0, err
    audio, rate = read(tmp_path / "one_16k.wav")
    assert (audio.shape, rate) == ((1, 2), 16000)
    assert np.isfinite(audio).all()


def test_one_sample_at_a_high_rate_is_too_short(capsys, write_audio, tmp_path, tiny_model_dir):
    src = write_audio("one44.wav", np.array([0.5], dtype=np.float32), 44100)
    rc, _, err = run(capsys, "upsample", src, "-o", tmp_path / "o.wav", "--model", tiny_model_dir)
    assert rc == 1
    assert_one_error_line(err, str(src), "too short, nothing is left at 8000 Hz")
    assert not (tmp_path / "o.wav").exists()


# ------------------------------------------------------------------------------ models
def test_models_table(capsys):
    rc, stdout, _ = run(capsys, "models")
    assert rc == 0
    lines = stdout.splitlines()
    assert lines[0].startswith("`--model auto` (the default)")
    header, *rows = lines[1:]
    assert header.split()[:5] == ["name", "architecture", "in", "Hz", "out"]
    assert "auto for" in header
    routed = [row.split()[0] for row in rows if row.split()[5] != "-"]
    # the full-band model gets 2-21.1 kHz (at 48 kHz out), the any-band 16 kHz model 2-7.2 kHz
    # (at 16 kHz out), the 4 -> 16 kHz model what lies below 2 kHz
    assert routed == ["bandnext-fullband-48k", "bandnext-speech-16k", "tfnet-speech-4k-16k"]
    assert any(
        row.split()[:4] == ["audiounet-speech-8k-16k", "audiosr-audiounet", "8000", "16000"]
        for row in rows
    )


def test_models_json(capsys):
    rc, stdout, _ = run(capsys, "models", "--json")
    assert rc == 0
    rows = json.loads(stdout)
    by_name = {row["name"]: row for row in rows}
    row = by_name["audiounet-speech-8k-16k"]
    assert row["architecture"] == "audiosr-audiounet"
    assert (row["input_sampling_rate"], row["output_sampling_rate"]) == (8000, 16000)
    model = hf_audiosr.load_model("audiounet-speech-8k-16k")
    assert row["num_parameters"] == sum(p.numel() for p in model.parameters())
    assert {"steps", "batch_size", "train_minutes", "degradations", "validation"} <= set(
        row["training"]
    )
    assert row["training"]["steps"] > 0


# ------------------------------------------------------------------------------ evaluate
@pytest.fixture
def reference_and_estimate(write_audio, signal):
    """A 16 kHz reference and an estimate at exactly 20 dB SNR."""
    ref = signal(16000, 16000).astype(np.float64)
    noise = np.random.default_rng(1).standard_normal(ref.shape)
    noise *= np.sqrt(np.sum(ref**2) / np.sum(noise**2) / 100.0)
    ref_path = write_audio("ref.wav", ref, 16000, subtype="DOUBLE")
    est_path = write_audio("est.wav", ref + noise, 16000, subtype="DOUBLE")
    return ref_path, est_path


def test_evaluate_json(capsys, reference_and_estimate):
    ref, est = reference_and_estimate
    rc, stdout, _ = run(
        capsys, "evaluate", "--reference", ref, "--estimate", est, "--input-rate", 8000, "--json"
    )
    assert rc == 0
    result = json.loads(stdout)
    assert {"lsd", "lsd_hf", "lsd_lf", "snr"} <= set(result)
    assert result["snr"] == pytest.approx(20.0, abs=1e-6)
    assert result["lsd"] > 0 and result["lsd_hf"] > 0 and result["lsd_lf"] > 0
    assert (result["sampling_rate"], result["input_rate"]) == (16000, 8000)


def test_evaluate_identical_files_is_strict_json(capsys, reference_and_estimate):
    ref, _ = reference_and_estimate
    rc, stdout, _ = run(
        capsys, "evaluate", "--reference", ref, "--estimate", ref, "--input-rate", 8000, "--json"
    )
    assert rc == 0
    result = json.loads(stdout, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    # exactly 0: both sides are the same file through the same code, so every ratio is 1
    assert result["lsd"] == 0.0 and result["lsd_hf"] == 0.0 and result["lsd_lf"] == 0.0
    assert result["snr"] is None  # +inf has no JSON spelling


def test_evaluate_text(capsys, reference_and_estimate):
    ref, est = reference_and_estimate
    rc, stdout, _ = run(
        capsys, "evaluate", "--reference", ref, "--estimate", est, "--input-rate", 8000
    )
    assert rc == 0
    values = dict(line.split() for line in stdout.splitlines())
    assert float(values["snr"]) == pytest.approx(20.0, abs=1e-4)


def test_evaluate_bad_input_rate(capsys, reference_and_estimate):
    ref, est = reference_and_estimate
    rc, _, err = run(
        capsys, "evaluate", "--reference", ref, "--estimate", est, "--input-rate", 32000
    )
    assert rc == 2
    assert_one_error_line(err, "--input-rate must be in (0, 16000]")


# ------------------------------------------------------------------------------ bad input
def test_missing_file(capsys, tmp_path, tiny_model_dir):
    missing = tmp_path / "missing.wav"
    rc, _, err = run(
        capsys, "upsample", missing, "-o", tmp_path / "o.wav", "--model", tiny_model_dir
    )
    assert rc != 0
    assert_one_error_line(err, f"{missing}: no such file")


def test_directory_without_audio(capsys, tmp_path, tiny_model_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")
    rc, _, err = run(capsys, "upsample", folder, "-o", tmp_path / "out", "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, f"{folder}: folder contains no audio files")
    assert not (tmp_path / "out").exists()


def test_empty_file(capsys, tmp_path, tiny_model_dir):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    rc, _, err = run(capsys, "upsample", empty, "-o", tmp_path / "o.wav", "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, f"{empty}: the file is empty (0 bytes)")
    assert not (tmp_path / "o.wav").exists()


def test_corrupt_file(capsys, tmp_path, tiny_model_dir):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4096))
    rc, _, err = run(
        capsys, "upsample", corrupt, "-o", tmp_path / "o.wav", "--model", tiny_model_dir
    )
    assert rc != 0
    assert_one_error_line(err, f"{corrupt}: not a readable audio file")


def test_text_file_renamed_flac(capsys, tmp_path, tiny_model_dir):
    text = tmp_path / "notes.flac"
    text.write_text("these are not audio samples\n" * 20)
    rc, _, err = run(capsys, "upsample", text, "-o", tmp_path / "o.wav", "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, f"{text}: not a readable audio file")


def test_unknown_model_name(capsys, clip, tmp_path):
    rc, _, err = run(
        capsys, "upsample", clip, "-o", tmp_path / "o.wav", "--model", "does-not-exist/../../etc"
    )
    assert rc != 0
    assert_one_error_line(
        err, "unknown model 'does-not-exist/../../etc'", "not a Hub id like 'owner/name'"
    )


def test_model_folder_without_weights(capsys, clip, tmp_path):
    folder = tmp_path / "no-weights"
    AudioUNetConfig.from_preset("tiny").save_pretrained(folder)
    rc, _, err = run(capsys, "upsample", clip, "-o", tmp_path / "o.wav", "--model", folder)
    assert rc != 0
    assert_one_error_line(err, "no file named model.safetensors", str(folder))


def test_model_folder_with_corrupt_weights(capsys, clip, tmp_path):
    folder = tmp_path / "corrupt-weights"
    AudioUNetConfig.from_preset("tiny").save_pretrained(folder)
    (folder / "model.safetensors").write_bytes(np.random.default_rng(0).bytes(2048))
    rc, _, err = run(capsys, "upsample", clip, "-o", tmp_path / "o.wav", "--model", folder)
    assert rc != 0
    assert_one_error_line(err, f"{folder}: model.safetensors is not a readable safetensors file")


def test_model_folder_whose_weights_do_not_match_the_config(capsys, clip, tmp_path):
    folder = tmp_path / "mismatch"
    torch.manual_seed(0)
    AudioUNetForAudioSuperResolution(
        AudioUNetConfig.from_preset("tiny", bottleneck_filters=24)
    ).save_pretrained(folder)
    AudioUNetConfig.from_preset("tiny").save_pretrained(folder)  # config.json now says 16 filters
    rc, _, err = run(capsys, "upsample", clip, "-o", tmp_path / "o.wav", "--model", folder)
    assert rc != 0
    assert_one_error_line(
        err,
        f"{folder}: model.safetensors does not match config.json",
        "bottleneck.conv.bias: (24,) in the checkpoint, (16,) from config.json",
    )
    assert not (tmp_path / "o.wav").exists()


def test_model_folder_of_another_architecture(capsys, clip, tmp_path):
    folder = tmp_path / "bert"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    rc, _, err = run(capsys, "upsample", clip, "-o", tmp_path / "o.wav", "--model", folder)
    assert rc != 0
    assert_one_error_line(err, "model_type 'bert' is not an hf-audiosr architecture")


def test_several_inputs_to_one_wav(capsys, tmp_path, write_audio, signal, tiny_model_dir):
    a = write_audio("a.wav", signal(800, 8000), 8000)
    b = write_audio("b.wav", signal(800, 8000), 8000)
    out = tmp_path / "both.wav"
    rc, _, err = run(capsys, "upsample", a, b, "-o", out, "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, f"{out}: several inputs need an output folder, not a file name")
    assert not out.exists()


def test_output_that_would_overwrite_the_input(capsys, clip, tiny_model_dir):
    before = clip.read_bytes()
    rc, _, err = run(capsys, "upsample", clip, "-o", clip, "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, f"{clip}: output would overwrite the input")
    assert clip.read_bytes() == before


def test_unsupported_output_extension(capsys, clip, tmp_path, tiny_model_dir):
    rc, _, err = run(capsys, "upsample", clip, "-o", tmp_path / "o.mp3", "--model", tiny_model_dir)
    assert rc != 0
    assert_one_error_line(err, "o.mp3: can only write .wav or .flac files")
    assert list(tmp_path.iterdir()) == [clip]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--chunk-length", "--chunk-length must be positive, got 0.0"),
        ("--target-rate", "--target-rate must be positive, got 0"),
    ],
)
def test_non_positive_options(capsys, clip, tmp_path, tiny_model_dir, option, message):
    rc, _, err = run(
        capsys, "upsample", clip, "-o", tmp_path / "o.wav", option, "0", "--model", tiny_model_dir
    )
    assert rc != 0
    assert_one_error_line(err, message)


def test_negative_context_is_refused(capsys, clip, tmp_path, tiny_model_dir):
    rc, _, err = run(
        capsys,
        "upsample",
        clip,
        "-o",
        tmp_path / "o.wav",
        "--context",
        "-1",
        "--model",
        tiny_model_dir,
    )
    assert rc != 0
    assert_one_error_line(err, "--context must be non-negative, got -1.0")


def test_upsample_context_defaults_to_the_models(
    capsys, write_audio, signal, tmp_path, tiny_model_dir, tiny_pipeline
):
    """Without --context the chunks get the model's default context (whole-file output); an
    explicit --context 0 reaches upsample_file (the seams then differ)."""
    src = write_audio("three.wav", signal(3 * 8000, 8000), 8000)
    whole = tiny_pipeline(str(src), chunk_length_s=100)["audio"]
    outputs = {}
    for name, extra in (("default", ()), ("none", ("--context", "0"))):
        out = tmp_path / f"{name}.wav"
        args = ("upsample", src, "-o", out, "--chunk-length", "0.5", "--model", tiny_model_dir)
        rc, _, err = run(capsys, *args, *extra)
        assert rc == 0, err
        outputs[name] = read(out)[0][0]
    assert np.abs(outputs["default"] - whole).max() < 1e-4
    assert np.abs(outputs["none"] - whole).max() > 1e-3


def test_one_bad_file_among_several(capsys, tmp_path, write_audio, signal, tiny_model_dir):
    write_audio("in/a.wav", signal(800, 8000), 8000)
    (tmp_path / "in" / "b.wav").write_bytes(b"RIFF garbage")
    write_audio("in/c.flac", signal(800, 8000), 8000)
    out = tmp_path / "out"
    rc, stdout, err = run(capsys, "upsample", tmp_path / "in", "-o", out, "--model", tiny_model_dir)
    assert rc == 1
    assert_one_error_line(err, f"{tmp_path / 'in' / 'b.wav'}: not a readable audio file")
    assert sorted(p.name for p in out.iterdir()) == ["a.wav", "c.wav"]
    assert len(stdout.splitlines()) == 2


def test_subprocess_exit_code_and_no_traceback(tmp_path, write_audio, signal):
    """The installed entry point path: ``python -m hf_audiosr.cli``, bundled default model."""
    good = write_audio("good.wav", signal(800, 8000), 8000)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(np.random.default_rng(0).bytes(512))
    out = tmp_path / "out"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC_DIR), os.environ.get("PYTHONPATH", "")]),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "hf_audiosr.cli", "upsample", str(good), str(bad), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith(f"error: {bad}: not a readable audio file")
    assert [p.name for p in out.iterdir()] == ["good.wav"]
    assert read(out / "good.wav")[0].shape == (1, 4800)  # 8 kHz in, 48 kHz out


def test_upsample_with_a_named_48k_model_gives_22k_input_44k_out(tmp_path):
    """A 48 kHz any-band model that also serves 44.1 kHz: 22.05 kHz music comes out at 44.1 kHz
    (the route's rate), not at the model's own 48 kHz."""
    import soundfile as sf
    import torch

    from hf_audiosr import AudioSRFeatureExtractor
    from hf_audiosr.models import BandNeXtConfig, BandNeXtForAudioSuperResolution

    torch.manual_seed(0)
    folder = tmp_path / "bandnext-48k"
    BandNeXtForAudioSuperResolution(BandNeXtConfig.from_preset("tiny")).save_pretrained(folder)
    AudioSRFeatureExtractor(sampling_rate=48000, output_sampling_rate=48000).save_pretrained(folder)
    t = np.arange(22050) / 22050
    src = tmp_path / "song_22k.wav"
    sf.write(src, 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 5000 * t), 22050)
    out = tmp_path / "out.wav"
    assert main(["upsample", str(src), "-o", str(out), "--model", str(folder), "--quiet"]) == 0
    info = sf.info(str(out))
    assert info.samplerate == 44100 and info.frames == 44100
    out48 = tmp_path / "out48.wav"
    args = ["upsample", str(src), "-o", str(out48), "--model", str(folder), "--quiet"]
    assert main([*args, "--target-rate", "48000"]) == 0
    assert sf.info(str(out48)).samplerate == 48000
