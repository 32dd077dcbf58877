"""bf16 only where the CPU runs it natively; speed figures name the CPU."""

from __future__ import annotations

import json
import logging

import pytest
import torch

import hf_audiosr
from hf_audiosr import cpu

FALLBACK = "running in fp32 instead"
TRAIN_FALLBACK = "training in fp32"


@pytest.fixture(autouse=True)
def fresh_detection(monkeypatch):
    """Every test starts with no override and its warnings not yet given."""
    monkeypatch.delenv(cpu.NATIVE_BF16_ENV, raising=False)
    cpu._warn_once.cache_clear()
    cpu._cpuinfo_fields.cache_clear()
    yield
    cpu._warn_once.cache_clear()
    cpu._cpuinfo_fields.cache_clear()


def fake_cpu(monkeypatch, tmp_path, *, machine="x86_64", capability="AVX512", flags=""):
    """A /proc/cpuinfo with ``flags`` (x86) or ``Features`` (arm), and torch's capability."""
    key = "Features" if machine in ("aarch64", "arm64") else "flags"
    info = tmp_path / "cpuinfo"
    info.write_text(
        f"processor\t: 0\nmodel name\t: Test CPU 9000\n{key}\t\t: fpu sse2 {flags}\n\n"
        f"processor\t: 1\nmodel name\t: Test CPU 9000\n{key}\t\t: fpu sse2 {flags}\n"
    )
    monkeypatch.setattr(cpu, "CPUINFO", info)
    monkeypatch.setattr(cpu.platform, "machine", lambda: machine)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    cpu._cpuinfo_fields.cache_clear()


def no_accelerator(monkeypatch, available=False):
    monkeypatch.setattr(cpu, "_accelerator_available", lambda: available)


@pytest.mark.parametrize(
    "machine, capability, flags, native",
    [
        ("x86_64", "AVX512", "avx2 avx512f avx512_bf16", True),  # Cooper Lake, Zen 4
        ("x86_64", "AVX512", "avx2 avx512f amx_tile amx_bf16", True),  # Sapphire Rapids
        ("x86_64", "AVX512", "avx2 avx512f avx512bw", False),  # AVX-512 without bf16
        ("x86_64", "AVX2", "avx2 fma", False),  # the AVX2 machine
        # ATEN_CPU_CAPABILITY=avx2 on a bf16 machine: torch's kernels stay on AVX2
        ("x86_64", "AVX2", "avx2 avx512f avx512_bf16", False),
        ("aarch64", "DEFAULT", "asimd sve bf16", True),  # Graviton 3
        ("aarch64", "DEFAULT", "asimd", False),
        ("riscv64", "DEFAULT", "", False),
    ],
)
def test_native_bf16_follows_the_cpu_flags_and_torch_capability(
    monkeypatch, tmp_path, machine, capability, flags, native
):
    fake_cpu(monkeypatch, tmp_path, machine=machine, capability=capability, flags=flags)
    assert cpu.native_bf16_cpu() is native
    assert cpu.cpu_flags() >= set(flags.split())


def test_environment_overrides_the_detection(monkeypatch, tmp_path):
    fake_cpu(monkeypatch, tmp_path, capability="AVX2", flags="avx2")
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "1")
    assert cpu.native_bf16_cpu() is True
    fake_cpu(monkeypatch, tmp_path, flags="avx512f avx512_bf16")
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    assert cpu.native_bf16_cpu() is False
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "maybe")
    with pytest.raises(ValueError, match=r"HF_AUDIOSR_NATIVE_BF16 must be 1 or 0"):
        cpu.native_bf16_cpu()


def test_cpu_capability_names_the_cpu(monkeypatch, tmp_path):
    fake_cpu(monkeypatch, tmp_path, capability="AVX2", flags="avx2")
    info = cpu.cpu_capability()
    assert (info.capability, info.model, info.native_bf16) == ("AVX2", "Test CPU 9000", False)
    assert info.cores == cpu.os.cpu_count() and info.torch_threads == torch.get_num_threads()
    assert json.loads(json.dumps(info.to_dict()))["capability"] == "AVX2"
    assert info.describe().startswith("Test CPU 9000, torch AVX2, ")
    assert "no native bf16" in info.describe()


def test_cpu_capability_without_proc_cpuinfo(monkeypatch, tmp_path):
    monkeypatch.setattr(cpu, "CPUINFO", tmp_path / "missing")
    cpu._cpuinfo_fields.cache_clear()
    info = cpu.cpu_capability()  # no crash; torch's own checks decide bf16 on x86
    assert info.capability == torch.backends.cpu.get_cpu_capability()
    assert cpu.cpu_flags() == frozenset()


def records(caplog, text):
    return [r for r in caplog.records if text in r.getMessage()]


@pytest.mark.parametrize("bf16", [torch.bfloat16, "bfloat16", "bf16"])
def test_bf16_falls_back_to_fp32_once_on_a_cpu_without_it(monkeypatch, caplog, bf16):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    no_accelerator(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        for device in (None, "cpu", torch.device("cpu"), -1, 0):
            assert cpu.resolve_dtype(bf16, device) is torch.float32
    assert len(records(caplog, FALLBACK)) == 1  # one warning per process, not per call
    assert "no native bf16" in records(caplog, FALLBACK)[0].getMessage()
    # other dtypes pass through untouched, with no warning
    for dtype in (None, torch.float32, torch.float16, "auto", "float32"):
        assert cpu.resolve_dtype(dtype, "cpu") == dtype


def test_bf16_is_kept_on_a_cpu_with_it(monkeypatch, caplog):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "1")
    no_accelerator(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        assert cpu.resolve_dtype(torch.bfloat16, "cpu") is torch.bfloat16
        assert cpu.resolve_mixed_precision("bf16", "cpu") == "bf16"
    assert not caplog.records


def test_accelerators_are_left_alone(monkeypatch, caplog):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    no_accelerator(monkeypatch, available=True)
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        for device in (None, 0, "cuda", "cuda:1", torch.device("cuda", 0), "mps"):
            assert cpu.resolve_dtype(torch.bfloat16, device) is torch.bfloat16
            assert cpu.resolve_mixed_precision("bf16", device) == "bf16"
        # the CPU named explicitly on a GPU machine still falls back
        assert cpu.resolve_dtype(torch.bfloat16, "cpu") is torch.float32
    assert len(records(caplog, FALLBACK)) == 1


def test_mixed_precision_bf16_falls_back_to_no_once(monkeypatch, caplog):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    no_accelerator(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        assert cpu.resolve_mixed_precision("bf16") == "no"
        assert cpu.resolve_mixed_precision("bf16", "cpu") == "no"
        assert cpu.resolve_mixed_precision("fp16") == "fp16"
        assert cpu.resolve_mixed_precision("no") == "no"
    assert len(records(caplog, TRAIN_FALLBACK)) == 1


def test_pipeline_runs_fp32_when_bf16_is_not_native(monkeypatch, caplog, tiny_model_dir):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        pipe = hf_audiosr.pipeline(str(tiny_model_dir), device="cpu", dtype=torch.bfloat16)
        again = hf_audiosr.pipeline(str(tiny_model_dir), device="cpu", dtype="bfloat16")
    assert pipe.model.dtype == again.model.dtype == torch.float32
    assert len(records(caplog, FALLBACK)) == 1


def test_transformers_pipeline_runs_fp32_when_bf16_is_not_native(
    monkeypatch, caplog, tiny_model_dir
):
    from transformers import pipeline

    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "0")
    no_accelerator(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="hf_audiosr.cpu"):
        pipe = pipeline("audio-super-resolution", model=str(tiny_model_dir), dtype=torch.bfloat16)
    assert pipe.model.dtype == torch.float32
    assert len(records(caplog, FALLBACK)) == 1


def test_pipeline_keeps_bf16_when_native(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(cpu.NATIVE_BF16_ENV, "1")
    pipe = hf_audiosr.pipeline(str(tiny_model_dir), device="cpu", dtype=torch.bfloat16)
    assert pipe.model.dtype == torch.bfloat16
