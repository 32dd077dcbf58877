"""Feature extractor shared by every hf-audiosr model."""

from __future__ import annotations

import numpy as np
from transformers import BatchFeature, SequenceFeatureExtractor
from transformers.utils import logging

from .dsp import INTERPOLATIONS, interpolate, resample

logger = logging.get_logger(__name__)

MAX_CHANNELS = 64


def to_float32(audio: np.ndarray) -> np.ndarray:
    """Integer PCM -> float32 in [-1, 1); float arrays -> float32. Raises on other dtypes."""
    audio = np.asarray(audio)
    if audio.dtype.kind == "f":
        return audio.astype(np.float32, copy=False)
    if audio.dtype.kind == "i":
        return (audio.astype(np.float64) / float(2 ** (8 * audio.dtype.itemsize - 1))).astype(
            np.float32
        )
    if audio.dtype.kind == "u":
        half = float(2 ** (8 * audio.dtype.itemsize - 1))
        return ((audio.astype(np.float64) - half) / half).astype(np.float32)
    raise ValueError(f"audio must be a float or integer PCM array, got dtype {audio.dtype}")


def check_finite(audio: np.ndarray) -> None:
    if not np.isfinite(audio).all():
        bad = int((~np.isfinite(audio)).sum())
        raise ValueError(f"audio contains {bad} NaN or infinite sample(s); clean the input first")


class AudioSRFeatureExtractor(SequenceFeatureExtractor):
    r"""Prepares low-resolution waveforms for an hf-audiosr model.

    It turns int16/int32/float64 input into float32, mixes a `(channels, time)` array down to mono
    (with a warning; the pipeline processes channels separately instead), checks for NaN/Inf,
    resamples to the model's input rate when asked to (`resample=True`, band-limited soxr), and
    pads the batch.

    Args:
        sampling_rate (`int`, *optional*, defaults to 8000):
            The model's input sampling rate.
        output_sampling_rate (`int`, *optional*, defaults to 16000):
            The model's output sampling rate.
        interpolation (`str`, *optional*, defaults to `"sinc"`):
            The fixed interpolation the model's residual is added to (`"sinc"` or `"cubic"`);
            [`~AudioSRFeatureExtractor.interpolate`] reproduces it as a baseline.
        padding_value (`float`, *optional*, defaults to 0.0):
            Value used to pad.
        pad_to_multiple_of (`int`, *optional*):
            Default multiple to pad input lengths to.
    """

    model_input_names = ["input_values", "attention_mask"]

    def __init__(
        self,
        sampling_rate: int = 8000,
        output_sampling_rate: int = 16000,
        interpolation: str = "sinc",
        padding_value: float = 0.0,
        pad_to_multiple_of: int | None = None,
        return_attention_mask: bool = True,
        **kwargs,
    ):
        if output_sampling_rate % sampling_rate:
            raise ValueError(
                f"output_sampling_rate ({output_sampling_rate}) must be an integer multiple of "
                f"sampling_rate ({sampling_rate})"
            )
        if interpolation not in INTERPOLATIONS:
            raise ValueError(
                f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}"
            )
        kwargs.pop("feature_size", None)
        super().__init__(
            feature_size=1,
            sampling_rate=sampling_rate,
            padding_value=padding_value,
            return_attention_mask=return_attention_mask,
            **kwargs,
        )
        self.output_sampling_rate = output_sampling_rate
        self.interpolation = interpolation
        self.pad_to_multiple_of = pad_to_multiple_of

    @property
    def upsampling_factor(self) -> int:
        return self.output_sampling_rate // self.sampling_rate

    def prepare(self, audio, sampling_rate: int, resample_input: bool = False) -> np.ndarray:
        """One waveform -> float32 mono at the model's input rate (validated)."""
        audio = to_float32(audio)
        if audio.ndim == 2:
            if audio.shape[0] > MAX_CHANNELS:
                raise ValueError(
                    f"expected audio as (channels, time), got shape {audio.shape}; "
                    "transpose (time, channels) input first"
                )
            if audio.shape[0] > 1:
                logger.warning("mixing %d channels down to mono", audio.shape[0])
            audio = audio.mean(axis=0)
        elif audio.ndim != 1:
            raise ValueError(
                f"expected audio as (time,) or (channels, time), got shape {audio.shape}"
            )
        if audio.shape[0] == 0:
            raise ValueError("audio is empty (0 samples)")
        check_finite(audio)
        if sampling_rate != self.sampling_rate:
            if not resample_input:
                raise ValueError(
                    f"audio is at {sampling_rate} Hz but this model takes {self.sampling_rate} Hz: "
                    f"pass resample=True (or use the pipeline, which resamples), or resample it "
                    f"to {self.sampling_rate} Hz yourself"
                )
            audio = resample(audio, sampling_rate, self.sampling_rate).astype(np.float32)
            if audio.shape[0] == 0:
                raise ValueError(
                    f"audio is too short: nothing is left after resampling {sampling_rate} Hz to "
                    f"{self.sampling_rate} Hz"
                )
        return audio

    def __call__(
        self,
        raw_audio,
        sampling_rate: int | None = None,
        resample: bool = False,
        padding: bool | str = True,
        max_length: int | None = None,
        truncation: bool = False,
        pad_to_multiple_of: int | None = None,
        return_attention_mask: bool | None = None,
        return_tensors: str | None = None,
    ) -> BatchFeature:
        """
        Args:
            raw_audio (`np.ndarray`, `list[np.ndarray]`, `list[float]`):
                One waveform `(time,)` or `(channels, time)`, a list of them, or a 2-D array read
                as a batch `(batch, time)`.
            sampling_rate (`int`):
                Sampling rate of `raw_audio`. Required: super-resolution is meaningless without it.
            resample (`bool`, *optional*, defaults to `False`):
                Resample to the model's input rate instead of raising on a mismatch.
        """
        if sampling_rate is None:
            raise ValueError(
                f"sampling_rate is required; this feature extractor expects {self.sampling_rate} Hz "
                "audio (pass resample=True to convert other rates)"
            )
        if isinstance(raw_audio, np.ndarray) and raw_audio.ndim == 2:
            batch = list(raw_audio)
        elif isinstance(raw_audio, (list, tuple)) and raw_audio and not np.isscalar(raw_audio[0]):
            batch = list(raw_audio)
        else:
            batch = [raw_audio]
        if not batch:
            raise ValueError("no audio given")
        batch = [self.prepare(np.asarray(a), sampling_rate, resample) for a in batch]
        features = BatchFeature({"input_values": batch})
        padded = self.pad(
            features,
            padding=padding,
            max_length=max_length,
            truncation=truncation,
            pad_to_multiple_of=pad_to_multiple_of or self.pad_to_multiple_of,
            return_attention_mask=return_attention_mask,
        )
        padded["input_values"] = [np.asarray(a, dtype=np.float32) for a in padded["input_values"]]
        if return_tensors is not None:
            padded = padded.convert_to_tensors(return_tensors)
        return padded

    def interpolate(self, audio: np.ndarray) -> np.ndarray:
        """The interpolation baseline at the output rate (what the model's residual is added to)."""
        return interpolate(audio, self.upsampling_factor, self.interpolation).astype(np.float32)


__all__ = ["AudioSRFeatureExtractor"]
