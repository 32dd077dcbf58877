"""Adversarial training: discriminators, least-squares GAN losses, and the trainer's GAN mode.

* discriminator outputs: one score tensor and one feature list per sub-discriminator, of known
  shapes; HiFi-GAN's widths at ``channels=32``;
* the LSGAN and feature-matching losses in closed form;
* the discriminator step sends no gradient to the generator, the generator step none to the
  discriminator;
* a tiny run logs every loss, warm-starts with reconstruction only (bit-identical to a plain run
  until ``adversarial_start_step``), trains the discriminator, keeps it in the training
  checkpoints only, and exports generator-only ``best/``/``final/`` that ``load_model`` loads;
* a run SIGKILLed mid-epoch and resumed ends bit-identical (generator and discriminator) to an
  uninterrupted one.

Runs use the ``tiny`` AudioUNet, discriminators of base width 2, 2048-sample patches, a dozen
steps and one thread per process.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from safetensors.numpy import load_file

import hf_audiosr
from hf_audiosr.models import build_config, build_model
from hf_audiosr.training import SuperResolutionTrainer, parse_training_args
from hf_audiosr.training.adversarial import (
    discriminator_adversarial_loss,
    discriminator_losses,
    feature_matching_loss,
    frozen_parameters,
    generator_adversarial_loss,
    generator_adversarial_losses,
)
from hf_audiosr.training.discriminators import (
    CombinedDiscriminator,
    MultiPeriodDiscriminator,
    MultiResolutionPhaseDiscriminator,
    MultiResolutionSpectrogramDiscriminator,
)
from hf_audiosr.training.trainer import complete_checkpoints

from ._multiprocess import run_killed_after_step, run_train_script, run_two_ranks
from .test_trainer import (
    EXPORTED_FILES,
    RATE,
    harmonic,
    logged,
    without_timing,
    write_config,
)

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
GAN = {
    "adversarial": True,
    "discriminator_channels": 2,
    "discriminator_learning_rate": 1e-3,
}
ALL_LOSSES = {"loss", "l2", "stft/sc", "stft/mag", "adv/gen", "adv/feat", "adv/disc"}


@pytest.fixture(scope="module")
def audio_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("harmonic-corpus-gan")
    dirs = {}
    for split, f0s in {"train": (110, 150, 190, 230), "validation": (130, 210)}.items():
        dirs[split] = root / split
        dirs[split].mkdir()
        for i, f0 in enumerate(f0s):
            sf.write(str(dirs[split] / f"h{f0}.wav"), harmonic(f0, 1.0, seed=i), RATE)
    return dirs


# ---------------------------------------------------------------- discriminators


def test_discriminator_scores_and_features_have_known_shapes():
    torch.manual_seed(0)
    batch, length, c = 3, 4001, 2
    disc = CombinedDiscriminator(("mpd", "mrsd"), channels=c)
    scores, features = disc(torch.randn(batch, length) * 0.1)
    assert len(scores) == len(features) == 5 + 3  # periods 2, 3, 5, 7, 11; FFT 256, 512, 1024
    assert all(s.shape[0] == batch and s.ndim == 2 for s in scores)
    assert all(len(f) == 5 for f in features)

    # period 2: 4001 samples padded to 4002, folded to (2001, 2); stride 3 along time four times
    rows = 2001
    for layer, channels in zip(features[0], (c, 4 * c, 16 * c, 32 * c, 32 * c)):
        rows = rows if layer is features[0][-1] else (rows - 1) // 3 + 1
        assert layer.shape == (batch, channels, rows, 2)
    assert scores[0].shape == (batch, rows * 2)
    # FFT 256: 129 bins x (1 + 4001 // 64) frames; stride 2 along frequency three times
    frames = 1 + length // 64
    assert [tuple(f.shape) for f in features[5]] == [
        (batch, c, 129, frames),
        (batch, c, 65, frames),
        (batch, c, 33, frames),
        (batch, c, 17, frames),
        (batch, c, 17, frames),
    ]
    assert scores[5].shape == (batch, 17 * frames)

    # one at a time, the channel argument, and inputs too short to reflect
    mpd = MultiPeriodDiscriminator(channels=32)
    widths = [conv.out_channels for conv in mpd.discriminators[0].convs]
    assert widths == [32, 128, 512, 1024, 1024]  # HiFi-GAN
    assert [d.period for d in mpd.discriminators] == [2, 3, 5, 7, 11]
    mrsd = MultiResolutionSpectrogramDiscriminator((64, 128), channels=3)
    short_scores, _ = mrsd(torch.randn(2, 10))
    assert len(short_scores) == 2
    assert len(CombinedDiscriminator(("mpd",), channels=1, periods=(3,))(torch.randn(1, 1))[0]) == 1
    with pytest.raises(ValueError, match=r"discriminators must be distinct names from"):
        CombinedDiscriminator(("mpd", "msd"))
    with pytest.raises(ValueError, match=r"audio must have shape \(batch, time\)"):
        disc(torch.randn(2, 2, 100))


def test_phase_discriminator_sees_phase_not_level():
    torch.manual_seed(0)
    rate, n_fft = 16000, 256
    mrpd = MultiResolutionPhaseDiscriminator((n_fft, 512), channels=2)
    x = torch.randn(2, 4000) * 0.1
    scores, features = mrpd(x)
    assert len(scores) == 2 and mrpd.discriminators[0].convs[0].in_channels == 4
    frames = 1 + 4000 // (n_fft // 4)
    assert features[0][0].shape == (2, 2, n_fft // 2 + 1, frames)
    disc = mrpd.discriminators[0]
    image = disc.image(x)
    assert image.shape == (2, 4, n_fft // 2 + 1, frames)
    # only the phase: the level of the signal changes nothing
    torch.testing.assert_close(disc.image(8 * x), image, atol=1e-3, rtol=0)
    # a steady tone at the centre of bin 20 advances by exactly its centre frequency each hop:
    # an instantaneous-frequency deviation of zero, the phasor (1, 0), in the frames inside
    t = torch.arange(4000) / rate
    tone = torch.sin(2 * torch.pi * (20 * rate / n_fft) * t)[None]
    deviation = disc.image(tone)[0, :2, 20, 4:-4]
    torch.testing.assert_close(deviation[0], torch.ones_like(deviation[0]), atol=1e-2, rtol=0)
    torch.testing.assert_close(deviation[1], torch.zeros_like(deviation[1]), atol=1e-2, rtol=0)
    # the same magnitudes with scrambled phase look different to it
    spec = disc.spectrum(x)
    scrambled = torch.polar(spec.abs(), torch.rand(spec.shape) * 6.28)
    y = torch.istft(scrambled, n_fft, n_fft // 4, window=disc.window, length=4000)
    assert (disc.image(y) - image).abs().mean() > 0.3
    assert len(CombinedDiscriminator(("mrsd", "mrpd"), channels=1)(x)[0]) == 6


def test_period_discriminator_folds_by_its_period():
    """The fold's columns go through the same ``(k, 1)`` kernels independently: a signal that is
    constant within each block of ``p`` samples (constant rows) gives identical columns."""
    torch.manual_seed(0)
    mpd = MultiPeriodDiscriminator(periods=(5,), channels=1, use_weight_norm=False)
    folded_constant = torch.randn(1, 40).repeat_interleave(5, dim=1)  # constant within each row
    scores, _ = mpd(folded_constant)
    per_column = scores[0].view(1, -1, 5)
    torch.testing.assert_close(per_column, per_column[..., :1].expand_as(per_column))


# ---------------------------------------------------------------- losses


def test_lsgan_losses_closed_forms():
    ones, zeros = [torch.ones(2, 7), torch.ones(2, 3)], [torch.zeros(2, 7), torch.zeros(2, 3)]
    half = [torch.full((2, 7), 0.5), torch.full((2, 3), 0.5)]
    # a perfect discriminator (real -> 1, fake -> 0) has zero loss; the worst one 1 + 1
    assert discriminator_adversarial_loss(ones, zeros).item() == 0.0
    assert discriminator_adversarial_loss(zeros, ones).item() == 2.0
    assert discriminator_adversarial_loss(half, half).item() == pytest.approx(0.5)
    # the generator's loss is zero when its output is scored real, one when scored fake
    assert generator_adversarial_loss(ones).item() == 0.0
    assert generator_adversarial_loss(zeros).item() == 1.0
    assert generator_adversarial_loss([torch.full((4, 2), 3.0)]).item() == 4.0
    # feature matching: mean over discriminators of the mean over layers of mean |real - fake|
    real = [[torch.zeros(2, 3), torch.zeros(2, 5)], [torch.zeros(4)]]
    fake = [[torch.ones(2, 3), torch.full((2, 5), -3.0)], [torch.full((4,), 4.0)]]
    assert feature_matching_loss(real, fake).item() == pytest.approx((2 + 4) / 2)
    assert feature_matching_loss(real, real).item() == 0.0
    with pytest.raises(ValueError, match="equally long non-empty lists"):
        discriminator_adversarial_loss(ones, ones[:1])
    with pytest.raises(ValueError, match="equally long non-empty lists"):
        feature_matching_loss(real, fake[:1])


def test_gradients_stay_on_their_side():
    torch.manual_seed(0)
    generator = build_model(build_config("audiounet", "tiny")).train()
    disc = CombinedDiscriminator(channels=2)
    x, real = torch.randn(2, 1024) * 0.1, torch.randn(2, 2048) * 0.1

    # discriminator step: the generator's output is detached
    fake = generator(input_values=x).audio_values
    discriminator_losses(disc, real, fake)["adv/disc"].backward()
    assert all(p.grad is None for p in generator.parameters())
    assert all(p.grad is not None for p in disc.parameters())
    assert any(p.grad.abs().sum() > 0 for p in disc.parameters())
    disc.zero_grad(set_to_none=True)

    # generator step: the discriminator's parameters are frozen, and unfrozen again after
    fake = generator(input_values=x).audio_values
    losses = generator_adversarial_losses(disc, real, fake)
    assert set(losses) == {"adv/gen", "adv/feat"}
    (losses["adv/gen"] + losses["adv/feat"]).backward()
    assert all(p.grad is None for p in disc.parameters())
    assert all(p.requires_grad for p in disc.parameters())
    missing = [n for n, p in generator.named_parameters() if p.grad is None or not p.grad.any()]
    assert not missing

    with frozen_parameters(disc):
        assert not any(p.requires_grad for p in disc.parameters())
    assert all(p.requires_grad for p in disc.parameters())


# ---------------------------------------------------------------- arguments


def test_adversarial_arguments(tmp_path):
    base = write_config(tmp_path / "base", {"train": tmp_path, "validation": tmp_path})
    args = parse_training_args([str(base)])
    assert args.adversarial is False  # off unless asked for
    assert args.discriminator_names == ("mpd", "mrsd")
    assert args.discriminator_period_list == (2, 3, 5, 7, 11)
    assert args.loss_weights["adv/gen"] == 1.0 and args.loss_weights["adv/feat"] == 2.0
    args = parse_training_args(
        [str(base), "--adversarial", "true", "--discriminators", "mrsd", "--loss_adv_gen", "0.5"]
    )
    assert (args.adversarial, args.discriminator_names, args.loss_adv_gen) == (True, ("mrsd",), 0.5)
    for flags, message in [
        (
            ["--discriminators", "mpd,msd"],
            r"distinct names from \('mpd', 'mrsd', 'mrpd'\), got 'mpd,msd'",
        ),
        (["--discriminators", ""], r"distinct names from"),
        (["--discriminator_periods", "2,x"], r"discriminator_periods must be a comma-separated"),
        (["--discriminator_fft_sizes", "4"], r"discriminator_fft_sizes must be .* >= 8"),
        (["--discriminator_fft_sizes", "255"], r"discriminator_fft_sizes must be even"),
        (["--discriminator_channels", "0"], r"discriminator_channels must be positive"),
        (["--adversarial_start_step", "-1"], r"adversarial_start_step must be >= 0"),
        (["--discriminator_learning_rate", "0"], r"discriminator_learning_rate must be positive"),
        (["--loss_adv_feat", "-1"], r"loss weights must be non-negative, got \{'loss_adv_feat'"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_training_args([str(base), *flags])


def test_shipped_gan_preset_is_the_plain_one_plus_adversarial_settings():
    plain = json.loads((CONFIGS / "audiounet_small_speech_8k_16k.json").read_text())
    gan = json.loads((CONFIGS / "audiounet_small_speech_8k_16k_gan.json").read_text())
    changed = {k for k in gan if plain.get(k) != gan[k]}
    assert changed <= {"description", "output_dir"} | {
        k for k in gan if k == "adversarial" or k.startswith(("discriminator", "loss_adv"))
    } | {"adversarial_start_step"}
    assert gan["adversarial"] is True and gan["output_dir"] != plain["output_dir"]
    assert set(plain) <= set(gan)
    args = parse_training_args([str(CONFIGS / "audiounet_small_speech_8k_16k_gan.json")])
    assert args.adversarial and args.architecture == "audiounet"


# ---------------------------------------------------------------- a tiny run


def test_tiny_adversarial_run(tmp_path, audio_dirs, in_process):
    settings = dict(
        max_steps=8, steps_per_epoch=4, log_steps=2, checkpoint_steps=4, keep_checkpoints=2
    )
    config = write_config(tmp_path / "gan", audio_dirs, adversarial_start_step=4, **GAN, **settings)
    args = parse_training_args([str(config)])
    trainer = SuperResolutionTrainer(args)
    initial_disc = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    result = trainer.train()
    run = Path(args.output_dir)

    # every loss is logged; the adversarial ones from adversarial_start_step on
    records = logged(run)
    assert without_timing(records) == without_timing(result["history"])
    by_step = {r["step"]: r for r in records}
    assert sorted(by_step) == [2, 4, 6, 8]
    for step in (2, 4):
        assert ALL_LOSSES - set(by_step[step]) == {"adv/gen", "adv/feat", "adv/disc"}
    for step in (6, 8):
        assert ALL_LOSSES <= set(by_step[step])
        assert 0 < by_step[step]["adv/disc"] < 10 and by_step[step]["adv/feat"] > 0
        # the logged total is the weighted sum of the generator's terms
        weights = args.loss_weights
        total = sum(weights[k] * by_step[step][k] for k in weights if k in by_step[step])
        assert by_step[step]["loss"] == pytest.approx(total, rel=1e-5)
        assert 0 < by_step[step]["lr/disc"] <= 1e-3
    assert [r["step"] for r in records if "val/lsd" in r] == [4, 8]

    # training checkpoints hold both networks; the discriminator is untouched during the warm
    # start and trained after it
    ckpts = complete_checkpoints(run)
    assert [p.name for p in ckpts] == ["step_0000004", "step_0000008"]
    for ckpt in ckpts:
        assert {"model.safetensors", "model_1.safetensors", "optimizer_1.bin"} <= {
            p.name for p in ckpt.iterdir()
        }
    disc_4 = load_file(str(ckpts[0] / "model_1.safetensors"))
    disc_8 = load_file(str(ckpts[1] / "model_1.safetensors"))
    assert disc_4.keys() == initial_disc.keys()
    # untouched means bit-exact (stored and read back); any optimizer step changes some bits
    for key, value in initial_disc.items():
        np.testing.assert_array_equal(disc_4[key], value.numpy(), err_msg=key)
    changed = [k for k in disc_4 if not np.array_equal(disc_4[k], disc_8[k])]
    assert len(changed) == len(disc_4)  # every discriminator tensor moved

    # the shipped models are the generator alone, loadable like any other
    generator_keys = set(hf_audiosr.load_model(str(run / "final")).state_dict())
    last = load_file(str(ckpts[1] / "model.safetensors"))
    for name in ("best", "final"):
        assert {p.name for p in (run / name).iterdir()} == EXPORTED_FILES
        weights = load_file(str(run / name / "model.safetensors"))
        assert set(weights) <= generator_keys
        assert not any("discriminator" in k or "parametrizations" in k for k in weights)
        model = hf_audiosr.load_model(str(run / name))
        assert isinstance(model, hf_audiosr.AudioUNetForAudioSuperResolution)
    for key, value in load_file(str(run / "final" / "model.safetensors")).items():
        np.testing.assert_array_equal(value, last[key], err_msg=key)  # a copy: bit-exact

    # the warm start is reconstruction only: bit-identical to a plain run until then (the same
    # computation in the same process: any difference means the GAN code touched the generator)
    plain = write_config(tmp_path / "plain", audio_dirs, **settings)
    SuperResolutionTrainer(parse_training_args([str(plain)])).train()
    plain_run = tmp_path / "plain" / "run"
    plain_4 = load_file(str(plain_run / "checkpoints" / "step_0000004" / "model.safetensors"))
    gan_4 = load_file(str(ckpts[0] / "model.safetensors"))
    assert plain_4.keys() == gan_4.keys()
    for key in plain_4:
        np.testing.assert_array_equal(plain_4[key], gan_4[key], err_msg=key)
    plain_records = without_timing(logged(plain_run))
    gan_records = [{k: v for k, v in r.items() if k != "lr/disc"} for r in without_timing(records)]
    assert plain_records[:2] == gan_records[:2]
    assert plain_records[2]["loss"] != gan_records[2]["loss"]
    assert not (complete_checkpoints(plain_run)[-1] / "model_1.safetensors").exists()


# ---------------------------------------------------------------- kill and resume


def test_adversarial_resume_after_sigkill_equals_uninterrupted_run(
    tmp_path, audio_dirs, in_process
):
    # 12 steps, adversarial from step 2; checkpoints every 4, logs every 3, validation every 6.
    # Run B is killed after step 7: past its step-4 checkpoint, mid-epoch, after a log record.
    settings = dict(
        max_steps=12,
        checkpoint_steps=4,
        log_steps=3,
        steps_per_epoch=6,
        adversarial_start_step=2,
        **GAN,
    )
    config_a = write_config(tmp_path / "a", audio_dirs, **settings)
    config_b = write_config(tmp_path / "b", audio_dirs, **settings)
    run_a, run_b = tmp_path / "a" / "run", tmp_path / "b" / "run"
    run_killed_after_step(
        config_b, 7, lambda: SuperResolutionTrainer(parse_training_args([str(config_a)])).train()
    )
    assert [p.name for p in complete_checkpoints(run_b)] == ["step_0000004"]
    assert [r["step"] for r in logged(run_b)] == [3, 6]  # step 6 lies beyond the checkpoint

    resumed = run_train_script(config_b)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"resumed from {run_b / 'checkpoints' / 'step_0000004'} at step 4" in resumed.stderr

    # bit-identical generator (exported and checkpointed) and discriminator, same logs: the
    # resumed run repeats the same computation on the same machine and thread count from the
    # stored states, so any difference is a resume defect, not rounding
    for relative in (
        "final/model.safetensors",
        "checkpoints/step_0000012/model.safetensors",
        "checkpoints/step_0000012/model_1.safetensors",
    ):
        weights_a, weights_b = load_file(str(run_a / relative)), load_file(str(run_b / relative))
        assert weights_a.keys() == weights_b.keys()
        for key in weights_a:
            np.testing.assert_array_equal(weights_a[key], weights_b[key], err_msg=relative + key)
    # (the discriminator kept training after the resume)
    disc_8 = load_file(str(run_b / "checkpoints" / "step_0000008" / "model_1.safetensors"))
    disc_12 = load_file(str(run_b / "checkpoints" / "step_0000012" / "model_1.safetensors"))
    assert all(not np.array_equal(disc_8[k], disc_12[k]) for k in disc_8)
    log_a, log_b = without_timing(logged(run_a)), without_timing(logged(run_b))
    assert [r["step"] for r in log_a] == [3, 6, 9, 12]
    assert all(ALL_LOSSES <= set(r) for r in log_a[1:])
    assert log_a == log_b  # incl. the step-6 record averaged across the kill


# ---------------------------------------------------------------- two processes


def test_two_processes_train_both_networks_in_step(tmp_path, audio_dirs):
    """Under DDP the discriminator step (wrapped discriminator, one forward on real + fake) and the
    generator step (bare, frozen discriminator) neither hang nor let the ranks drift apart."""
    config = write_config(
        tmp_path,
        audio_dirs,
        max_steps=4,
        steps_per_epoch=2,
        log_steps=2,
        checkpoint_steps=4,
        validation_max_files=1,
        adversarial_start_step=1,
        **GAN,
    )
    rank0, rank1 = run_two_ranks(config)
    assert rank0["world_size"] == rank1["world_size"] == 2
    assert rank0["step"] == rank1["step"] == 4
    assert any(k.startswith("disc.") for k in rank0["weights"])
    # both ranks apply the same averaged updates on the same machine: checksums agree bit for bit
    assert rank0["weights"] == rank1["weights"]
    records = logged(tmp_path / "run")
    assert [r["step"] for r in records] == [2, 4]
    assert all(ALL_LOSSES <= set(r) for r in records)
