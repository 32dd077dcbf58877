"""Training runs in other processes, shared by test_trainer.py and test_adversarial.py.

* :func:`run_two_ranks`: a run under ``torchrun`` with two processes (gloo on CPU), each reporting
  its batches and weight checksums;
* :func:`run_killed_after_step`: a run SIGKILLed mid-training (to be resumed), and
  :func:`run_train_script`: ``scripts/train.py`` in a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
TRAIN_SCRIPT = REPO / "scripts" / "train.py"


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p
    )
    return env


def run_train_script(config: Path) -> subprocess.CompletedProcess:
    """``scripts/train.py config`` to the end, output captured."""
    return subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), str(config)],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


# ---------------------------------------------------------------- kill mid-run

STOP_AFTER_STEP = textwrap.dedent(
    """
    # Train, but once `stop_after` steps are done, announce it in `ready` and hang (to be killed).
    import sys
    import time
    from pathlib import Path

    from hf_audiosr.training import train, trainer

    stop_after, ready = int(sys.argv[1]), Path(sys.argv[2])
    calls = 0
    compute_losses = trainer.SuperResolutionTrainer.compute_losses

    def hang_after(self, *args):
        global calls
        calls += 1
        if calls > stop_after:
            ready.write_text(str(calls - 1))
            time.sleep(600)
        return compute_losses(self, *args)

    trainer.SuperResolutionTrainer.compute_losses = hang_after
    train(sys.argv[3:])
    """
)


def run_killed_after_step(config: Path, step: int, meanwhile: Callable[[], object]) -> None:
    """Train ``config`` in a subprocess, SIGKILLed once ``step`` steps are done (it then hangs
    inside the next step, so whatever it wrote stays as it was at that step).

    ``meanwhile()`` runs in this process while the subprocess starts up (the uninterrupted run).
    """
    driver = config.parent / "stop_after_step.py"
    driver.write_text(STOP_AFTER_STEP)
    ready = config.parent / "ready"
    interrupted = subprocess.Popen(
        [sys.executable, str(driver), str(step), str(ready), str(config)],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        meanwhile()
        deadline = time.monotonic() + 180
        while not ready.exists():
            if interrupted.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the run never reached step {step}:\n{interrupted.communicate()[0]}")
            time.sleep(0.05)
        assert ready.read_text() == str(step)
        interrupted.send_signal(signal.SIGKILL)
        interrupted.wait(timeout=30)
        assert interrupted.returncode == -signal.SIGKILL
    finally:
        if interrupted.poll() is None:
            interrupted.kill()


# ---------------------------------------------------------------- two processes

TWO_RANKS = textwrap.dedent(
    """
    # Train under torchrun; each rank writes the batches it saw and checksums of its final
    # weights (generator, and discriminator when the run is adversarial).
    import hashlib
    import json
    import sys
    from pathlib import Path

    from hf_audiosr.training import SuperResolutionTrainer, parse_training_args

    out = Path(sys.argv[1])
    trainer = SuperResolutionTrainer(parse_training_args(sys.argv[2:]))
    seen = []
    compute_losses = trainer.compute_losses

    def record(estimate, labels):
        seen.append(hashlib.sha1(labels.detach().cpu().numpy().tobytes()).hexdigest())
        return compute_losses(estimate, labels)

    trainer.compute_losses = record
    result = trainer.train()
    acc = trainer.accelerator
    weights = dict(acc.unwrap_model(trainer.model).state_dict())
    if trainer.discriminator is not None:
        discriminator = acc.unwrap_model(trainer.discriminator).state_dict()
        weights.update({"disc." + k: v for k, v in discriminator.items()})
    report = {
        "world_size": acc.num_processes,
        "batches": seen,
        "step": result["step"],
        "weights": {k: hashlib.sha1(v.cpu().numpy().tobytes()).hexdigest() for k, v in weights.items()},
    }
    (out / f"rank{acc.process_index}.json").write_text(json.dumps(report))
    """
)


def run_two_ranks(config: Path) -> tuple[dict, dict]:
    """Train ``config`` under ``torchrun`` with two CPU processes; the two ranks' reports
    (``world_size``, ``step``, ``batches``: checksums of the batches it trained on, ``weights``:
    checksums of its final weights, discriminator ones prefixed ``disc.``).

    Skips without gloo; fails if the run hangs or fails.
    """
    if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
        pytest.skip("torch.distributed with the gloo backend is not available")
    driver = config.parent / "two_ranks.py"
    driver.write_text(TWO_RANKS)
    reports = config.parent / "reports"
    reports.mkdir()
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node", "2", str(driver), str(reports), str(config)]
    try:
        launched = subprocess.run(
            command, env=subprocess_env(), capture_output=True, text=True, timeout=240
        )
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"two-process training hung:\n{err.stdout}\n{err.stderr}")
    assert launched.returncode == 0, launched.stdout + launched.stderr
    rank0, rank1 = (json.loads((reports / f"rank{r}.json").read_text()) for r in (0, 1))
    return rank0, rank1
