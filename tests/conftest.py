"""Shared fixtures: a saved tiny model, its pipeline, the bundled default pipeline, small audio
files written to ``tmp_path``, and ``in_process`` for tests that run the trainer in this process.

The tiny model (``AudioUNetConfig.from_preset("tiny")``, 8 kHz -> 16 kHz) is randomly initialised
with a fixed seed. Its orthogonal initialisation makes the residual far from zero (a few tenths on
unit-variance input), so equality checks between code paths (chunked vs whole, batched vs one by
one, streaming vs in-memory) compare real network outputs, not just the fixed interpolation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import hf_audiosr
from hf_audiosr import AudioSRFeatureExtractor, AudioUNetConfig, AudioUNetForAudioSuperResolution


def speech_like(
    num_samples: int, sampling_rate: int, channels: int = 1, seed: int = 0, amplitude: float = 0.3
) -> np.ndarray:
    """A deterministic speech-band test signal: two harmonics with a slow vibrato plus noise.

    Returns float32 ``(num_samples,)`` for mono and ``(channels, num_samples)`` otherwise; channel
    ``c`` uses ``seed + c`` so channels differ.
    """
    out = []
    t = np.arange(num_samples) / sampling_rate
    for c in range(channels):
        rng = np.random.default_rng(seed + c)
        f0 = 150.0 + 40.0 * c
        phase = 2 * np.pi * f0 * t + 3.0 * np.sin(2 * np.pi * 0.7 * t)
        x = np.sin(phase) + 0.5 * np.sin(3 * phase) + 0.1 * rng.standard_normal(num_samples)
        out.append(amplitude * x / 1.6)
    audio = np.asarray(out, dtype=np.float32)
    return audio[0] if channels == 1 else audio


@pytest.fixture(scope="session")
def signal() -> Callable[..., np.ndarray]:
    """:func:`speech_like`, as a fixture: ``signal(num_samples, sampling_rate, channels=1, seed=0)``."""
    return speech_like


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A saved tiny 8k -> 16k AudioUNet with its feature extractor (what ``pipeline()`` loads)."""
    folder = tmp_path_factory.mktemp("tiny-audiounet")
    torch.manual_seed(0)
    model = AudioUNetForAudioSuperResolution(AudioUNetConfig.from_preset("tiny"))
    # A fresh model starts as (almost) the plain interpolation; give its output layer trained-like
    # weights so the tests compare real network outputs.
    with torch.no_grad():
        model.final_conv.weight.normal_(std=0.1)
    model.save_pretrained(folder)
    AudioSRFeatureExtractor(sampling_rate=8000, output_sampling_rate=16000).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_model_dir):
    from transformers import pipeline

    return pipeline("audio-super-resolution", model=str(tiny_model_dir))


@pytest.fixture(scope="session")
def default_pipeline():
    """The bundled default model (speech, 8 kHz -> 16 kHz)."""
    return hf_audiosr.pipeline()


@pytest.fixture
def write_audio(tmp_path) -> Callable[..., Path]:
    """``write_audio(name, audio, sampling_rate, subtype=None)`` -> path under ``tmp_path``.

    ``audio`` is ``(time,)`` or ``(channels, time)``; WAV defaults to 32-bit float, FLAC to 16-bit.
    """

    def write(name: str, audio: np.ndarray, sampling_rate: int, subtype: str | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        audio = np.asarray(audio)
        if subtype is None:
            subtype = "FLOAT" if path.suffix.lower() == ".wav" else "PCM_16"
        sf.write(str(path), audio.T if audio.ndim == 2 else audio, sampling_rate, subtype=subtype)
        return path

    return write


@pytest.fixture
def in_process():
    """Restore what an in-process trainer changes globally (threads, Accelerate's singletons)."""
    from accelerate.state import AcceleratorState

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)
    AcceleratorState._reset_state(reset_partial_state=True)


@pytest.fixture(scope="module")
def speech_8k() -> np.ndarray:
    """The first 3 s of the bundled 8 kHz example (real speech)."""
    audio, sr = sf.read(str(hf_audiosr.EXAMPLE_AUDIO), dtype="float32")
    assert sr == 8000
    return audio[: 3 * sr]
