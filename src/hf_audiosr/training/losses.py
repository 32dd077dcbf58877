"""Reconstruction losses masked above each example's own band (any-band training).

A target resampled from a lower-rate file holds nothing above ``target_bandwidth_hz``; a model
that fills that band is right, not wrong. Every term here leaves it out:

* ``l2``: waveform mean squared error of the estimate band-limited to the target's band (STFT
  bins above it zeroed; the target has none) against the target;
* ``stft/sc`` and ``stft/mag``: multi-resolution spectral convergence and log-magnitude L1
  (Parallel WaveGAN's, as :class:`hf_audiosr.metrics.losses.MultiResolutionSTFTLoss`) over the
  bins at or below each example's band only.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..data.anyband import frequency_mask

__all__ = ["MaskedMultiResolutionSTFTLoss", "band_limit_torch"]

_MAG_FLOOR = 1e-7**0.5


def band_limit_torch(
    audio: torch.Tensor, bandwidth_hz: torch.Tensor, sampling_rate: int, n_fft: int = 1024
) -> torch.Tensor:
    """``(batch, time)`` audio with the STFT bins above each example's ``bandwidth_hz`` zeroed
    (Hann window, hop ``n_fft // 4``, centred); examples whose band reaches Nyquist come back
    as they are. Differentiable."""
    full = bandwidth_hz >= sampling_rate / 2
    if bool(full.all()):
        return audio
    length = audio.shape[-1]
    n_fft = min(n_fft, 2 * (length // 2))
    hop = n_fft // 4
    window = torch.hann_window(n_fft, periodic=True, device=audio.device, dtype=audio.dtype)
    spec = torch.stft(audio, n_fft, hop, window=window, center=True, return_complex=True)
    mask = frequency_mask(bandwidth_hz, n_fft, sampling_rate, audio.dtype)[:, :, None]
    limited = torch.istft(spec * mask, n_fft, hop, window=window, center=True, length=length)
    return torch.where(full[:, None], audio, limited)


class MaskedMultiResolutionSTFTLoss(nn.Module):
    """``{"l2", "stft/sc", "stft/mag"}`` of ``estimate`` against ``reference`` (both
    ``(batch, time)``), each term ignoring the band above each example's ``bandwidth_hz``
    (see the module docstring). Resolutions as Parallel WaveGAN's (512/1024/2048 at hops of a
    quarter)."""

    def __init__(
        self,
        sampling_rate: int,
        fft_sizes: Sequence[int] = (512, 1024, 2048),
        hop_sizes: Sequence[int] = (128, 256, 512),
    ) -> None:
        super().__init__()
        if len(fft_sizes) != len(hop_sizes) or not fft_sizes:
            raise ValueError("fft_sizes and hop_sizes must be non-empty and of equal length")
        self.sampling_rate = int(sampling_rate)
        self.fft_sizes = tuple(int(n) for n in fft_sizes)
        self.hop_sizes = tuple(int(h) for h in hop_sizes)

    def forward(
        self, estimate: torch.Tensor, reference: torch.Tensor, bandwidth_hz: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        with torch.autocast(device_type=estimate.device.type, enabled=False):
            estimate = estimate.float()
            reference = reference.float()
            bandwidth_hz = bandwidth_hz.to(estimate.device).float()
            limited = band_limit_torch(estimate, bandwidth_hz, self.sampling_rate)
            losses = {"l2": torch.mean((limited - reference) ** 2)}
            sc, mag = [], []
            for n_fft, hop in zip(self.fft_sizes, self.hop_sizes):
                if estimate.shape[-1] <= n_fft // 2:
                    continue
                window = torch.hann_window(n_fft, periodic=True, device=estimate.device)

                def magnitude(x, n_fft=n_fft, hop=hop, window=window):
                    spec = torch.stft(
                        x, n_fft, hop, window=window, center=True, pad_mode="reflect",
                        return_complex=True,
                    )  # fmt: skip
                    return spec.abs().clamp_min(_MAG_FLOOR)

                est, ref = magnitude(estimate), magnitude(reference)
                mask = frequency_mask(bandwidth_hz, n_fft, self.sampling_rate)[:, :, None]
                frames = est.shape[-1]
                diff = (ref - est) * mask
                sc.append(
                    (
                        diff.square().sum(dim=(1, 2)).sqrt()
                        / (ref * mask).square().sum(dim=(1, 2)).sqrt().clamp_min(1e-7)
                    ).mean()
                )
                weight = mask.sum(dim=(1, 2)) * frames
                per_item = ((ref.log() - est.log()).abs() * mask).sum(dim=(1, 2)) / weight
                mag.append(per_item.mean())
            if not sc:
                raise ValueError(
                    f"signals of {estimate.shape[-1]} samples are too short for every STFT "
                    f"resolution {self.fft_sizes}"
                )
            losses["stft/sc"] = torch.stack(sc).mean()
            losses["stft/mag"] = torch.stack(mag).mean()
        return losses
