"""The Space's plain functions (``spaces/app.py``) without a browser."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import hf_audiosr

pytest.importorskip("gradio", reason="gradio is not installed (pip install -e '.[space]')")
import gradio as gr  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def get_pipeline(app):
    return app.pipeline_cache()


def write_tone(path, sampling_rate, seconds=0.5, channels=1, freq=440.0):
    t = np.arange(int(seconds * sampling_rate)) / sampling_rate
    tone = 0.3 * np.sin(2 * np.pi * freq * t)
    data = np.stack([tone * (c + 1) / channels for c in range(channels)], axis=1)
    sf.write(path, data, sampling_rate)
    return data.shape[0]


def test_output_is_twice_the_rate_and_length_with_a_png(app, get_pipeline, tmp_path):
    n = write_tone(tmp_path / "tone_8k.wav", 8000)
    wav, png, status = app.super_resolve(
        str(tmp_path / "tone_8k.wav"),
        hf_audiosr.DEFAULT_MODEL,
        None,
        get_pipeline=get_pipeline,
        out_dir=tmp_path / "out",
    )
    info = sf.info(wav)
    assert (info.samplerate, info.channels, info.frames) == (16000, 1, 2 * n)
    assert wav.endswith("tone_8k_16k.wav")
    with open(png, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    assert "**Input:** 8000 Hz, 1 channel, 0.50 s" in status
    assert "**Output:** 16000 Hz, 0.50 s" in status
    assert "processed in" in status and f"model `{hf_audiosr.DEFAULT_MODEL}`" in status


def test_auto_uses_the_model_for_the_clips_band_or_returns_it_unchanged(
    app, get_pipeline, tmp_path
):
    """The default, ``auto``: 8 kHz speech goes to the full-band model (48 kHz out); full-band
    44.1 kHz noise, to which no bundled model can add anything, comes back as it went in."""
    wav, _, status = app.super_resolve(
        str(hf_audiosr.EXAMPLE_AUDIO), get_pipeline=get_pipeline, out_dir=tmp_path
    )
    assert sf.info(wav).samplerate == 48000
    assert "model `bandnext-fullband-48k`" in status
    noise = 0.1 * np.random.default_rng(0).standard_normal(22050)
    sf.write(tmp_path / "noise.wav", noise, 44100, subtype="FLOAT")
    wav, _, status = app.super_resolve(
        str(tmp_path / "noise.wav"), get_pipeline=get_pipeline, out_dir=tmp_path
    )
    data, sr = sf.read(wav)
    assert sr == 44100 and data.shape == noise.shape
    np.testing.assert_allclose(data, noise, atol=2**-15)  # 16-bit WAV
    assert "no model: returned unchanged" in status


def test_other_input_rate_keeps_its_rate(app, get_pipeline, tmp_path):
    n = write_tone(tmp_path / "tone_16k.wav", 16000, seconds=0.3)
    wav, _, status = app.super_resolve(
        str(tmp_path / "tone_16k.wav"),
        hf_audiosr.DEFAULT_MODEL,
        None,
        get_pipeline=get_pipeline,
        out_dir=tmp_path,
    )
    info = sf.info(wav)
    assert info.samplerate == 16000 and info.frames == n
    assert "**Input:** 16000 Hz, 1 channel, 0.30 s, content up to " in status


def test_target_rate_and_stereo_are_kept(app, get_pipeline, tmp_path):
    n = write_tone(tmp_path / "stereo.wav", 8000, seconds=0.4, channels=2)
    wav, _, status = app.super_resolve(
        str(tmp_path / "stereo.wav"),
        hf_audiosr.DEFAULT_MODEL,
        22050.0,
        get_pipeline=get_pipeline,
        out_dir=tmp_path,
    )
    data, sr = sf.read(wav)
    assert sr == 22050 and data.shape[1] == 2
    assert abs(data.shape[0] - round(n * 22050 / 8000)) <= 2
    # the louder channel stays the louder one
    assert np.abs(data[:, 1]).max() > 1.5 * np.abs(data[:, 0]).max()
    assert "2 channels" in status and "**Output:** 22050 Hz" in status


def test_corrupt_file_gives_a_clear_error_without_the_temp_path(app, get_pipeline, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    with pytest.raises(gr.Error) as err:
        app.super_resolve(str(bad), hf_audiosr.DEFAULT_MODEL, None, get_pipeline=get_pipeline)
    assert err.value.message.startswith(
        "Could not read the audio: broken.wav: not a readable audio file"
    )
    assert str(tmp_path) not in err.value.message


@pytest.mark.parametrize(
    ("make", "kwargs", "message"),
    [
        (None, {}, "Upload or record an audio clip first."),
        ("empty", {}, "Could not read the audio: empty.wav: the file is empty (0 bytes)"),
        ("tone", {"model_name": "no-such-model"}, "Unknown model 'no-such-model'; choose one of: "),
        ("tone", {"target_rate": -8000}, "Target rate must be a whole number of Hz between 1000"),
        ("tone", {"target_rate": 16000.5}, "Target rate must be a whole number of Hz between 1000"),
        ("tone", {"max_seconds": 0.25}, "The clip is 0.5 s long; this demo takes at most 0.25 s."),
    ],
)
def test_bad_input_raises_gr_error(app, get_pipeline, tmp_path, make, kwargs, message):
    path = None
    if make == "empty":
        path = tmp_path / "empty.wav"
        path.write_bytes(b"")
    elif make == "tone":
        path = tmp_path / "tone.wav"
        write_tone(path, 8000)
    kwargs = {"model_name": hf_audiosr.DEFAULT_MODEL, **kwargs}
    with pytest.raises(gr.Error) as err:
        app.super_resolve(path, get_pipeline=get_pipeline, out_dir=tmp_path, **kwargs)
    assert err.value.message.startswith(message)


def test_pipeline_cache_loads_once_and_keeps_the_last_models(app):
    loads = []

    def loader(name):
        loads.append(name)
        return f"pipeline:{name}"

    get = app.pipeline_cache(loader, max_models=2)
    assert [get("a"), get("a"), get("b"), get("a")] == [f"pipeline:{n}" for n in "aaba"]
    assert loads == ["a", "b"]
    get("c")  # evicts the oldest ("a")
    get("b")
    get("a")
    assert loads == ["a", "b", "c", "a"]


def test_prune_results_removes_only_old_runs(app, tmp_path):
    import os

    old, new = tmp_path / "run-old", tmp_path / "run-new"
    for d in (old, new):
        d.mkdir()
        (d / "x.wav").write_bytes(b"x")
    os.utime(old, (0, 0))
    app.prune_results(tmp_path, max_age_s=60)
    assert not old.exists() and new.exists()


def test_demo_wires_the_components(app, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # build_demo's scratch folder
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    demo = app.build_demo()
    assert isinstance(demo, gr.Blocks)
    by_id = {
        block.elem_id: block for block in demo.blocks.values() if getattr(block, "elem_id", None)
    }
    audio_in = by_id["input-audio"]
    assert audio_in.sources == ["upload", "microphone"] and audio_in.type == "filepath"
    assert by_id["model"].value == "auto"
    assert [v for _, v in by_id["model"].choices] == ["auto", *hf_audiosr.bundled_models()]
    assert "download" in by_id["output-audio"].buttons
    assert {"run-button", "spectrogram", "status", "target-rate"} <= set(by_id)
