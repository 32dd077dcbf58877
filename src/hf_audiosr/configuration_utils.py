"""Pieces every hf-audiosr configuration shares: argument checks, presets, the upsampling factor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .dsp import INTERPOLATIONS

ConfigT = TypeVar("ConfigT", bound="AudioSRConfigMixin")


def validate_rates(input_sampling_rate: int, output_sampling_rate: int) -> None:
    """Both rates positive, the output rate an integer multiple of the input rate."""
    if input_sampling_rate <= 0 or output_sampling_rate <= 0:
        raise ValueError(
            f"sampling rates must be positive, got {input_sampling_rate} and {output_sampling_rate}"
        )
    if output_sampling_rate % input_sampling_rate:
        raise ValueError(
            "output_sampling_rate must be an integer multiple of input_sampling_rate, got "
            f"{output_sampling_rate} and {input_sampling_rate}"
        )


def validate_interpolation(interpolation: str) -> None:
    """One of :data:`hf_audiosr.dsp.INTERPOLATIONS`."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")


def validate_dropout(dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


def as_int_tuples(*sequences: Iterable) -> tuple[tuple[int, ...], ...]:
    """``([24, 48], (9.0, 5))`` -> ``((24, 48), (9, 5))``: JSON lists back to tuples of ints."""
    return tuple(tuple(int(v) for v in values) for values in sequences)


class AudioSRConfigMixin:
    """What every ``XxxConfig(AudioSRConfigMixin, PretrainedConfig)`` has in common.

    A subclass sets ``presets`` (name -> keyword arguments) and ``preset_label`` (how its error
    messages name the architecture), and stores ``input_sampling_rate`` and
    ``output_sampling_rate``. A plain mixin rather than a ``PretrainedConfig`` subclass, so it
    adds no dataclass fields and no ``__init__`` to the configs (transformers turns every
    ``PretrainedConfig`` subclass into a dataclass).
    """

    presets: dict[str, dict] = {}
    preset_label: str = ""

    @classmethod
    def from_preset(cls: type[ConfigT], name: str, **kwargs) -> ConfigT:
        """Build a config from one of the named ``presets``; ``kwargs`` override its values."""
        if name not in cls.presets:
            raise ValueError(
                f"unknown {cls.preset_label} preset {name!r}; choose one of {sorted(cls.presets)}"
            )
        return cls(**{**cls.presets[name], "preset": name, **kwargs})

    @property
    def upsampling_factor(self) -> int:
        """Output samples per input sample."""
        return self.output_sampling_rate // self.input_sampling_rate


__all__ = [
    "AudioSRConfigMixin",
    "as_int_tuples",
    "validate_dropout",
    "validate_interpolation",
    "validate_rates",
]
