"""Tests for hf_audiosr.metrics.losses (torch training losses and in-loop LSD)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hf_audiosr.metrics.functional import lsd  # noqa: E402
from hf_audiosr.metrics.losses import MultiResolutionSTFTLoss, lsd_torch  # noqa: E402


@pytest.fixture
def batch() -> torch.Tensor:
    return torch.randn(2, 8000, generator=torch.Generator().manual_seed(0))


def test_mrstft_zero_for_identical(batch):
    out = MultiResolutionSTFTLoss()(batch, batch.clone())
    assert set(out) == {"stft/sc", "stft/mag"}
    assert out["stft/sc"].item() == 0.0
    assert out["stft/mag"].item() == 0.0


def test_mrstft_positive_and_differentiable(batch):
    loss_fn = MultiResolutionSTFTLoss()
    estimate = (0.5 * batch + 0.1 * torch.randn_like(batch)).requires_grad_()
    out = loss_fn(estimate, batch)
    assert out["stft/sc"].item() > 0 and out["stft/mag"].item() > 0
    (out["stft/sc"] + out["stft/mag"]).backward()
    assert estimate.grad is not None
    assert torch.isfinite(estimate.grad).all() and estimate.grad.abs().sum() > 0


def test_mrstft_gain_closed_form(batch):
    # |X| = 0.5 |Y| everywhere (no bin near the clamp): sc = 0.5, mag = ln 2
    out = MultiResolutionSTFTLoss()(0.5 * batch, batch)
    assert out["stft/sc"].item() == pytest.approx(0.5, abs=1e-5)
    assert out["stft/mag"].item() == pytest.approx(np.log(2), abs=1e-5)


def test_mrstft_autocast_bf16(batch):
    loss_fn = MultiResolutionSTFTLoss()
    estimate = (0.5 * batch).requires_grad_()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        projected = torch.nn.functional.linear(estimate, torch.eye(batch.shape[-1]))
        assert projected.dtype == torch.bfloat16  # autocast is really active
        out = loss_fn(projected, batch)
    assert out["stft/sc"].dtype == torch.float32
    assert torch.isfinite(out["stft/sc"]) and torch.isfinite(out["stft/mag"])
    (out["stft/sc"] + out["stft/mag"]).backward()
    assert torch.isfinite(estimate.grad).all()


def test_mrstft_windows_not_in_state_dict():
    assert MultiResolutionSTFTLoss().state_dict() == {}


def test_mrstft_validation(batch):
    with pytest.raises(ValueError, match=r"equal length, got 2, 3 and 3"):
        MultiResolutionSTFTLoss(fft_sizes=(512, 1024))
    with pytest.raises(ValueError, match=r"need win_length <= fft_size"):
        MultiResolutionSTFTLoss(fft_sizes=(512,), hop_sizes=(128,), win_lengths=(1024,))
    with pytest.raises(ValueError, match=r"same shape, got \(2, 8000\) and \(2, 7999\)"):
        MultiResolutionSTFTLoss()(batch[:, :-1], batch)
    with pytest.raises(ValueError, match=r"shape \(T,\) or \(B, T\), got \(2, 1, 8000\)"):
        MultiResolutionSTFTLoss()(batch[:, None], batch[:, None])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lsd_torch_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    ref = rng.standard_normal(12345).astype(np.float32)
    est = (0.7 * ref + 0.3 * rng.standard_normal(12345)).astype(np.float32)
    expected = lsd(ref, est)
    got = lsd_torch(torch.from_numpy(ref), torch.from_numpy(est)).item()
    assert got == pytest.approx(expected, abs=1e-4)
    got64 = lsd_torch(torch.from_numpy(ref).double(), torch.from_numpy(est).double()).item()
    assert got64 == pytest.approx(expected, abs=1e-10)


def test_lsd_torch_bands_and_batch():
    rng = np.random.default_rng(3)
    ref = rng.standard_normal((2, 16000))
    est = ref * np.array([[0.5], [2.0]]) + 0.01 * rng.standard_normal((2, 16000))
    per_item = lsd_torch(torch.from_numpy(ref), torch.from_numpy(est), reduction="none")
    assert per_item.shape == (2,)
    for i in range(2):
        assert per_item[i].item() == pytest.approx(lsd(ref[i], est[i]), abs=1e-10)
        for band in ("high", "low"):
            kwargs = {"sampling_rate": 16000, "band": band, "cutoff_hz": 4000}
            t = lsd_torch(torch.from_numpy(ref[i]), torch.from_numpy(est[i]), **kwargs).item()
            assert t == pytest.approx(lsd(ref[i], est[i], **kwargs), abs=1e-10)
    mean = lsd_torch(torch.from_numpy(ref), torch.from_numpy(est))
    assert mean.item() == pytest.approx(per_item.mean().item())
    with pytest.raises(ValueError, match="needs both `sampling_rate` and `cutoff_hz`"):
        lsd_torch(torch.from_numpy(ref), torch.from_numpy(est), band="high")


def test_lsd_torch_differentiable_under_autocast():
    ref = torch.randn(1, 8000, generator=torch.Generator().manual_seed(4))
    est = (0.5 * ref).requires_grad_()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = lsd_torch(ref, est)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(np.log10(4), abs=1e-4)
    value.backward()
    assert torch.isfinite(est.grad).all()
