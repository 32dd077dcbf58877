"""The ``audio-super-resolution`` pipeline: inputs, rates, channels, chunking, batching, errors."""

from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf
import torch
import transformers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hf_audiosr
from hf_audiosr.bundled import default_model_path
from hf_audiosr.configuration_utils import chunk_context_s
from hf_audiosr.dsp import interpolate
from hf_audiosr.pipeline_audio_super_resolution import AudioSuperResolutionPipeline, plan_chunks
from hf_audiosr.streaming import upsample_file


def resampled_length(length: int, rate: int, target: int) -> int:
    """soxr's output length: ``length * target / rate`` rounded half up."""
    return math.floor(length * target / rate + 0.5)


def wav_bytes(audio: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio.T if audio.ndim == 2 else audio, rate, format="WAV", subtype="FLOAT")
    return buf.getvalue()


# ------------------------------------------------------------------------------ construction
def test_transformers_pipeline_builds_our_pipeline(tiny_pipeline):
    assert isinstance(tiny_pipeline, AudioSuperResolutionPipeline)
    assert (tiny_pipeline.input_sampling_rate, tiny_pipeline.output_sampling_rate) == (8000, 16000)


def test_pipeline_without_model_routes_each_input(signal):
    """No model, or ``"auto"``, through either entry point: the bundled default is loaded and each
    input goes to the bundled model that adds the most band (for 8 kHz speech the full-band one,
    to 48 kHz)."""
    x = signal(1200, 8000)
    pipes = [
        hf_audiosr.pipeline(),
        hf_audiosr.pipeline("auto"),
        transformers.pipeline("audio-super-resolution"),
        transformers.pipeline("audio-super-resolution", model="auto"),
    ]
    outputs = []
    for pipe in pipes:
        assert isinstance(pipe, AudioSuperResolutionPipeline)
        assert Path(pipe.model.name_or_path) == default_model_path()
        out = pipe(x, sampling_rate=8000)
        assert (out["model"], out["sampling_rate"]) == ("bandnext-fullband-48k", 48000)
        outputs.append(out["audio"])
    assert outputs[0].shape == (7200,)
    for out in outputs[1:]:  # computed by separately loaded models: up to rounding
        np.testing.assert_allclose(out, outputs[0], atol=1e-6)
    fixed = hf_audiosr.pipeline(hf_audiosr.DEFAULT_MODEL)(x, sampling_rate=8000)
    assert fixed["model"] == hf_audiosr.DEFAULT_MODEL
    assert (fixed["sampling_rate"], fixed["audio"].shape) == (16000, (2400,))  # another model ran


def test_an_any_band_model_is_told_the_kept_band(speech_8k, monkeypatch, tmp_path):
    """An upsampled input's top 5 % is the resampler's roll-off: the model is told the band that
    is kept (95 % of the input's Nyquist) plus its cross-over (125 Hz for this model), so that it
    fills the roll-off instead of copying it; an input at the model's rate is told its measured
    cut-off. The streaming path (``upsample_file``) tells it the same."""
    pipe = hf_audiosr.pipeline("bandnext-speech-16k")
    told = []
    forward = pipe.model.forward

    def spy(*args, **kwargs):
        told.append(kwargs["input_bandwidth_hz"].tolist())
        return forward(*args, **kwargs)

    monkeypatch.setattr(pipe.model, "forward", spy)
    pipe(speech_8k, sampling_rate=8000)
    assert told and all(c == pytest.approx([3925.0]) for c in told)
    told.clear()
    wide = librosa.resample(speech_8k, orig_sr=8000, target_sr=16000, res_type="soxr_hq")
    out = pipe(wide, sampling_rate=16000)
    assert 3500 < out["input_bandwidth_hz"] < 4000
    assert all(c == pytest.approx([out["input_bandwidth_hz"]]) for c in told)
    told.clear()
    path = tmp_path / "in.wav"
    sf.write(path, speech_8k, 8000)
    upsample_file(pipe.model, path, tmp_path / "out.wav")
    assert told and all(c == pytest.approx([3925.0]) for c in told)


def test_transformers_pipeline_takes_bundled_short_names_offline(signal):
    x = signal(800, 8000)
    pipe = transformers.pipeline("audio-super-resolution", model="tfnet-speech-4k-16k")
    assert Path(pipe.model.name_or_path) == hf_audiosr.bundled_models()["tfnet-speech-4k-16k"]
    ours = hf_audiosr.pipeline("tfnet-speech-4k-16k")
    np.testing.assert_allclose(
        pipe(x, sampling_rate=8000)["audio"], ours(x, sampling_rate=8000)["audio"], atol=1e-6
    )


def test_unknown_short_name_is_rejected():
    with pytest.raises(ValueError, match=r"unknown model 'no/such/model': not a bundled model"):
        hf_audiosr.pipeline("no/such/model")


def _damaged_copy(src: Path, dst: Path, edit) -> Path:
    """A copy of the model folder ``src`` whose ``model.safetensors`` tensors are ``edit(tensors)``."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(src, dst)
    tensors = edit(load_file(dst / "model.safetensors"))
    save_file(tensors, dst / "model.safetensors", metadata={"format": "pt"})
    return dst


def _rename_first(tensors):
    key = sorted(tensors)[0]
    return {**{k: v for k, v in tensors.items() if k != key}, key + "_renamed": tensors[key]}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: dict(sorted(t.items())[1:]), r"1 missing keys \(e\.g\. "),
        (_rename_first, r"1 missing keys .*; 1 unexpected keys \(e\.g\. .*_renamed\)"),
        (
            lambda t: {**t, "extra.weight": torch.zeros(3)},
            r"1 unexpected keys \(e\.g\. extra\.weight\)",
        ),
        (
            lambda t: {
                k: (v[..., :-1] if i == 0 else v) for i, (k, v) in enumerate(sorted(t.items()))
            },
            r"1 tensor\(s\) of the wrong shape",
        ),
    ],
    ids=["removed", "renamed", "extra", "reshaped"],
)
def test_transformers_pipeline_refuses_weights_that_do_not_match(
    tiny_model_dir, tmp_path, edit, message
):
    folder = _damaged_copy(tiny_model_dir, tmp_path / "damaged", edit)
    expected = re.escape(f"{folder}: model.safetensors does not match config.json: ") + message
    with pytest.raises(ValueError, match=expected):
        transformers.pipeline("audio-super-resolution", model=str(folder))
    with pytest.raises(ValueError, match=expected):
        hf_audiosr.pipeline(folder)


# ------------------------------------------------------------------------------ input kinds
def test_every_input_kind_gives_the_same_result(tiny_pipeline, write_audio, signal):
    x = signal(1000, 8000)
    path = write_audio("x.wav", x, 8000)
    encoded = wav_bytes(x, 8000)
    expected = tiny_pipeline(x, sampling_rate=8000)
    assert set(expected) == {"audio", "sampling_rate", "model", "input_bandwidth_hz", "note"}
    assert expected["audio"].dtype == np.float32
    assert expected["audio"].shape == (2000,)
    assert type(expected["sampling_rate"]) is int and expected["sampling_rate"] == 16000

    inputs = {
        "str path": (str(path), {}),
        "pathlib.Path": (path, {}),
        "bytes": (encoded, {}),
        "torch tensor": (torch.from_numpy(x), {"sampling_rate": 8000}),
        "float64 ndarray": (x.astype(np.float64), {"sampling_rate": 8000}),
        "array dict": ({"array": x, "sampling_rate": 8000}, {}),
        "Audio(decode=False) path": ({"path": str(path), "bytes": None}, {}),
        # datasets gives bytes with the file's original name, which need not exist here
        "Audio(decode=False) bytes": ({"bytes": encoded, "path": "elsewhere/x.wav"}, {}),
    }
    for name, (inp, kwargs) in inputs.items():
        out = tiny_pipeline(inp, **kwargs)
        assert out["sampling_rate"] == 16000, name
        assert out["audio"].dtype == np.float32, name
        np.testing.assert_allclose(out["audio"], expected["audio"], atol=1e-6, err_msg=name)


def test_int16_array_is_scaled_like_float(tiny_pipeline, signal):
    x = signal(800, 8000)
    pcm = np.round(x * 32767).astype(np.int16)
    from_int = tiny_pipeline(pcm, sampling_rate=8000)["audio"]
    from_float = tiny_pipeline(pcm.astype(np.float32) / 32768, sampling_rate=8000)["audio"]
    np.testing.assert_allclose(from_int, from_float, atol=1e-6)


def test_flat_list_of_numbers_is_one_signal(tiny_pipeline, tiny_model_dir, signal):
    x = signal(1000, 8000)
    expected = tiny_pipeline(x, sampling_rate=8000)["audio"]
    for pipe in (tiny_pipeline, hf_audiosr.pipeline(str(tiny_model_dir))):
        for values in (x.tolist(), tuple(x.tolist())):
            out = pipe(values, sampling_rate=8000)
            assert isinstance(out, dict)
            np.testing.assert_allclose(out["audio"], expected, atol=1e-6)
        out = pipe({"array": x.tolist(), "sampling_rate": 8000})
        np.testing.assert_allclose(out["audio"], expected, atol=1e-6)


def test_list_of_python_ints_holds_sample_values_not_pcm(tiny_pipeline):
    ints = [0, 1, -1, 0] * 100
    from_ints = tiny_pipeline(ints, sampling_rate=8000)["audio"]
    from_floats = tiny_pipeline(np.asarray(ints, dtype=np.float32), sampling_rate=8000)["audio"]
    np.testing.assert_allclose(from_ints, from_floats, atol=1e-6)  # PCM scaling: off by 32768x


def test_list_of_arrays_or_lists_is_still_a_batch(tiny_pipeline, signal):
    a, b = signal(1000, 8000, seed=1), signal(600, 8000, seed=2)
    expected = [tiny_pipeline(x, sampling_rate=8000)["audio"] for x in (a, b)]
    for batch in ([a, b], [a.tolist(), b.tolist()]):
        outputs = tiny_pipeline(batch, sampling_rate=8000)
        assert isinstance(outputs, list) and len(outputs) == 2
        for out, one in zip(outputs, expected):  # batched (padded) vs alone: up to rounding
            np.testing.assert_allclose(out["audio"], one, atol=1e-6)


# ------------------------------------------------------------------------------ rates and lengths
@pytest.mark.parametrize("length", [1, 7, 1001, 4096])
def test_output_length_is_factor_times_input(tiny_pipeline, length, signal):
    out = tiny_pipeline(signal(length, 8000), sampling_rate=8000)
    assert out["audio"].shape == (2 * length,)


@pytest.mark.parametrize("rate", [44100, 16000, 11025, 22050, 48000])
def test_output_rate_is_never_below_the_input_rate(tiny_pipeline, rate, signal):
    n = int(0.37 * rate)
    out = tiny_pipeline(signal(n, rate), sampling_rate=rate)
    expected_rate = max(16000, rate)
    assert out["sampling_rate"] == expected_rate
    assert out["audio"].shape == (resampled_length(n, rate, expected_rate),)
    assert np.isfinite(out["audio"]).all()


def test_input_above_the_model_band_is_kept(tiny_pipeline, signal):
    """A full-band 44.1 kHz input through an 8 -> 16 kHz model comes back as it went in: the model
    has nothing to add above 22 kHz, and nothing of the input is replaced by its prediction."""
    x = signal(4410, 44100)
    out = tiny_pipeline(x, sampling_rate=44100)
    assert out["sampling_rate"] == 44100
    np.testing.assert_allclose(out["audio"], x, atol=1e-6)
    research = tiny_pipeline(x, sampling_rate=44100, preserve_input_band=False)
    assert research["audio"].shape == x.shape
    assert np.abs(research["audio"] - x).max() > 1e-2  # the model's own output, without the input


@pytest.mark.parametrize("target", [44100, 24000, 8000])
def test_target_sampling_rate(tiny_pipeline, target, signal):
    x = signal(1600, 8000)
    out = tiny_pipeline(x, sampling_rate=8000, target_sampling_rate=target)
    assert out["sampling_rate"] == target
    assert out["audio"].dtype == np.float32
    assert out["audio"].shape == (resampled_length(3200, 16000, target),)


# ------------------------------------------------------------------------------ channels
def test_stereo_keeps_channels_and_processes_them_independently(tiny_pipeline, signal):
    x, z = signal(1500, 8000, seed=1), signal(1500, 8000, seed=7)
    mono_x = tiny_pipeline(x, sampling_rate=8000)["audio"]
    mono_z = tiny_pipeline(z, sampling_rate=8000)["audio"]
    for layout, stereo in (
        ("(channels, time)", np.stack([x, z])),
        ("(time, channels)", np.stack([x, z], 1)),
    ):
        out = tiny_pipeline(stereo, sampling_rate=8000)["audio"]
        assert out.shape == (2, 3000), layout
        np.testing.assert_allclose(out[0], mono_x, atol=1e-6, err_msg=layout)
        np.testing.assert_allclose(out[1], mono_z, atol=1e-6, err_msg=layout)


def test_stereo_file(tiny_pipeline, write_audio, signal):
    stereo = signal(2205, 22050, channels=2)
    out = tiny_pipeline(str(write_audio("st.flac", stereo, 22050)))["audio"]
    assert out.shape == (2, 2205)
    assert not np.allclose(out[0], out[1])


# ------------------------------------------------------------------------------ batching, chunking
def test_batch_equals_one_by_one(tiny_pipeline, signal):
    # different lengths, so the collator pads and the last chunks of each input differ in length
    inputs = [signal(n, 8000, seed=n) for n in (1000, 517, 3001, 64, 2000)]
    inputs.append(np.stack([signal(900, 8000, seed=1), signal(900, 8000, seed=2)]))
    single = [tiny_pipeline(x, sampling_rate=8000)["audio"] for x in inputs]
    batched = tiny_pipeline(inputs, sampling_rate=8000, batch_size=3, chunk_length_s=0.1)
    assert len(batched) == len(inputs)
    for one, out in zip(single, batched):
        assert out["audio"].shape == one.shape
        np.testing.assert_allclose(out["audio"], one, atol=1e-5)


def test_chunked_equals_whole_on_20_seconds(tiny_pipeline, signal):
    x = signal(20 * 8000, 8000, seed=3)
    chunked = tiny_pipeline(x, sampling_rate=8000, chunk_length_s=2.0)["audio"]
    whole = tiny_pipeline(x, sampling_rate=8000, chunk_length_s=100)["audio"]
    assert chunked.shape == whole.shape == (40 * 8000,)
    assert np.abs(chunked - whole).max() < 1e-4
    # and the network's contribution is not negligible: this compares real model outputs
    assert np.abs(whole - interpolate(x, 2)).max() > 1e-2


def test_chunked_equals_whole_with_the_bundled_model(default_pipeline):
    x, rate = sf.read(str(hf_audiosr.EXAMPLE_AUDIO), dtype="float32")
    x = x[: 4 * rate]  # 4 s of real speech, 4 chunks
    chunked = default_pipeline(x, sampling_rate=rate, chunk_length_s=1.0)
    whole = default_pipeline(x, sampling_rate=rate, chunk_length_s=100)
    assert chunked["sampling_rate"] == whole["sampling_rate"] == 48000  # the full-band model
    assert chunked["audio"].shape == whole["audio"].shape == (4 * 48000,)
    assert np.abs(chunked["audio"] - whole["audio"]).max() < 1e-4


def test_plan_chunks_covers_the_input_once():
    plans = plan_chunks(10_000, chunk=1000, context=100, fade=10, align=8)
    assert plans[0].keep_start == 0 and plans[-1].keep_stop == 10_000
    for a, b in zip(plans, plans[1:]):
        assert a.keep_stop == b.keep_start
        assert b.start % 8 == 0
    with pytest.raises(ValueError, match="cannot plan chunks for empty input"):
        plan_chunks(0, chunk=1000, context=100, fade=10)


def test_chunk_context_comes_from_the_receptive_field():
    """Receptive field (output-rate samples) + half the cross-fade, at least 0.25 s, rounded up
    to 0.05 s; no receptive field (unbounded or unknown): 0.25 s."""
    assert chunk_context_s(None, 16000) == 0.25
    assert chunk_context_s(450, 16000) == 0.25  # AudioUNet "small": 28 ms
    assert chunk_context_s(7070, 16000) == 0.5  # spectrogram "small": 0.442 s + 0.01 s
    assert chunk_context_s(74465, 16000) == 4.7  # TFiLM U-Net "small": 4.654 s + 0.01 s
    assert chunk_context_s(7840, 16000) == 0.5  # 0.49 s + 0.01 s: on the grid, kept
    assert chunk_context_s(7070, 16000, crossfade_s=0.2) == 0.55
    assert chunk_context_s(7070, 16000, crossfade_s=0.0) == 0.45


def test_a_tail_shorter_than_the_crossfade_joins_the_last_chunk(tiny_pipeline):
    """The cross-fade reaches half a fade past a seam; a last chunk of 37 samples after a 160-sample
    fade used to leave the chunk before it short of output there (a broadcast error)."""
    plans = plan_chunks(2037, chunk=1000, context=100, fade=160)
    assert [(p.keep_start, p.keep_stop) for p in plans] == [(0, 1000), (1000, 2037)]
    assert plans[-1].stop == 2037
    assert len(plan_chunks(2160, chunk=1000, context=100, fade=160)) == 3
    x = (0.1 * np.random.default_rng(0).standard_normal(2 * 8000 + 37)).astype(np.float32)
    chunked = tiny_pipeline(x, sampling_rate=8000, chunk_length_s=1.0)["audio"]
    whole = tiny_pipeline(x, sampling_rate=8000, chunk_length_s=100)["audio"]
    assert chunked.shape == whole.shape == (2 * len(x),)
    assert np.abs(chunked - whole).max() < 1e-4


# ------------------------------------------------------------------------------ quality invariant
def test_low_band_of_the_output_matches_the_input(default_pipeline):
    """Below the input's Nyquist the model should keep what it was given.

    Compares STFT magnitudes under 3.5 kHz (0.5 kHz below the 4 kHz input Nyquist, clear of the
    interpolator's transition band) of the bundled model's output and of the sinc-interpolated
    input. The trained model gives ~0.014 relative error; an untrained tiny AudioUNet gives ~0.7,
    and a 1 dB gain error alone would give 0.12, so 0.05 (-26 dB) separates "kept the band" from
    "changed it" with margin on both sides.
    """
    x, rate = sf.read(str(hf_audiosr.EXAMPLE_AUDIO), dtype="float32")
    assert rate == 8000
    result = default_pipeline(x, sampling_rate=rate)
    out, out_sr = result["audio"], result["sampling_rate"]
    baseline = interpolate(x, out_sr // rate, "sinc")
    n_fft = 512 * out_sr // 16000  # 31.25 Hz bins at any output rate

    def magnitude(a):
        return np.abs(librosa.stft(np.asarray(a, dtype=np.float32), n_fft=n_fft, hop_length=128))

    freqs = librosa.fft_frequencies(sr=out_sr, n_fft=n_fft)
    low, high = freqs < 3500, freqs > 4500
    out_mag, base_mag = magnitude(out), magnitude(baseline)
    rel = np.linalg.norm(out_mag[low] - base_mag[low]) / np.linalg.norm(base_mag[low])
    assert rel < 0.05
    # ... while it does add a high band the interpolation does not have
    assert np.linalg.norm(out_mag[high]) > 10 * np.linalg.norm(base_mag[high])


# ------------------------------------------------------------------------------ device and dtype
def test_device_cpu_and_bfloat16(tiny_model_dir, signal, monkeypatch):
    """bfloat16 keeps 8 bits of mantissa (0.4 % per operation): a 5 % relative L2 error bound is
    loose but still catches a wrong dtype path (the float32 output of a mis-cast model is off by
    far more, or not finite). bf16 is forced (``HF_AUDIOSR_NATIVE_BF16=1``) so that the bf16 path
    is tested on every CPU; without it a CPU lacking native bf16 runs fp32 (tests/test_cpu.py)."""
    monkeypatch.setenv("HF_AUDIOSR_NATIVE_BF16", "1")
    x = signal(4000, 8000)
    fp32 = hf_audiosr.pipeline(str(tiny_model_dir), device="cpu")(x, sampling_rate=8000)["audio"]
    for pipe in (
        hf_audiosr.pipeline(str(tiny_model_dir), device="cpu", dtype=torch.bfloat16),
        transformers.pipeline(
            "audio-super-resolution", model=str(tiny_model_dir), device="cpu", dtype=torch.bfloat16
        ),
    ):
        assert pipe.model.dtype == torch.bfloat16
        assert pipe.device.type == "cpu"
        out = pipe(x, sampling_rate=8000)["audio"]
        assert out.dtype == np.float32
        assert out.shape == fp32.shape
        assert np.linalg.norm(out - fp32) / np.linalg.norm(fp32) < 0.05


# ------------------------------------------------------------------------------ errors
def test_array_without_rate_raises(tiny_pipeline):
    with pytest.raises(
        ValueError, match=r"an array input needs its rate: call the pipeline with sampling_rate="
    ):
        tiny_pipeline(np.zeros(100, dtype=np.float32))
    with pytest.raises(
        ValueError, match="the input dict needs a 'sampling_rate' next to its 'array'"
    ):
        tiny_pipeline({"array": np.zeros(100)})


def test_url_raises(tiny_pipeline):
    with pytest.raises(
        ValueError, match="URLs are not read by this pipeline; download the file and pass its path"
    ):
        tiny_pipeline("https://example.com/audio.wav")


@pytest.mark.parametrize("bad", [3.5, None, object()])
def test_unsupported_type_raises(tiny_pipeline, bad):
    with pytest.raises(
        ValueError,
        match=r"unsupported input type \w+: pass a file path, bytes, an array with sampling_rate=",
    ):
        tiny_pipeline(bad)


def test_dict_without_audio_raises(tiny_pipeline):
    with pytest.raises(
        ValueError, match=r"a dict input needs 'array' and 'sampling_rate' .* got keys \['foo'\]"
    ):
        tiny_pipeline({"foo": 1})


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_raises(tiny_pipeline, bad):
    x = np.zeros(100, dtype=np.float32)
    x[10] = bad
    with pytest.raises(
        ValueError, match=r"audio contains 1 NaN or infinite sample\(s\); clean the input first"
    ):
        tiny_pipeline(x, sampling_rate=8000)


def test_missing_and_corrupt_files_raise(tiny_pipeline, tmp_path):
    with pytest.raises(ValueError, match=r"missing\.wav: no such file"):
        tiny_pipeline(str(tmp_path / "missing.wav"))
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(np.random.default_rng(0).bytes(1000))
    with pytest.raises(ValueError, match=r"corrupt\.wav: not a readable audio file"):
        tiny_pipeline(corrupt)
    with pytest.raises(ValueError, match="audio bytes are empty"):
        tiny_pipeline(b"")


def test_too_short_after_resampling_raises(tiny_pipeline):
    with pytest.raises(
        ValueError, match="input is too short: nothing is left after resampling 48000 Hz to 8000 Hz"
    ):
        tiny_pipeline(np.ones(2, dtype=np.float32), sampling_rate=48000)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunk_length_s": 0}, "chunk_length_s must be positive, got 0"),
        ({"context_s": -1}, "context_s must be positive, got -1"),
        ({"target_sampling_rate": 0}, "target_sampling_rate must be positive, got 0"),
    ],
)
def test_bad_call_arguments_raise(tiny_pipeline, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_pipeline(np.zeros(100, dtype=np.float32), sampling_rate=8000, **kwargs)


# ------------------------------------------------------------------------------ fuzz
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    length=st.integers(1, 3000),
    rate=st.sampled_from([8000, 16000, 22050, 44100, 48000]),
    channels=st.sampled_from([1, 2]),
    dtype=st.sampled_from([np.int16, np.float64]),
    amplitude=st.sampled_from([0.0, 0.01, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_fuzz_short_inputs(tiny_pipeline, length, rate, channels, dtype, amplitude, seed):
    x = amplitude * np.random.default_rng(seed).uniform(-1, 1, (channels, length))
    if dtype is np.int16:
        x = np.round(x * 32767).astype(np.int16)
    x = x[0] if channels == 1 else x
    at_model_rate = resampled_length(length, rate, 8000)
    try:
        out = tiny_pipeline(x, sampling_rate=rate)
    except ValueError as err:
        assert at_model_rate == 0, err
        assert "input is too short" in str(err)
        return
    assert at_model_rate > 0
    expected = resampled_length(length, rate, max(16000, rate))
    audio = out["audio"]
    assert audio.dtype == np.float32
    assert audio.shape == ((expected,) if channels == 1 else (2, expected))
    assert np.isfinite(audio).all()
