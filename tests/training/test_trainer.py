"""SuperResolutionTrainer end to end on a tiny synthetic corpus.

* a tiny run trains (loss and validation LSD go down) and exports loadable ``best/``/``final/``;
* a run SIGKILLed mid-epoch and resumed ends bit-identical to an uninterrupted one, and resuming
  ignores half-written (``.tmp-step_*``) or unmarked checkpoints;
* two processes (``torchrun``, gloo on CPU) see different batches and end with identical weights.

Runs use the ``tiny`` preset, 2048-sample patches, a few dozen steps and one thread per process.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from safetensors.numpy import load_file

from hf_audiosr.training import SuperResolutionTrainer, parse_training_args
from hf_audiosr.training.trainer import (
    COMPLETE_MARKER,
    complete_checkpoints,
    load_or_build_corpus,
    lr_lambda,
)

from ._multiprocess import run_killed_after_step, run_train_script, run_two_ranks

RATE = 16000
EXPORTED_FILES = {
    "model.safetensors",
    "config.json",
    "preprocessor_config.json",
    "training_recipe.json",
}


def harmonic(f0: float, seconds: float, seed: int) -> np.ndarray:
    """Harmonics of ``f0`` up to 7.8 kHz (1/k amplitudes, random phases), slowly modulated."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(
        np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi)) / k
        for k in range(1, int(7800 // f0) + 1)
    )
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t + rng.uniform(0, 2 * np.pi))
    return (0.3 * envelope * x / np.abs(x).max()).astype(np.float32)


@pytest.fixture(scope="module")
def audio_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("harmonic-corpus")
    dirs = {}
    for split, f0s in {"train": (110, 150, 190, 230), "validation": (130, 210, 170)}.items():
        dirs[split] = root / split
        dirs[split].mkdir()
        for i, f0 in enumerate(f0s):
            sf.write(str(dirs[split] / f"h{f0}.wav"), harmonic(f0, 1.0, seed=i), RATE)
    return dirs


def write_config(folder: Path, audio_dirs: dict[str, Path], **values) -> Path:
    """A tiny-run JSON preset; each run gets its own corpus cache so it builds its corpus."""
    config = {
        "output_dir": str(folder / "run"),
        "train_dirs": [str(audio_dirs["train"])],
        "validation_dirs": [str(audio_dirs["validation"])],
        "corpus_cache_dir": str(folder / "cache"),
        "trim_silence_db": None,
        "preset": "tiny",
        "segment_length": 2048,
        "batch_size": 4,
        "learning_rate": 3e-3,
        "warmup_steps": 2,
        "torch_threads": 1,
        **values,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def logged(run_dir: Path) -> list[dict]:
    lines = (run_dir / "train_log.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def without_timing(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "steps_per_s"} for r in records]


# ---------------------------------------------------------------- pieces


def test_lr_schedule_closed_form():
    assert lr_lambda(0, 10, 100, 0.1) == pytest.approx(0.1)
    assert lr_lambda(9, 10, 100, 0.1) == pytest.approx(1.0)
    assert lr_lambda(10, 10, 100, 0.1) == pytest.approx(1.0)
    assert lr_lambda(55, 10, 100, 0.1) == pytest.approx(0.55)  # half-way down the cosine
    assert lr_lambda(100, 10, 100, 0.1) == pytest.approx(0.1)
    assert lr_lambda(500, 10, 100, 0.1) == pytest.approx(0.1)


def test_complete_checkpoints_ignores_partial_ones(tmp_path):
    root = tmp_path / "checkpoints"
    for name, complete in [
        ("step_0000010", True),
        ("step_0000002", True),
        ("step_0000004", False),  # killed before the marker
        (".tmp-step_0000012", True),  # killed before the rename
    ]:
        (root / name).mkdir(parents=True)
        if complete:
            (root / name / COMPLETE_MARKER).write_text("ok\n")
    (root / "step_0000020").write_text("a file, not a folder")
    assert [p.name for p in complete_checkpoints(tmp_path)] == ["step_0000002", "step_0000010"]
    assert complete_checkpoints(tmp_path / "elsewhere") == []


def test_corpus_cache_gives_the_same_samples_as_a_fresh_build(tmp_path, audio_dirs):
    def load(cache_dir):
        return load_or_build_corpus(
            [str(audio_dirs["train"])], [], [], RATE, None, str(cache_dir), None
        )

    built = load(tmp_path / "cache")  # builds and writes the cache
    cached = load(tmp_path / "cache")  # reads it
    assert len(list((tmp_path / "cache").glob("corpus-*.npz"))) == 1
    np.testing.assert_array_equal(built.samples, cached.samples)  # stored and read: bit-exact
    assert built.names == cached.names

    prebuilt = tmp_path / "prebuilt.npz"
    built.save(prebuilt)
    with pytest.raises(ValueError, match=r"prebuilt\.npz is at 16000 Hz, the run needs 8000 Hz"):
        load_or_build_corpus([], [], [], 8000, None, str(tmp_path), str(prebuilt))
    with pytest.raises(ValueError, match=r"no audio files found in \['.*empty'\]"):
        (tmp_path / "empty").mkdir()
        load_or_build_corpus([str(tmp_path / "empty")], [], [], RATE, None, str(tmp_path), None)


# ---------------------------------------------------------------- a tiny run


def test_tiny_run_trains_and_exports_loadable_models(tmp_path, audio_dirs, in_process):
    from transformers import AutoFeatureExtractor, AutoModel

    import hf_audiosr

    config = write_config(
        tmp_path,
        audio_dirs,
        max_steps=30,
        steps_per_epoch=10,
        log_steps=5,
        checkpoint_steps=10,
        keep_checkpoints=2,
    )
    args = parse_training_args([str(config)])
    result = SuperResolutionTrainer(args).train()
    run = Path(args.output_dir)

    # validation at the end of every epoch, logged with the training losses
    records = logged(run)
    assert without_timing(records) == without_timing(result["history"])
    validations = [r for r in records if "val/lsd" in r]
    assert [(r["step"], r["epoch"], r["val/n"]) for r in validations] == [
        (10, 1, 3),
        (20, 2, 3),
        (30, 3, 3),
    ]
    for r in validations:
        assert 0 < r["val/lsd"] < 10 and math.isfinite(r["val/snr"])
    assert validations[-1]["val/lsd"] < validations[0]["val/lsd"]
    assert result["best_lsd"] == min(r["val/lsd"] for r in validations)

    # the training loss goes down
    losses = [r["loss"] for r in records if "loss" in r]
    assert [r["step"] for r in records if "loss" in r] == [5, 10, 15, 20, 25, 30]
    # a fresh model starts close to the plain interpolation, so 30 tiny steps gain ~10-15 %
    assert np.mean(losses[-2:]) < 0.93 * np.mean(losses[:2]), losses

    # only the newest complete checkpoints are kept, and nothing half-written is left behind
    assert [p.name for p in complete_checkpoints(run)] == ["step_0000020", "step_0000030"]
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "step_0000020",
        "step_0000030",
    ]
    assert not list(run.glob(".tmp-*"))

    # best/ and final/ load through the Auto classes
    last_checkpoint = load_file(str(run / "checkpoints" / "step_0000030" / "model.safetensors"))
    for name in ("best", "final"):
        assert {p.name for p in (run / name).iterdir()} == EXPORTED_FILES
        model = AutoModel.from_pretrained(run / name)
        assert isinstance(model, hf_audiosr.AudioUNetForAudioSuperResolution)
        assert model.config.preset == "tiny"
        extractor = AutoFeatureExtractor.from_pretrained(run / name)
        assert isinstance(extractor, hf_audiosr.AudioSRFeatureExtractor)
        assert extractor.sampling_rate == 8000
    best_recipe = json.loads((run / "best" / "training_recipe.json").read_text())
    best_record = min(validations, key=lambda r: r["val/lsd"])
    assert best_recipe["step"] == best_record["step"]
    assert best_recipe["metrics"]["val/lsd"] == best_record["val/lsd"]
    final_recipe = json.loads((run / "final" / "training_recipe.json").read_text())
    assert final_recipe["step"] == 30
    assert final_recipe["metrics"]["val/lsd"] == validations[-1]["val/lsd"]
    assert final_recipe["args"]["max_steps"] == 30
    assert (final_recipe["train_files"], final_recipe["validation_files"]) == (4, 3)
    final = load_file(str(run / "final" / "model.safetensors"))
    assert final.keys() == last_checkpoint.keys()
    # final/ is the last checkpoint's weights saved again: a copy, bit-exact
    for key in final:
        np.testing.assert_array_equal(final[key], last_checkpoint[key])

    # a finished run started again does not train, but re-exports final/ if it went missing
    (run / "final" / "model.safetensors").unlink()
    again = SuperResolutionTrainer(parse_training_args([str(config)])).train()
    assert again["step"] == 30
    assert {p.name for p in (run / "final").iterdir()} == EXPORTED_FILES
    for key, value in load_file(str(run / "final" / "model.safetensors")).items():
        np.testing.assert_array_equal(value, last_checkpoint[key])


# ---------------------------------------------------------------- kill and resume


def test_resume_after_sigkill_equals_uninterrupted_run(tmp_path, audio_dirs, in_process):
    # 24 steps; checkpoints every 6 (off the 4-step log grid), validation every 8.
    # Run B is killed after step 9: past its step-6 checkpoint, mid-epoch, after a log record.
    settings = dict(max_steps=24, checkpoint_steps=6, log_steps=4, steps_per_epoch=8)
    config_a = write_config(tmp_path / "a", audio_dirs, **settings)
    config_b = write_config(tmp_path / "b", audio_dirs, **settings)
    run_a, run_b = tmp_path / "a" / "run", tmp_path / "b" / "run"
    # run A in this process (one thread like the subprocesses) while B starts up
    run_killed_after_step(
        config_b, 9, lambda: SuperResolutionTrainer(parse_training_args([str(config_a)])).train()
    )
    assert [p.name for p in complete_checkpoints(run_b)] == ["step_0000006"]
    assert not (run_b / "final").exists()
    assert [r["step"] for r in logged(run_b)] == [4, 8]  # step 8 lies beyond the checkpoint

    # debris that resuming must ignore: a checkpoint killed before its rename (marker and all)
    # and one without the COMPLETE marker; loading either would fail or change the result
    debris = run_b / "checkpoints" / ".tmp-step_0000012"
    debris.mkdir()
    (debris / COMPLETE_MARKER).write_text("ok\n")
    (debris / "trainer_state.json").write_text(json.dumps({"step": 12}))
    unmarked = run_b / "checkpoints" / "step_0000018"
    unmarked.mkdir()
    (unmarked / "trainer_state.json").write_text(json.dumps({"step": 18}))
    (unmarked / "model.safetensors").write_bytes(b"half a file")

    resumed = run_train_script(config_b)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"resumed from {run_b / 'checkpoints' / 'step_0000006'} at step 6" in resumed.stderr
    assert "finished at step 24" in resumed.stdout

    # bit-identical weights and the same validation metrics and logs: the resumed run repeats the
    # same computation on the same machine and thread count (one thread), from the same stored
    # weights, optimizer and RNG states, so any difference is a resume defect, not rounding
    weights_a = load_file(str(run_a / "final" / "model.safetensors"))
    weights_b = load_file(str(run_b / "final" / "model.safetensors"))
    assert weights_a.keys() == weights_b.keys()
    for key in weights_a:
        np.testing.assert_array_equal(weights_a[key], weights_b[key], err_msg=key)
    recipe_a = json.loads((run_a / "final" / "training_recipe.json").read_text())
    recipe_b = json.loads((run_b / "final" / "training_recipe.json").read_text())
    assert recipe_a["metrics"]["val/lsd"] == recipe_b["metrics"]["val/lsd"]
    assert recipe_a["metrics"]["val/snr"] == recipe_b["metrics"]["val/snr"]
    log_a, log_b = without_timing(logged(run_a)), without_timing(logged(run_b))
    assert [r["step"] for r in log_a] == [4, 8, 12, 16, 20, 24]
    assert log_a == log_b  # incl. the step-8 record averaged across the kill

    # the debris was replaced by real checkpoints on the way
    assert sorted(p.name for p in (run_b / "checkpoints").iterdir()) == [
        "step_0000018",
        "step_0000024",
    ]
    assert (run_b / "checkpoints" / "step_0000018" / COMPLETE_MARKER).exists()


# ---------------------------------------------------------------- two processes


def test_two_processes_share_gradients_and_split_data(tmp_path, audio_dirs):
    # one validation file for two ranks: one rank validates nothing (must not hang)
    config = write_config(
        tmp_path,
        audio_dirs,
        max_steps=6,
        steps_per_epoch=3,
        log_steps=3,
        checkpoint_steps=3,
        validation_max_files=1,
    )
    rank0, rank1 = run_two_ranks(config)
    assert rank0["world_size"] == rank1["world_size"] == 2
    assert rank0["step"] == rank1["step"] == 6
    assert len(rank0["batches"]) == len(rank1["batches"]) == 6
    assert not set(rank0["batches"]) & set(rank1["batches"])  # each rank its own batches
    # gradients were averaged across ranks: both apply the same update to the same weights on
    # the same machine, so their weights' checksums agree bit for bit
    assert rank0["weights"] == rank1["weights"]

    run = tmp_path / "run"
    records = logged(run)  # written by the main process only
    assert [r["step"] for r in records] == [3, 6]
    assert all(r["val/n"] == 1 for r in records)
    # the schedule counts optimizer steps, however many processes step the scheduler
    assert records[0]["lr"] == pytest.approx(3e-3 * lr_lambda(3, 2, 6, 0.1))
    assert {p.name for p in (run / "final").iterdir()} == EXPORTED_FILES
    checkpoint = run / "checkpoints" / "step_0000006"
    assert {"random_states_0.pkl", "random_states_1.pkl", COMPLETE_MARKER} <= {
        p.name for p in checkpoint.iterdir()
    }


def test_init_from_starts_from_a_saved_model_and_checks_its_config(
    tmp_path, audio_dirs, in_process
):
    from hf_audiosr.bundled import recipe_total_steps
    from hf_audiosr.models import AudioUNetConfig, AudioUNetForAudioSuperResolution
    from hf_audiosr.training import parse_training_args
    from hf_audiosr.training.trainer import SuperResolutionTrainer

    torch.manual_seed(123)
    source = AudioUNetForAudioSuperResolution(AudioUNetConfig.from_preset("tiny"))
    source.save_pretrained(tmp_path / "source")
    config = write_config(
        tmp_path / "a", audio_dirs, max_steps=2, init_from=str(tmp_path / "source")
    )
    (tmp_path / "source" / "training_recipe.json").write_text(json.dumps({"step": 40}))
    trainer = SuperResolutionTrainer(parse_training_args([str(config)]))
    for (name, a), b in zip(trainer.model.state_dict().items(), source.state_dict().values()):
        assert torch.equal(a, b), name  # loaded from safetensors: bit-exact
    # the exported recipe counts the steps behind the initial weights too
    recipe = json.loads(
        (trainer.export(trainer.model, "x", {}, 2) / "training_recipe.json").read_text()
    )
    assert (recipe["step"], recipe["total_steps"]) == (2, 42)
    # weights whose own training is unknown (no recipe) leave the total unknown, not understated
    (tmp_path / "source" / "training_recipe.json").unlink()
    trainer.init_steps = recipe_total_steps(tmp_path / "source")
    recipe = json.loads(
        (trainer.export(trainer.model, "y", {}, 2) / "training_recipe.json").read_text()
    )
    assert recipe["total_steps"] is None
    _reset_accelerate_state()
    other = write_config(
        tmp_path / "b",
        audio_dirs,
        max_steps=2,
        init_from=str(tmp_path / "source"),
        model_overrides=json.dumps({"bottleneck_filters": 24}),
    )
    with pytest.raises(
        ValueError, match=r"its config differs from this run's in \['bottleneck_filters'\]"
    ):
        SuperResolutionTrainer(parse_training_args([str(other)]))


def _reset_accelerate_state() -> None:
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(reset_partial_state=True)


@pytest.mark.parametrize("native", [False, True])
def test_mixed_precision_bf16_only_where_the_cpu_has_it(
    tmp_path, audio_dirs, in_process, monkeypatch, caplog, native
):
    """``--mixed_precision bf16`` trains in fp32 ("no", one warning) on a CPU that would emulate
    bf16, and in bf16 where the CPU has it; the exported recipe says which ran."""
    import logging

    from hf_audiosr import cpu
    from hf_audiosr.training import parse_training_args
    from hf_audiosr.training.trainer import SuperResolutionTrainer

    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "1" if native else "0")
    monkeypatch.setattr(cpu, "_accelerator_available", lambda: False)
    cpu._warn_once.cache_clear()
    config = write_config(tmp_path, audio_dirs, max_steps=1, mixed_precision="bf16")
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        trainer = SuperResolutionTrainer(parse_training_args([str(config)]))
    expected = "bf16" if native else "no"
    assert trainer.accelerator.mixed_precision == expected
    warnings = [r for r in caplog.records if "training in fp32" in r.getMessage()]
    assert len(warnings) == (0 if native else 1)
    recipe = json.loads(
        (trainer.export(trainer.model, "x", {}, 1) / "training_recipe.json").read_text()
    )
    assert recipe["mixed_precision"] == expected
    assert recipe["args"]["mixed_precision"] == "bf16"  # what was asked
    cpu._warn_once.cache_clear()
