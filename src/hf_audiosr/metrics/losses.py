"""Differentiable torch versions of the metrics, for training and in-loop validation.

* :class:`MultiResolutionSTFTLoss` - spectral convergence + log-magnitude L1 over several STFT
  resolutions (Yamamoto et al., 2020, "Parallel WaveGAN", Sec. 2.3).
* :func:`lsd_torch` - the log-spectral distance of :func:`hf_audiosr.metrics.functional.lsd`
  (NU-Wave 2 / AP-BWE protocol) on ``(T,)`` or ``(B, T)`` tensors.

All spectral computations run in float32 (or float64 if given float64) with autocast disabled,
so both are safe to call inside ``torch.autocast`` regions.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from hf_audiosr.metrics.functional import _band_mask

__all__ = ["MultiResolutionSTFTLoss", "lsd_torch"]


def _as_batch(x: torch.Tensor, name: str) -> torch.Tensor:
    """Return ``x`` as a ``(B, T)`` floating tensor of at least float32 precision."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"`{name}` must be a torch.Tensor, got {type(x).__name__}.")
    if x.ndim == 1:
        x = x.unsqueeze(0)
    if x.ndim != 2:
        raise ValueError(f"`{name}` must have shape (T,) or (B, T), got {tuple(x.shape)}.")
    if x.shape[-1] == 0:
        raise ValueError(f"`{name}` is empty (shape {tuple(x.shape)}).")
    if x.dtype != torch.float64:
        x = x.float()
    return x


def _check_pair(reference: torch.Tensor, estimate: torch.Tensor) -> None:
    if reference.shape != estimate.shape:
        raise ValueError(
            f"`reference` and `estimate` must have the same shape, got {tuple(reference.shape)} "
            f"and {tuple(estimate.shape)}."
        )


def _stft_magnitude(
    x: torch.Tensor, n_fft: int, hop_length: int, window: torch.Tensor
) -> torch.Tensor:
    """Centred, reflect-padded STFT magnitude, shape ``(B, n_fft // 2 + 1, frames)``."""
    if x.shape[-1] <= n_fft // 2:
        raise ValueError(
            f"Signals of {x.shape[-1]} samples are too short for an STFT with n_fft={n_fft}: "
            f"centred reflect padding needs more than {n_fft // 2} samples."
        )
    spec = torch.stft(
        x,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=window.shape[-1],
        window=window.to(device=x.device, dtype=x.dtype),
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    return spec.abs()


def lsd_torch(
    reference: torch.Tensor,
    estimate: torch.Tensor,
    n_fft: int = 2048,
    hop_length: int = 512,
    eps: float = 1e-8,
    *,
    sampling_rate: float | None = None,
    band: str | None = None,
    cutoff_hz: float | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Torch log-spectral distance matching :func:`hf_audiosr.metrics.functional.lsd`.

    ``P = max(|STFT(x)|^2, eps)`` (periodic Hann window of length ``n_fft``, hop ``hop_length``,
    centred reflect-padded frames), ``LSD = mean_frames sqrt(mean_bins (log10 P_ref -
    log10 P_est)^2)``.

    Args:
        reference: Ground truth, shape ``(T,)`` or ``(B, T)``.
        estimate: System output, same shape as ``reference``.
        n_fft: FFT size and window length.
        hop_length: Hop size in samples.
        eps: Power floor before the log.
        sampling_rate: Sampling rate in Hz (only with ``band``).
        band: ``None``, ``"high"`` (bins ``>= cutoff_hz``) or ``"low"`` (bins ``< cutoff_hz``).
        cutoff_hz: Band edge in Hz, normally the input Nyquist frequency.
        reduction: ``"mean"`` (scalar, mean over the batch) or ``"none"`` (shape ``(B,)``).

    Returns:
        A scalar tensor (``reduction="mean"``) or a ``(B,)`` tensor, in the input's float precision
        (float32 unless float64 was given). Differentiable w.r.t. ``estimate``.
    """
    if reduction not in ("mean", "none"):
        raise ValueError(f"`reduction` must be 'mean' or 'none', got {reduction!r}.")
    mask = _band_mask(n_fft, band, sampling_rate, cutoff_hz)
    with torch.autocast(device_type=reference.device.type, enabled=False):
        ref = _as_batch(reference, "reference")
        est = _as_batch(estimate, "estimate")
        _check_pair(ref, est)
        dtype = torch.promote_types(ref.dtype, est.dtype)
        ref, est = ref.to(dtype), est.to(dtype)
        window = torch.hann_window(n_fft, periodic=True, dtype=dtype, device=ref.device)
        log_ref = torch.log10(_stft_magnitude(ref, n_fft, hop_length, window).square().clamp(eps))
        log_est = torch.log10(_stft_magnitude(est, n_fft, hop_length, window).square().clamp(eps))
        diff = log_ref - log_est  # (B, F, N)
        if mask is not None:
            diff = diff[:, torch.as_tensor(mask, device=diff.device)]
        per_item = diff.square().mean(dim=1).sqrt().mean(dim=-1)  # (B,)
    return per_item.mean() if reduction == "mean" else per_item


class MultiResolutionSTFTLoss(nn.Module):
    """Multi-resolution STFT loss of Parallel WaveGAN (Yamamoto et al., 2020, Eqs. 4-6).

    For each resolution ``m`` with magnitude spectrograms ``|Y|`` (reference) and ``|X|``
    (estimate), clamped at ``sqrt(1e-7)``:

    * spectral convergence ``L_sc = || |Y| - |X| ||_F / || |Y| ||_F``
    * log-magnitude loss ``L_mag = mean | log|Y| - log|X| |``

    each averaged over the resolutions. The spectral convergence is computed per utterance and
    averaged over the batch (the expectation of Eq. 4). STFTs use a periodic Hann window of ``win_length``,
    centred reflect-padded frames and are computed in float32 with autocast disabled.

    Args:
        fft_sizes: FFT size per resolution.
        hop_sizes: Hop size per resolution.
        win_lengths: Window length per resolution (``<=`` the FFT size).

    Example:
        >>> loss_fn = MultiResolutionSTFTLoss()
        >>> losses = loss_fn(estimate, reference)  # (B, T) each
        >>> total = losses["stft/sc"] + losses["stft/mag"]
    """

    def __init__(
        self,
        fft_sizes: Sequence[int] = (512, 1024, 2048),
        hop_sizes: Sequence[int] = (128, 256, 512),
        win_lengths: Sequence[int] = (512, 1024, 2048),
    ) -> None:
        super().__init__()
        if not (len(fft_sizes) == len(hop_sizes) == len(win_lengths)) or len(fft_sizes) == 0:
            raise ValueError(
                "`fft_sizes`, `hop_sizes` and `win_lengths` must be non-empty and of equal length, "
                f"got {len(fft_sizes)}, {len(hop_sizes)} and {len(win_lengths)}."
            )
        for n_fft, hop, win in zip(fft_sizes, hop_sizes, win_lengths):
            if win > n_fft or hop < 1:
                raise ValueError(
                    f"Invalid STFT resolution (fft={n_fft}, hop={hop}, win={win}): need "
                    "win_length <= fft_size and hop_size >= 1."
                )
        self.fft_sizes = tuple(int(n) for n in fft_sizes)
        self.hop_sizes = tuple(int(h) for h in hop_sizes)
        self.win_lengths = tuple(int(w) for w in win_lengths)
        for i, win in enumerate(self.win_lengths):
            self.register_buffer(
                f"window_{i}", torch.hann_window(win, periodic=True), persistent=False
            )

    def forward(self, estimate: torch.Tensor, reference: torch.Tensor) -> dict[str, torch.Tensor]:
        """Compute the loss.

        Args:
            estimate: Model output, shape ``(B, T)`` or ``(T,)`` (torch ``(input, target)`` order).
            reference: Ground truth, same shape.

        Returns:
            ``{"stft/sc": scalar, "stft/mag": scalar}`` float32 (or float64) tensors.
        """
        with torch.autocast(device_type=estimate.device.type, enabled=False):
            est = _as_batch(estimate, "estimate")
            ref = _as_batch(reference, "reference")
            _check_pair(ref, est)
            dtype = torch.promote_types(ref.dtype, est.dtype)
            est, ref = est.to(dtype), ref.to(dtype)
            sc_total = est.new_zeros(())
            mag_total = est.new_zeros(())
            floor = 1e-7**0.5
            for i, (n_fft, hop) in enumerate(zip(self.fft_sizes, self.hop_sizes)):
                window = getattr(self, f"window_{i}")
                est_mag = _stft_magnitude(est, n_fft, hop, window).clamp(min=floor)
                ref_mag = _stft_magnitude(ref, n_fft, hop, window).clamp(min=floor)
                sc_total = (
                    sc_total
                    + torch.linalg.vector_norm(ref_mag - est_mag, dim=(-2, -1))
                    .div(torch.linalg.vector_norm(ref_mag, dim=(-2, -1)))
                    .mean()
                )
                mag_total = mag_total + (ref_mag.log() - est_mag.log()).abs().mean()
            n_res = len(self.fft_sizes)
        return {"stft/sc": sc_total / n_res, "stft/mag": mag_total / n_res}
