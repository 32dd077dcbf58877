"""Low/high-resolution training pairs simulated on the fly from an :class:`AudioCorpus`."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from ..dsp import DEGRADATIONS, degrade
from .corpus import AudioCorpus


def _check_mix(mix: dict[str, float]) -> tuple[list[str], np.ndarray]:
    unknown = set(mix) - set(DEGRADATIONS)
    if unknown or not mix:
        raise ValueError(f"degradation mix keys must be among {DEGRADATIONS}, got {sorted(mix)}")
    names = sorted(mix)
    weights = np.array([mix[n] for n in names], dtype=np.float64)
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"degradation weights must be non-negative with a positive sum, got {mix}")
    return names, weights / weights.sum()


class SuperResolutionPatches(Dataset):
    """Item ``i`` is a deterministic function of ``(seed, i)``: a random patch of ``segment_length``
    output-rate samples, a random gain, and a low-resolution version made by a degradation drawn
    from ``degradation_mix`` (e.g. ``{"sinc": 0.5, "cheby": 0.3, "fft": 0.2}``).

    Returns ``{"input_values": (segment_length // factor,), "labels": (segment_length,)}``.
    Because items depend only on their index, ``skip_first_batches`` on resume reproduces the
    exact batches an uninterrupted run would have seen.
    """

    def __init__(
        self,
        corpus: AudioCorpus,
        input_sampling_rate: int,
        segment_length: int,
        num_items: int,
        degradation_mix: dict[str, float] | None = None,
        seed: int = 0,
        gain_db: tuple[float, float] = (-12.0, 6.0),
        min_rms: float = 3e-3,
    ):
        self.corpus = corpus
        self.factor = corpus.sampling_rate // input_sampling_rate
        if corpus.sampling_rate % input_sampling_rate:
            raise ValueError("the corpus rate must be an integer multiple of the input rate")
        if segment_length % self.factor:
            raise ValueError(f"segment_length must be a multiple of the factor {self.factor}")
        self.input_sampling_rate = input_sampling_rate
        self.segment_length = segment_length
        self.num_items = num_items
        self.methods, self.weights = _check_mix(degradation_mix or {"sinc": 1.0})
        self.seed = seed
        self.gain_db = gain_db
        self.min_rms = min_rms
        self.margin = 64 * self.factor
        lengths = corpus.lengths.astype(np.float64)
        self.probabilities = lengths / lengths.sum()

    def __len__(self) -> int:
        return self.num_items

    def _crop(self, rng: np.random.Generator) -> np.ndarray:
        total = self.segment_length + 2 * self.margin
        best = None
        for _ in range(8):
            idx = rng.choice(len(self.corpus), p=self.probabilities)
            utt = self.corpus.utterance(idx)
            if len(utt) < total:
                crop = np.pad(utt, (0, total - len(utt)))
            else:
                start = rng.integers(0, len(utt) - total + 1)
                crop = utt[start : start + total]
            rms = float(np.sqrt(np.mean(crop.astype(np.float64) ** 2)))
            if best is None or rms > best[0]:
                best = (rms, crop)
            if rms >= self.min_rms:
                break
        return best[1].astype(np.float64)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng([self.seed, index])
        high = self._crop(rng)
        peak = np.abs(high).max()
        gain = 10 ** (rng.uniform(*self.gain_db) / 20)
        if peak > 0:
            gain = min(gain, 0.95 / peak)
        high = high * gain
        method = self.methods[rng.choice(len(self.methods), p=self.weights)]
        low = degrade(high, self.corpus.sampling_rate, self.input_sampling_rate, method)
        m = self.margin // self.factor
        low = low[m : m + self.segment_length // self.factor]
        high = high[self.margin : self.margin + self.segment_length]
        return {
            "input_values": torch.from_numpy(low.astype(np.float32)),
            "labels": torch.from_numpy(high.astype(np.float32)),
        }
