from .audiounet import AUDIOUNET_PRESETS, AudioUNetConfig, AudioUNetForAudioSuperResolution
from .bandnext import BANDNEXT_PRESETS, BandNeXtConfig, BandNeXtForAudioSuperResolution
from .spectrogram import (
    SPECTROGRAM_PRESETS,
    SpectrogramSRConfig,
    SpectrogramSRForAudioSuperResolution,
)
from .tfilm_unet import TFILM_UNET_PRESETS, TFiLMUNetConfig, TFiLMUNetForAudioSuperResolution
from .tfnet import TFNET_PRESETS, TFNetConfig, TFNetForAudioSuperResolution
from .tfnet_tfilm import TFNET_TFILM_PRESETS, TFNetTFiLMConfig, TFNetTFiLMForAudioSuperResolution

# architecture name -> (config class, model class, presets); read-only lookup table.
ARCHITECTURES = {
    "audiounet": (AudioUNetConfig, AudioUNetForAudioSuperResolution, AUDIOUNET_PRESETS),
    "tfilm_unet": (TFiLMUNetConfig, TFiLMUNetForAudioSuperResolution, TFILM_UNET_PRESETS),
    "tfnet": (TFNetConfig, TFNetForAudioSuperResolution, TFNET_PRESETS),
    "tfnet_tfilm": (TFNetTFiLMConfig, TFNetTFiLMForAudioSuperResolution, TFNET_TFILM_PRESETS),
    "spectrogram": (
        SpectrogramSRConfig,
        SpectrogramSRForAudioSuperResolution,
        SPECTROGRAM_PRESETS,
    ),
    "bandnext": (BandNeXtConfig, BandNeXtForAudioSuperResolution, BANDNEXT_PRESETS),
}


def build_config(architecture: str, preset: str, **overrides):
    """A config for ``architecture`` from one of its presets, with ``overrides`` applied."""
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"unknown architecture {architecture!r}; choose one of {sorted(ARCHITECTURES)}"
        )
    config_class, _, _ = ARCHITECTURES[architecture]
    return config_class.from_preset(preset, **overrides)


def build_model(config):
    for config_class, model_class, _ in ARCHITECTURES.values():
        if isinstance(config, config_class):
            return model_class(config)
    raise ValueError(f"no hf-audiosr model for config type {type(config).__name__}")


__all__ = [
    "ARCHITECTURES",
    "AudioUNetConfig",
    "AudioUNetForAudioSuperResolution",
    "BandNeXtConfig",
    "BandNeXtForAudioSuperResolution",
    "TFNetConfig",
    "TFNetForAudioSuperResolution",
    "TFNetTFiLMConfig",
    "TFNetTFiLMForAudioSuperResolution",
    "TFiLMUNetConfig",
    "TFiLMUNetForAudioSuperResolution",
    "SpectrogramSRConfig",
    "SpectrogramSRForAudioSuperResolution",
    "build_config",
    "build_model",
]
