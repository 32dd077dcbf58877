"""Which CPU this is, and whether it runs bf16 natively.

This project's machines are not all the same CPU: on one with AVX-512 BF16 (or AMX) bf16
inference is about twice as fast as fp32, on one with AVX2 only it is about 90 times *slower*
(the default model on 10 s of speech: RTF 3.6 against 0.039), because every bf16 operation is
emulated. So bf16 is only used where the CPU has the instructions (:func:`resolve_dtype`,
:func:`resolve_mixed_precision`), and every speed figure names the CPU it was measured on
(:func:`cpu_capability`).

``HF_AUDIOSR_NATIVE_BF16=1`` (or ``0``) overrides the detection, e.g. to time emulated bf16 on
purpose or to test both paths on one machine.
"""

from __future__ import annotations

import functools
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from transformers.utils import logging

logger = logging.get_logger(__name__)

NATIVE_BF16_ENV = "HF_AUDIOSR_NATIVE_BF16"
CPUINFO = Path("/proc/cpuinfo")
# x86 flags (as Linux spells them in /proc/cpuinfo) that give the CPU bf16 arithmetic
X86_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
_X86 = ("x86_64", "amd64", "i386", "i686", "x86")
_ARM64 = ("aarch64", "arm64", "armv8l")
_BF16_NAMES = ("bfloat16", "bf16", "torch.bfloat16")


@dataclass(frozen=True)
class CPUInfo:
    """What a speed figure needs to say about the CPU it was measured on."""

    capability: str  # torch.backends.cpu.get_cpu_capability(): "AVX512", "AVX2", "DEFAULT", ...
    cores: int | None  # os.cpu_count()
    torch_threads: int  # torch.get_num_threads()
    model: str | None  # "model name" of /proc/cpuinfo, or the platform's processor string
    machine: str  # platform.machine()
    native_bf16: bool  # native_bf16_cpu()

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One line, e.g. ``AMD EPYC, torch AVX2, 2 cores (2 torch threads), no native bf16``."""
        cores = f"{self.cores} cores" if self.cores else "? cores"
        bf16 = "native bf16" if self.native_bf16 else "no native bf16"
        return (
            f"{self.model or self.machine or 'unknown CPU'}, torch {self.capability}, {cores} "
            f"({self.torch_threads} torch threads), {bf16}"
        )


@functools.cache
def _cpuinfo_fields() -> dict[str, str]:
    """The first processor's ``key: value`` lines of /proc/cpuinfo ({} where there is none)."""
    try:
        text = CPUINFO.read_text(errors="replace")
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields.get("flags") or fields.get("Features"):
                break  # the end of the first processor's block
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (x86 ``flags``, arm ``Features``), lower case."""
    fields = _cpuinfo_fields()
    return frozenset((fields.get("flags") or fields.get("Features") or "").lower().split())


def cpu_model() -> str | None:
    """The CPU's model name (/proc/cpuinfo), else the platform's processor string, else None."""
    fields = _cpuinfo_fields()
    for key in ("model name", "Model", "Hardware", "cpu model"):
        if fields.get(key):
            return fields[key]
    return platform.processor() or None


def _parse_override(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{NATIVE_BF16_ENV} must be 1 or 0 (or unset to detect), got {value!r}")


def native_bf16_cpu() -> bool:
    """Whether this CPU computes bf16 natively, so that bf16 is worth using on it.

    x86: torch's kernels may use AVX-512 (``torch.backends.cpu.get_cpu_capability()``; so
    ``ATEN_CPU_CAPABILITY=avx2`` on an AVX-512 machine counts as AVX2) and the CPU has AVX-512
    BF16 or AMX (``avx512_bf16`` / ``amx_bf16`` in /proc/cpuinfo, or torch's own check where
    there is no /proc/cpuinfo). arm64: ``bf16`` among the CPU's features (Linux). Anything else
    (including macOS, whose CPUs torch runs through other paths) counts as not native. The
    ``HF_AUDIOSR_NATIVE_BF16`` environment variable (1 or 0) overrides the detection.
    """
    override = os.environ.get(NATIVE_BF16_ENV, "")
    if override.strip():
        return _parse_override(override)
    machine = platform.machine().lower()
    flags = cpu_flags()
    if machine in _X86:
        if not torch.backends.cpu.get_cpu_capability().upper().startswith("AVX512"):
            return False
        if flags:
            return bool(X86_BF16_FLAGS & flags)
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(getattr(torch.cpu, name, lambda: False)() for name in checks)
    if machine in _ARM64:
        return "bf16" in flags
    return False


def cpu_capability() -> CPUInfo:
    """This CPU as a speed figure should name it: torch's capability string, cores, threads,
    model name and whether it has native bf16."""
    return CPUInfo(
        capability=torch.backends.cpu.get_cpu_capability(),
        cores=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        model=cpu_model(),
        machine=platform.machine(),
        native_bf16=native_bf16_cpu(),
    )


def _accelerator_available() -> bool:
    if hasattr(torch, "accelerator"):
        return torch.accelerator.is_available()
    return torch.cuda.is_available()


def runs_on_cpu(device=None) -> bool:
    """Whether ``device`` (as a pipeline takes it) means the CPU.

    ``None`` and non-negative ints mean the accelerator where there is one (transformers'
    pipeline puts the model on device 0 by default), a negative int the CPU, a string or
    :class:`torch.device` its own type."""
    if device is None:
        return not _accelerator_available()
    if isinstance(device, int):
        return device < 0 or not _accelerator_available()
    return torch.device(device).type == "cpu"


def _is_bf16(dtype) -> bool:
    if isinstance(dtype, str):
        return dtype.strip().lower() in _BF16_NAMES
    return dtype is torch.bfloat16


@functools.cache
def _warn_once(message: str) -> None:
    """Log ``message`` as a warning the first time only (per process)."""
    logger.warning(message)


def _fallback_reason() -> str:
    info = cpu_capability()
    return (
        f"this CPU ({info.model or info.machine}, torch {info.capability}) has no native bf16 "
        f"(AVX-512 BF16 or AMX), so bf16 would be emulated: about 90x slower than fp32 on an "
        f"AVX2 CPU. Set {NATIVE_BF16_ENV}=1 to use bf16 anyway"
    )


def resolve_dtype(dtype, device=None):
    """The inference dtype to use for ``dtype`` on ``device``: ``dtype`` itself, except bf16
    on a CPU without native bf16, which becomes ``torch.float32`` (with one warning per process).

    ``dtype`` may be a ``torch.dtype``, a string (``"bfloat16"``, ``"bf16"``, ``"auto"``, ...) or
    None; ``device`` as for :func:`runs_on_cpu`. Accelerators are left alone."""
    if not _is_bf16(dtype) or not runs_on_cpu(device) or native_bf16_cpu():
        return dtype
    _warn_once(f"bf16 requested: running in fp32 instead, because {_fallback_reason()}.")
    return torch.float32


def resolve_mixed_precision(mixed_precision: str, device=None) -> str:
    """Accelerate's ``mixed_precision`` to train with: as given, except ``"bf16"`` on a CPU
    without native bf16, which becomes ``"no"`` (with one warning per process)."""
    if mixed_precision != "bf16" or not runs_on_cpu(device) or native_bf16_cpu():
        return mixed_precision
    _warn_once(
        f"--mixed_precision bf16 requested: training in fp32 (mixed_precision 'no') instead, "
        f"because {_fallback_reason()}."
    )
    return "no"
