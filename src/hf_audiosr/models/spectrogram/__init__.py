from .configuration_spectrogram import PHASE_INITS, SPECTROGRAM_PRESETS, SpectrogramSRConfig
from .modeling_spectrogram import (
    SpectrogramSRForAudioSuperResolution,
    SpectrogramSRPreTrainedModel,
    griffin_lim,
)

__all__ = [
    "PHASE_INITS",
    "SPECTROGRAM_PRESETS",
    "SpectrogramSRConfig",
    "SpectrogramSRForAudioSuperResolution",
    "SpectrogramSRPreTrainedModel",
    "griffin_lim",
]
