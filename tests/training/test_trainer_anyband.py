"""SuperResolutionTrainer with ``data_mode="anyband"``: BandNeXt trained on files of several rates,
told each input's cut-off, losses masked above each file's band; two steps end to end, resumed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from safetensors.numpy import load_file

from hf_audiosr.training import SuperResolutionTrainer, parse_training_args
from hf_audiosr.training.trainer import complete_checkpoints

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _tone_mix(rate: int, seconds: float, seed: int) -> np.ndarray:
    """Random harmonics plus a little noise, up to the file's own Nyquist frequency."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    f0 = rng.uniform(100, 250)
    x = sum(
        np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 6.3)) / k
        for k in range(1, int(0.45 * rate // f0))
    )
    x = x / np.abs(x).max() + 0.01 * rng.standard_normal(len(t))
    return (0.3 * x).astype(np.float32)


@pytest.fixture(scope="module")
def audio_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("anyband-corpus")
    dirs = {"train": root / "train", "validation": root / "validation"}
    for d in dirs.values():
        d.mkdir()
    # training files at three rates: 16 kHz (full band), 48 kHz, and 11.025 kHz (band 5.5 kHz)
    for i, rate in enumerate((16000, 48000, 11025)):
        sf.write(str(dirs["train"] / f"s{i}_{rate}.wav"), _tone_mix(rate, 1.2, i), rate)
    sf.write(str(dirs["validation"] / "v.wav"), _tone_mix(16000, 0.6, 9), 16000)
    return dirs


def _config(folder: Path, audio_dirs, **values) -> Path:
    config = {
        "output_dir": str(folder / "run"),
        "architecture": "bandnext",
        "preset": "tiny",
        "input_sampling_rate": 16000,
        "output_sampling_rate": 16000,
        "data_mode": "anyband",
        "train_dirs": [str(audio_dirs["train"])],
        "validation_dirs": [str(audio_dirs["validation"])],
        "validation_cutoffs_hz": "4000,6000",
        "corpus_cache_dir": str(folder / "cache"),
        "trim_silence_db": None,
        "segment_length": 4000,
        "batch_size": 2,
        "max_steps": 2,
        "warmup_steps": 1,
        "checkpoint_steps": 1,
        "keep_checkpoints": 2,
        "log_steps": 1,
        "steps_per_epoch": 2,
        "degradation_codec": 0.3,
        "codecs": "mp3_32k,mulaw",
        "torch_threads": 1,
        **values,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_two_anyband_steps_train_export_and_resume(tmp_path, audio_dirs, in_process):
    from hf_audiosr.loading import load_model

    args = parse_training_args([str(_config(tmp_path / "a", audio_dirs))])
    trainer = SuperResolutionTrainer(args)
    # the 11.025 kHz file keeps its own 5.5 kHz band at the model's 16 kHz
    np.testing.assert_allclose(sorted(trainer.anyband_corpus.bandwidth_hz), [5512.5, 8000, 8000])
    result = trainer.train()
    run = Path(args.output_dir)
    records = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2]
    for r in records:
        assert {"l2", "stft/sc", "stft/mag"} <= set(r) and np.isfinite(r["loss"])
    # validation ran with each of the two cut-offs on the one validation file
    assert records[-1]["val/n"] == 2 and np.isfinite(records[-1]["val/lsd"])
    assert result["step"] == 2

    model = load_model(str(run / "final"))
    assert model.config.model_type == "audiosr-bandnext"
    x = torch.from_numpy(_tone_mix(16000, 0.3, 5))[None]
    out = model(x, input_bandwidth_hz=4000.0).audio_values
    assert out.shape == x.shape and torch.isfinite(out).all()

    # the same run stopped after step 1 and resumed ends with the same weights
    args_b = parse_training_args([str(_config(tmp_path / "b", audio_dirs))])
    SuperResolutionTrainer(args_b).train()
    run_b = Path(args_b.output_dir)
    assert [p.name for p in complete_checkpoints(run_b)] == ["step_0000001", "step_0000002"]
    shutil.rmtree(run_b / "checkpoints" / "step_0000002")
    shutil.rmtree(run_b / "final")
    first = run_b / "checkpoints" / "step_0000001" / "trainer_state.json"
    written = first.stat().st_mtime_ns
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(reset_partial_state=True)
    SuperResolutionTrainer(parse_training_args([str(_config(tmp_path / "b", audio_dirs))])).train()
    # resumed from step 1 (a fresh start would have written step 1 again)
    assert first.stat().st_mtime_ns == written
    assert [p.name for p in complete_checkpoints(run_b)] == ["step_0000001", "step_0000002"]
    a = load_file(str(run / "final" / "model.safetensors"))
    b = load_file(str(run_b / "final" / "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_anyband_needs_one_rate_and_a_bandwidth_model(tmp_path, audio_dirs, in_process):
    with pytest.raises(ValueError, match="must equal output_sampling_rate"):
        parse_training_args(
            [str(_config(tmp_path, audio_dirs, input_sampling_rate=8000, segment_length=4000))]
        )
    args = parse_training_args(
        [
            str(
                _config(
                    tmp_path,
                    audio_dirs,
                    architecture="audiounet",
                    input_sampling_rate=16000,
                )
            )
        ]
    )
    with pytest.raises(ValueError, match="needs a model told its input's bandwidth"):
        SuperResolutionTrainer(args)


@pytest.mark.parametrize(
    "name",
    [
        "bandnext_tiny_anyband_16k.json",
        "bandnext_small_anyband_16k.json",
        "bandnext_small_anyband_16k_gan.json",
        "bandnext_tiny_anyband_48k.json",
        "bandnext_small_anyband_48k.json",
        "bandnext_small_anyband_48k_vctk32.json",
        "bandnext_fullband_48k_ablation_mrsd_mrpd.json",
    ],
)
def test_anyband_configs_parse(name):
    args = parse_training_args([str(CONFIGS / name)])
    assert args.data_mode == "anyband" and args.architecture == "bandnext"
    assert args.input_sampling_rate == args.output_sampling_rate
    assert not args.allow_noncommercial and not args.allow_unconfirmed
    # evaluation speaker p225 and the validation speakers are kept out of training
    assert "*/p225/*" in args.train_exclude and "*/p228/*" in args.train_exclude


def test_adversarial_anyband_steps_see_the_band_limited_output(tmp_path, audio_dirs, in_process):
    args = parse_training_args(
        [
            str(
                _config(
                    tmp_path,
                    audio_dirs,
                    adversarial=True,
                    discriminators="mrsd,mrpd",
                    discriminator_fft_sizes="128,256",
                    degradation_codec=0.0,
                )
            )
        ]
    )
    trainer = SuperResolutionTrainer(args)
    before = [p.detach().clone() for p in trainer.discriminator.discriminators["mrpd"].parameters()]
    result = trainer.train()
    last = result["history"][-1]
    for key in ("adv/disc", "adv/gen", "adv/feat"):
        assert np.isfinite(last[key]), key
    # the phase discriminator is trained too: its weights moved, and stayed finite
    disc = trainer.accelerator.unwrap_model(trainer.discriminator).discriminators["mrpd"]
    after = list(disc.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert any(not torch.equal(a.detach(), b) for a, b in zip(after, before))
    # what the discriminators get of a full-band output: nothing above each target's band
    batch = {"target_bandwidth_hz": torch.tensor([5512.5, 8000.0])}
    noise = torch.randn(2, 4000)
    fake = trainer.discriminator_input(batch, noise)
    spec = torch.fft.rfft(fake * torch.hann_window(4000))
    freqs = torch.fft.rfftfreq(4000, 1 / 16000)
    above = spec[0, freqs > 5700].abs().square().sum() / spec[0].abs().square().sum()
    assert float(above) < 1e-3
    torch.testing.assert_close(fake[1], noise[1])


def test_train_weights_steer_which_files_are_drawn(tmp_path, audio_dirs):
    config = _config(tmp_path, audio_dirs, train_weights=["*_48000.wav=0", "*_16000.wav=3"])
    trainer = SuperResolutionTrainer(parse_training_args([str(config)]))
    examples = trainer.anyband_examples(8)
    names = [Path(n).name for n in trainer.anyband_corpus.corpus.names]
    p = dict(zip(names, examples.probabilities))
    assert p["s1_48000.wav"] == 0.0
    # the 16 kHz file is longer at the model rate than the 11.025 kHz one, and weighted 3x
    lengths = dict(zip(names, trainer.anyband_corpus.corpus.lengths))
    expected = 3 * lengths["s0_16000.wav"] / lengths["s2_11025.wav"]
    assert p["s0_16000.wav"] / p["s2_11025.wav"] == pytest.approx(expected)
