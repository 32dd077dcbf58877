"""Bad input, case by case: each gets the right result or one clear message, never a traceback.

The list of issue #4 and where each case is tested:
missing / empty / corrupt / not-audio files, a folder without audio, a 1-sample input, an unknown
model name, checkpoints whose files do not match, several inputs to one file, overwriting the
input: tests/test_cli.py ("bad input" section). NaN/Inf, integer and float64 PCM, multichannel,
an input with more bandwidth than the model's input, clipping, a folder named like a file: here
(an unreadable file cannot be made as root, which CI is; its path is the same as a corrupt one). Arrays
with NaN, wrong shapes or rates through the Python API: tests/test_feature_extraction_audiosr.py
and tests/test_pipeline_audio_super_resolution.py (with hypothesis fuzzing).
"""

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.cli import main


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_in_a_float_file(capsys, tmp_path, tiny_model_dir, signal, bad):
    audio = signal(4000, 8000).astype(np.float32)
    audio[1234] = bad
    path = tmp_path / "bad.wav"
    sf.write(path, audio, 8000, subtype="FLOAT")
    code, _, err = run(
        capsys, "upsample", path, "-o", tmp_path / "o.wav", "--model", tiny_model_dir
    )
    assert code == 1
    assert err.strip().splitlines() == [f"error: {path}: contains NaN or infinite samples"]
    assert not (tmp_path / "o.wav").exists()
    assert not list(tmp_path.glob(".o.wav.*"))  # no temporary file left behind


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_integer_and_float_pcm_files_give_the_same_result(
    capsys, tmp_path, tiny_model_dir, signal, subtype
):
    audio = 0.5 * signal(4000, 8000)
    reference = tmp_path / "ref.wav"
    sf.write(reference, audio, 8000, subtype="DOUBLE")
    path = tmp_path / f"in_{subtype}.wav"
    sf.write(path, audio, 8000, subtype=subtype)
    for src, dst in ((reference, "ref_out.wav"), (path, "out.wav")):
        code, _, _ = run(capsys, "upsample", src, "-o", tmp_path / dst, "--model", tiny_model_dir)
        assert code == 0
    expected, _ = sf.read(tmp_path / "ref_out.wav")
    got, sr = sf.read(tmp_path / "out.wav")
    assert sr == 16000 and got.shape == expected.shape == (8000,)
    tolerance = {"PCM_16": 2e-3}.get(subtype, 1e-5)  # 16-bit quantisation of the input
    assert np.max(np.abs(got - expected)) < tolerance


def test_multichannel_file_keeps_every_channel(
    capsys, tmp_path, tiny_model_dir, tiny_pipeline, signal
):
    channels = np.stack([signal(3000, 8000, seed=s) for s in range(6)])
    path = tmp_path / "surround.wav"
    sf.write(path, channels.T, 8000, subtype="FLOAT")
    code, _, _ = run(capsys, "upsample", path, "-o", tmp_path / "o.wav", "--model", tiny_model_dir)
    assert code == 0
    out, sr = sf.read(tmp_path / "o.wav", always_2d=True)
    assert sr == 16000 and out.shape == (6000, 6)
    for c in (0, 5):  # each channel is processed on its own, like a mono file
        mono = tiny_pipeline(channels[c].astype(np.float32), sampling_rate=8000)["audio"]
        np.testing.assert_allclose(out[:, c], mono, atol=1e-5)


def test_input_with_more_bandwidth_than_the_model_input_is_kept(
    capsys, tmp_path, tiny_model_dir, signal
):
    """A full-band 44.1 kHz file through an 8 -> 16 kHz model keeps its rate, length and band:
    nothing of it is replaced by the model's prediction."""
    path = tmp_path / "wide.wav"
    x = signal(44100, 44100)
    sf.write(path, x, 44100, subtype="FLOAT")
    code, out, err = run(
        capsys, "upsample", path, "-o", tmp_path / "o.wav", "--model", tiny_model_dir
    )
    assert code == 0, err
    y, rate = sf.read(tmp_path / "o.wav", dtype="float32")
    assert (rate, y.shape) == (44100, (44100,))
    np.testing.assert_allclose(y, x, atol=1e-5)


def test_clipping_in_a_flac_output_is_reported_and_wav_keeps_float(
    capsys, tmp_path, tiny_model_dir, signal
):
    loud = 1.6 * signal(4000, 8000) / np.max(np.abs(signal(4000, 8000)))
    path = tmp_path / "loud.wav"
    sf.write(path, loud, 8000, subtype="FLOAT")
    code, _, err = run(
        capsys, "upsample", path, "-o", tmp_path / "o.flac", "--model", tiny_model_dir
    )
    assert code == 0
    assert "samples exceeded full scale and were clipped" in err
    assert np.max(np.abs(sf.read(tmp_path / "o.flac")[0])) <= 1.0
    code, _, err = run(
        capsys, "upsample", path, "-o", tmp_path / "o.wav", "--model", tiny_model_dir
    )
    assert code == 0 and "clipped" not in err
    assert np.max(np.abs(sf.read(tmp_path / "o.wav")[0])) > 1.0


def test_a_folder_named_like_an_audio_file_is_one_clear_line(capsys, tmp_path, tiny_model_dir):
    fifo_like = tmp_path / "folder.wav"
    fifo_like.mkdir()  # an empty directory named like an audio file
    code, _, err = run(
        capsys, "upsample", fifo_like, "-o", tmp_path / "out", "--model", tiny_model_dir
    )
    assert code != 0
    assert err.strip().splitlines()[-1].startswith("error: ")
