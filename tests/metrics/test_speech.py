import numpy as np
import pytest

from hf_audiosr.metrics import speech


def test_wer_and_cer_count_edits_exactly():
    assert speech.wer("the cat sat on the mat", "the cat sat on the mat") == 0.0
    assert speech.wer("the cat sat on the mat", "the cat sit on mat") == pytest.approx(2 / 6)
    assert speech.cer("abcd", "abed") == pytest.approx(1 / 4)


def test_normalisation_ignores_case_and_punctuation():
    assert speech.wer("Hello, World!", "hello world") == 0.0


def _speech_like(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(16000 * 3) / 16000
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    tone = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((150, 300, 450, 900, 1800), 1))
    return (0.2 * envelope * tone + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def test_pesq_and_stoi_of_a_signal_with_itself_and_with_noise():
    pytest.importorskip("pesq")
    pytest.importorskip("pystoi")
    x = _speech_like()
    noise = np.random.default_rng(1).standard_normal(len(x)).astype(np.float32)
    same = speech.pesq_wb(x, x, sampling_rate=16000)
    noisy = speech.pesq_wb(x, x + 0.05 * noise, sampling_rate=16000)
    noisier = speech.pesq_wb(x, x + 0.2 * noise, sampling_rate=16000)
    assert same > 4.4 and same > noisy > noisier
    assert speech.stoi(x, x, sampling_rate=16000) > 0.99
    assert speech.stoi(x, x + 0.2 * noise, sampling_rate=16000) < speech.stoi(
        x, x + 0.02 * noise, sampling_rate=16000
    )
