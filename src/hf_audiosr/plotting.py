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
    reference: np.ndarray | None = None,
    reference_sr: int | None = None,
    labels: tuple[str, ...] = ("input", "output", "original"),
) -> Path:
    """Write a PNG of the input and output spectrograms on the same frequency axis, and of the
    ``reference`` (the original full-band recording, when there is one) below them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def mono(x):
        x = np.asarray(x)
        return x.reshape(-1, x.shape[-1]).mean(axis=0)

    panels = [(mono(before), before_sr, labels[0]), (mono(after), after_sr, labels[1])]
    if reference is not None:
        panels.append((mono(reference), int(reference_sr or after_sr), labels[2]))
    fmax = after_sr / 2 / 1000
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, 3 * len(panels)), sharex=True, constrained_layout=True
    )
    for ax, (audio, sr, label) in zip(axes, panels):
        db, freqs, times = log_spectrogram(audio, sr)
        vmax = db.max()
        mesh = ax.pcolormesh(
            times, freqs / 1000, db, shading="auto", vmin=vmax - 90, vmax=vmax, cmap="magma"
        )
        ax.set_ylim(0, fmax)
        ax.set_ylabel("kHz")
        ax.set_title(f"{label}: {sr} Hz")
        fig.colorbar(mesh, ax=ax, label="dB")
    axes[-1].set_xlabel("time (s)")
    if title:
        fig.suptitle(title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
