"""Several processes (``accelerate launch`` / ``torchrun``) sharing one job."""

from __future__ import annotations

import os

import torch


def cpu_only_distributed() -> bool:
    """Several processes on a machine without an accelerator.

    Accelerate sets up CPU (gloo) parallelism only when asked for the CPU explicitly; under plain
    ``torchrun`` it would otherwise give every process its own single-process run.
    """
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    if hasattr(torch, "accelerator"):
        return not torch.accelerator.is_available()
    return not torch.cuda.is_available()


def process_state():
    """Accelerate's :class:`~accelerate.PartialState` for this process (rank, device, splitting)."""
    from accelerate import PartialState

    return PartialState(cpu=cpu_only_distributed())
