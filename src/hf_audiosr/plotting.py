"""Before/after spectrogram figure (matplotlib, Agg backend; used by the CLI and the demo)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def log_spectrogram(
    audio: np.ndarray, sampling_rate: int, n_fft: int = 1024
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dB magnitude (freq, frames), frequencies in Hz, times in s) of a mono signal."""
    import librosa

    hop = n_fft // 4
    spec = np.abs(librosa.stft(np.asarray(audio, dtype=np.float32), n_fft=n_fft, hop_length=hop))
    db = 20 * np.log10(np.maximum(spec, 1e-5))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sampling_rate)
    times = np.arange(db.shape[1]) * hop / sampling_rate
    return db, freqs, times


def plot_before_after(
    before: np.ndarray,
    before_sr: int,
    after: np.ndarray,
    after_sr: int,
    path: str | os.PathLike,
    title: str = "",
) -> Path:
    """Write a two-panel PNG: input and output spectrograms on the same frequency axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before = np.asarray(before).reshape(-1, np.asarray(before).shape[-1]).mean(axis=0)
    after = np.asarray(after).reshape(-1, np.asarray(after).shape[-1]).mean(axis=0)
    fmax = after_sr / 2 / 1000
    fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True, constrained_layout=True)
    for ax, audio, sr, label in (
        (axes[0], before, before_sr, "input"),
        (axes[1], after, after_sr, "output"),
    ):
        db, freqs, times = log_spectrogram(audio, sr)
        vmax = db.max()
        mesh = ax.pcolormesh(
            times, freqs / 1000, db, shading="auto", vmin=vmax - 90, vmax=vmax, cmap="magma"
        )
        ax.set_ylim(0, fmax)
        ax.set_ylabel("kHz")
        ax.set_title(f"{label}: {sr} Hz")
        fig.colorbar(mesh, ax=ax, label="dB")
    axes[1].set_xlabel("time (s)")
    if title:
        fig.suptitle(title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
